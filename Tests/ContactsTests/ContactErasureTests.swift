import ContactsService
import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Testing
import TestSupport
import Wire

/// C8 in contacts: an erased person's record keeps no name, phone, email or field; the
/// contacts merged into them go too; and their phone or email in something that happened
/// before the erasure (an old hook sent again) does not bring them back, while the person
/// coming back afterwards does.
@Suite struct ContactErasureTests {
    static let service = ServerContext(method: "test", metadata: Metadata(), deadline: nil, peer: "test", requestID: 1)

    @Test func c8AnErasedPersonIsAnonymousAndAnOldHookDoesNotBringThemBackButTheyMayComeBack() async throws {
        let folder = try temporaryFolder("contact-erasure")
        let database = try Database(path: folder.appendingPathComponent("contacts.sqlite").path, migrations: ContactsSchema.migrations)
        let time = ManualTime()
        let clock = WallClock.manual(time)
        let api = ContactsAPI(database: database, defaultCountry: PhoneNormalizer(defaultCountry: "RU")!, clock: clock)
        func person(_ first: String, _ phone: String, _ email: String = "", at occurred: Int64? = nil) -> MatchOrCreateRequest {
            var draft = ContactDraft()
            (draft.firstName, draft.lastName, draft.phones, draft.company) = (first, "Kvashnina", [phone], "Okna LLC")
            if !email.isEmpty { draft.emails = [email] }
            draft.customFields = []
            return MatchOrCreateRequest(draft: draft, occurredAtMilliseconds: occurred)
        }
        let zinaida = try await api.matchOrCreate(person("Zinaida", "+79165557001", "z@example.com"), context: Self.service).contact
        let twin = try await api.matchOrCreate(person("Zina", "+79165557009"), context: Self.service).contact
        _ = try await api.merge(MergeContactsRequest(survivorID: zinaida.id, mergedID: twin.id, mergedBy: "api:admin"), context: Self.service)
        let other = try await api.matchOrCreate(person("Oleg", "+79165557002"), context: Self.service).contact

        let erasedAt = clock.milliseconds
        let request = ErasePersonRequest(contactID: zinaida.id, phones: ["+79165557001"], emails: ["z@example.com"], erasedAtMilliseconds: erasedAt)
        let report = try await api.erasePerson(request, context: Self.service)
        #expect(report.erased.first { $0.kind == "contacts" }?.count == 2, "the contact and the one merged into it: \(report)")
        let kept = try await api.get(GetContactRequest(id: zinaida.id, includeDeleted: true), context: Self.service)
        #expect(kept.firstName.isEmpty && kept.lastName.isEmpty && kept.company.isEmpty && kept.phones.isEmpty && kept.emails.isEmpty)
        #expect(kept.deleted && kept.erasedAtMilliseconds == erasedAt)
        #expect(try await api.get(GetContactRequest(id: twin.id, includeDeleted: true), context: Self.service).firstName.isEmpty)
        #expect(try await api.get(GetContactRequest(id: other.id), context: Self.service).firstName == "Oleg")
        // Asked again (a resumed erasure): nothing more to do, nothing fails.
        #expect(try await api.erasePerson(request, context: Self.service).erased.isEmpty)

        // A call from before the erasure, reported again: refused, with the field deals recognises.
        let refusal = await #expect(throws: RPCError.self) {
            _ = try await api.matchOrCreate(person("Zinaida", "8 916 555-70-01", at: erasedAt - 60_000), context: Self.service)
        }
        #expect(refusal?.code == .invalidArgument && refusal?.details.first?.field == ErasePersonRequest.refusedField)
        // The merged contact's number too, and her email.
        await #expect(throws: RPCError.self) { _ = try await api.matchOrCreate(person("Zina", "+79165557009", at: erasedAt), context: Self.service) }
        await #expect(throws: RPCError.self) { _ = try await api.matchOrCreate(person("Z", "+79165550000", "z@example.com", at: erasedAt), context: Self.service) }
        // She calls again after it, or fills a form (no time of its own): a new contact, nothing of the old one.
        let back = try await api.matchOrCreate(person("Zinaida", "+79165557001", at: erasedAt + 1), context: Self.service)
        #expect(back.created && back.contact.id != zinaida.id)
        let form = try await api.matchOrCreate(person("Zinaida", "+79165557009"), context: Self.service)
        #expect(form.created)
        // A file moving in from the old CRM is the past: her row is refused; a live change of it happens now.
        func row(_ phone: String) -> ImportRow { ImportRow(contact: ImportedContact(externalID: "amo-\(phone)", firstName: "Zinaida", phones: [phone])) }
        let imported = try await api.importRecords(ImportBatch(source: "amocrm", rows: [row("+79165557001"), row("+79165557003")]), context: Self.service)
        #expect(imported.outcomes.map(\.result) == [.refused, .created], "\(imported)")
        #expect(imported.outcomes.first?.problems.first?.field == "contact.\(ErasePersonRequest.refusedField)")
        try await database.close()
    }
}
