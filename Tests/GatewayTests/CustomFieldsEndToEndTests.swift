import Contracts
import Foundation
import Testing
import TestSupport

/// Issue 26 item 2 through the gateway: typed fields declared at run time refuse a wrong
/// value with a field error, are required where declared, filter lists and are columns of
/// the exports.
@Suite struct CustomFieldsEndToEndTests {
    @Test func d8d2ATypedFieldIsRefusedFilteredAndExported() async throws {
        let system = try await ConversationsEndToEndTests.start()
        #expect(try await system.request("PUT", "/v1/custom-fields/deal/rooms", body: #"{"name":"rooms","label":"Rooms","type":"number","required":true}"#).status == 200)
        #expect(try await system.request("PUT", "/v1/custom-fields/contact/level", body: #"{"name":"level","type":"one_of","options":["A1","B1"]}"#).status == 200)
        #expect(try await system.request("PUT", "/v1/custom-fields/deal/rooms", body: #"{"name":"floors","type":"number"}"#).status == 422)
        #expect(try await system.request("PUT", "/v1/custom-fields/deal/Bad", body: #"{"name":"Bad","type":"text"}"#).status == 404, "not a field's name")
        let declared = try await system.items("/v1/custom-fields")
        #expect(declared.map { "\($0["entity"] as? String ?? ""):\($0["name"] as? String ?? ""):\($0["type"] as? String ?? "")" } == ["deal:rooms:number", "contact:level:one_of"])

        let wrong = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Anna","phones":["+79160000001"],"customFields":{"level":"C2"}}"#)
        #expect(wrong.status == 422 && (wrong.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "customFields.level", "\(wrong.body)")
        let anna = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Anna","phones":["+79160000001"],"customFields":{"level":"B1"}}"#)
        let contactID = try #require((anna.json["contact"] as? [String: Any])?["id"] as? Int, "\(anna.body)")
        let missing = try await system.request("POST", "/v1/deals", body: #"{"title":"Windows","contactId":\#(contactID)}"#)
        #expect(missing.status == 422 && (missing.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "customFields.rooms", "\(missing.body)")
        let made = try await system.request("POST", "/v1/deals", body: #"{"title":"Windows","contactId":\#(contactID),"customFields":{"rooms":"3"}}"#)
        #expect(made.status == 201, "\(made.body)")
        #expect((try await system.items("/v1/deals?field=rooms&fieldValue=3")).count == 1)
        #expect((try await system.items("/v1/deals?field=rooms&fieldValue=4")).isEmpty)
        let deals = try await system.request("GET", "/v1/deals/export.csv").body.split(separator: "\r\n")
        #expect(deals.first?.hasSuffix(",field_rooms") == true && deals.dropFirst().first?.hasSuffix(",3") == true, "\(deals)")
        let contacts = try await system.request("GET", "/v1/contacts/export.csv?field=level&fieldValue=B1").body.split(separator: "\r\n")
        #expect(contacts.count == 2 && contacts[0].hasSuffix(",field_level") && contacts[1].hasSuffix(",B1"), "\(contacts)")
        try await system.stop()
    }
}
