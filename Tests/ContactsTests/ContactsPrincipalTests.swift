import Contracts
import RPC
import ServiceKit
import Testing
import TestSupport
import Wire

/// G3 in contacts itself (issue 24 item 4): a read that does not say what its caller sees
/// answers what the call's principal sees: the contacts their team is responsible for and
/// the shared pool nobody is; everything for admins and for other services.
@Suite struct ContactsPrincipalTests {
    static let admin = Principal(role: "admin", visibility: nil)
    static let manager = Principal(role: "staff", staffID: 1, visibility: Visibility(restricted: true, staffIDs: [1, 2]))
    static let operatorThree = Principal(role: "staff", staffID: 3, visibility: Visibility(restricted: true, staffIDs: [3]))

    /// Whom each sees, by responsible (0: nobody's, the shared pool).
    static let table: [(name: String, principal: Principal?, sees: Set<Int64>)] = [
        ("admin", admin, [0, 1, 2]), ("manager of 1 and 2", manager, [0, 1, 2]), ("operator 3", operatorThree, [0]), ("another service", nil, [0, 1, 2]),
    ]

    @Test(arguments: table.indices) func g3ReadsAnswerWhatThePrincipalSees(_ row: Int) async throws {
        let (name, principal, sees) = Self.table[row]
        let f = try await ContactsFixture.start()
        for (i, member) in ["Anna", "Boris", "Vera"].enumerated() {
            var staff = StaffMember()
            staff.firstName = member
            staff.role = .manager
            staff.extensions = ["10\(i + 1)"]
            #expect(try await f.client.call(Contacts.createStaff, staff).id == Int64(i + 1))
        }
        var ids: [Int64: Int64] = [:]
        for owner in [Int64(0), 1, 2] {
            var draft = ContactDraft()
            draft.firstName = "Client"
            draft.lastName = "of \(owner)"
            draft.responsibleID = owner == 0 ? nil : owner
            ids[owner] = try await f.client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft)).contact.id
        }
        let options = CallOptions.acting(for: principal)
        let visible = Set(sees.compactMap { ids[$0] })
        let wrong = await VisibilityProbe.mismatches(ids.values, visible: visible) {
            _ = try await f.client.call(Contacts.get, GetContactRequest(id: $0), options: options)
        }
        #expect(wrong.isEmpty, "\(name): get \(wrong)")
        let batch = try await f.client.call(Contacts.getContacts, GetContactsRequest(ids: Array(ids.values).sorted()), options: options)
        #expect(Set(batch.contacts.map(\.id)) == visible, "\(name): getContacts")
        let found = try await f.client.call(Contacts.search, SearchContactsRequest(namePrefix: "Client"), options: options)
        #expect(Set(found.contacts.map(\.id)) == visible, "\(name): search")
        try await f.stop()
    }
}
