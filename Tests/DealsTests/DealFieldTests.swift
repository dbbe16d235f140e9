import Contracts
import DealsService
import Foundation
import RPC
import ServiceKit
import Storage
import Testing
import TestSupport
import Wire

/// Issue 26 item 2: deal fields declared at run time with their types; every write is
/// checked and refused with field errors, lists filter on them, a type changes only when
/// the values deals hold still read, and names deals had before are declared as text.
@Suite struct DealFieldTests {
    static let context = ServerContext(method: "test", metadata: Metadata(), deadline: nil, peer: "test", requestID: 1)

    static func field(_ name: String, _ type: CustomFieldType, options: [String] = [], required: Bool = false, pipelines: [Int64] = []) -> CustomFieldDefinition {
        var d = CustomFieldDefinition(name: name, type: type)
        (d.options, d.required, d.pipelineIDs) = (options, required, pipelines)
        return d
    }

    @Test func d8d2ATypedFieldIsRefusedWithAFieldErrorFilteredAndItsTypeChangesOnlyWhenValuesStillRead() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        for definition in [Self.field("window_count", .number, required: true, pipelines: [1]), Self.field("kind", .oneOf, options: ["repair", "install"]),
                           Self.field("features", .manyOf, options: ["balcony", "loggia"]), Self.field("measured_on", .date), Self.field("site", .url)] {
            _ = try await f.api.fields.put(definition)
        }
        await #expect(throws: RPCError.self) { _ = try await f.api.fields.put(Self.field("bad", .number, options: ["1"])) }
        func deal(_ fields: [String: String]) -> Deal {
            var d = Deal()
            (d.title, d.contactID) = ("Windows", 1)
            d.customFields = fields.sorted { $0.key < $1.key }.map { CustomField(name: $0.key, value: $0.value) }
            return d
        }
        // Everything wrong at once, each named.
        let refused = await #expect(throws: RPCError.self) {
            _ = try await f.api.deals.create(deal(["kind": "paint", "features": "balcony, attic", "measured_on": "2027-02-30", "site": "ftp://x", "note": "anything"]))
        }
        #expect(Set(refused?.details.map(\.field) ?? []) == [
            "customFields.window_count", "customFields.kind", "customFields.features", "customFields.measured_on", "customFields.site",
        ], "\(refused?.details ?? [])")
        let a = try await f.api.deals.create(deal(["window_count": "3", "kind": "repair", "features": "balcony, loggia", "note": "free text stays free"]))
        let b = try await f.api.deals.create(deal(["window_count": "12.5", "kind": "install", "features": "loggia"]))
        // Filtered by a value, and a many_of by one of its values.
        func filtered(_ name: String, _ value: String) async throws -> [Int64] {
            var request = ListDealsRequest()
            (request.fieldName, request.fieldValue) = (name, value)
            return try await f.api.deals.list(request).deals.map(\.id)
        }
        #expect(try await filtered("kind", "repair") == [a.id])
        #expect(try await filtered("features", "loggia") == [a.id, b.id])
        #expect(try await filtered("window_count", "12.5") == [b.id])
        // A patch that empties a required field is refused; one of another field is not checked against it.
        var empty = UpdateDealRequest(dealID: a.id, fieldMask: ["customFields"])
        empty.deal.customFields = [CustomField(name: "kind", value: "repair")]
        let missing = await #expect(throws: RPCError.self) { _ = try await f.api.deals.update(empty) }
        #expect(missing?.details.map(\.field) == ["customFields.window_count"])
        var title = UpdateDealRequest(dealID: a.id, fieldMask: ["title"])
        title.deal.title = "Windows, three rooms"
        _ = try await f.api.deals.update(title)
        // 12.5 windows cannot become a whole number... as text: a boolean refuses both values, text takes them.
        let change = await #expect(throws: RPCError.self) { _ = try await f.api.fields.put(Self.field("window_count", .boolean)) }
        #expect(change?.details.count == 2)
        var text = Self.field("window_count", .text)
        text.label = "Windows"
        _ = try await f.api.fields.put(text)
        let listed = try await f.api.fields.list().fields
        #expect(listed.map(\.name) == ["features", "kind", "measured_on", "site", "window_count"] && listed.allSatisfy { $0.entity == "deal" })
        #expect(listed.last?.type == .text && listed.last?.required == false)
    }

    @Test func d8d2NamesDealsHeldBeforeFieldsWereDeclaredAreDeclaredAsTextAndFilter() async throws {
        let folder = try temporaryFolder("deal-fields")
        let path = folder.appendingPathComponent("deals.sqlite").path
        // A database as it was before issue 26 item 2 (its first 14 migrations), with a deal holding two free fields.
        let before = try Database(path: path, migrations: Array(DealsSchema.migrations.prefix(14)))
        var old = Deal(title: "Old", contactID: 1, pipelineID: 1, stageID: 1, status: .open)
        old.id = 1
        old.customFields = [CustomField(name: "group", value: "English B1"), CustomField(name: "Weird Name", value: "x")]
        let body = old.wireBytes()
        _ = try await before.write { tx in
            try tx.run("INSERT INTO deals (id, contact_id, pipeline_id, stage_id, status, body) VALUES (1, 1, 1, 1, 1, ?)", [.blob(body)])
        }
        try await before.close()
        let after = try Database(path: path, migrations: DealsSchema.migrations)
        let api = DealsAPI(database: after, contacts: RPCClient(host: "127.0.0.1", port: 1), logger: Logger(service: "test"))
        #expect(try await api.fields.list().fields.map { [$0.name, $0.type.name] } == [["group", "text"]], "a name that is no key stays free")
        var request = ListDealsRequest()
        (request.fieldName, request.fieldValue) = ("group", "English B1")
        #expect(try await api.deals.list(request).deals.map(\.id) == [1])
    }
}
