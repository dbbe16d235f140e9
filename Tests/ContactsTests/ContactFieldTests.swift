import ContactsService
import Contracts
import Foundation
import RPC
import Storage
import Testing
import TestSupport
import Wire

/// Issue 26 item 2 for contacts: typed fields declared at run time, checked on every write
/// with a field error each, required of people (not of a service's match-or-create, such
/// as a lead's), and filtered on.
@Suite struct ContactFieldTests {
    static func context(_ principal: Principal?) -> ServerContext {
        ServerContext(
            method: "test", metadata: Metadata(principal.map { [(Principal.metadataKey, $0.metadataValue)] } ?? []), deadline: nil, peer: "test", requestID: 1)
    }

    @Test func d8c1ContactFieldsAreTypedRequiredOfPeopleAndFiltered() async throws {
        let folder = try temporaryFolder("contact-fields")
        let database = try Database(path: folder.appendingPathComponent("contacts.sqlite").path, migrations: ContactsSchema.migrations)
        let api = ContactsAPI(database: database, defaultCountry: PhoneNormalizer(defaultCountry: "RU")!)
        let service = Self.context(nil), admin = Self.context(Principal(role: "admin", visibility: nil))
        func field(_ name: String, _ type: CustomFieldType, options: [String] = [], required: Bool = false) -> CustomFieldDefinition {
            var d = CustomFieldDefinition(name: name, type: type)
            (d.options, d.required) = (options, required)
            return d
        }
        for d in [field("birthday", .date), field("level", .oneOf, options: ["A1", "A2", "B1"]), field("curator", .staff), field("consent", .boolean, required: true)] {
            _ = try await api.putField(d, context: admin)
        }
        func person(_ phone: String, _ fields: [String: String]) -> MatchOrCreateRequest {
            var draft = ContactDraft()
            draft.firstName = "Anna"
            draft.phones = [phone]
            draft.customFields = fields.sorted { $0.key < $1.key }.map { CustomField(name: $0.key, value: $0.value) }
            return MatchOrCreateRequest(draft: draft)
        }
        let wrong = await #expect(throws: RPCError.self) {
            _ = try await api.matchOrCreate(person("+79160000001", ["birthday": "2027-13-01", "level": "C2", "curator": "99", "consent": "yes"]), context: admin)
        }
        #expect(Set(wrong?.details.map(\.field) ?? []) == ["customFields.birthday", "customFields.level", "customFields.curator", "customFields.consent"], "\(wrong?.details ?? [])")
        // A person must give consent; a lead through the deals service is not held to it.
        let missing = await #expect(throws: RPCError.self) { _ = try await api.matchOrCreate(person("+79160000001", ["level": "A2"]), context: admin) }
        #expect(missing?.details.map(\.field) == ["customFields.consent"])
        let lead = try await api.matchOrCreate(person("+79160000001", ["level": "A2"]), context: service)
        let other = try await api.matchOrCreate(person("+79160000002", ["level": "B1", "consent": "true", "birthday": "1990-05-01"]), context: admin)
        var search = SearchContactsRequest()
        (search.fieldName, search.fieldValue) = ("level", "A2")
        #expect(try await api.search(search, context: service).contacts.map(\.id) == [lead.contact.id])
        search.fieldValue = "B1"
        #expect(try await api.search(search, context: service).contacts.map(\.id) == [other.contact.id])
        let listed = try await api.listFields(Empty(), context: service).fields
        #expect(listed.map(\.name) == ["birthday", "consent", "curator", "level"] && listed.allSatisfy { $0.entity == "contact" })
        // Someone holds B1: a level without it is refused; with it, taken.
        await #expect(throws: RPCError.self) { _ = try await api.putField(field("level", .oneOf, options: ["A1", "A2"]), context: admin) }
        _ = try await api.putField(field("level", .oneOf, options: ["A1", "A2", "B1", "B2"]), context: admin)
    }
}
