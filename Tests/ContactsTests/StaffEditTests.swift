import ContactsService
import Contracts
import Foundation
import Storage
import Testing
import TestSupport
import Wire

/// C4 (issue 26): an admin edits a staff member and a member leaves, each change kept in
/// their history with who made it; numbers move with the edit.
@Suite struct StaffEditTests {
    static func member(_ first: String, _ role: StaffRole, extensions: [String] = [], supervisor: Int64? = nil) -> StaffMember {
        var m = StaffMember()
        m.firstName = first
        m.role = role
        m.extensions = extensions
        m.supervisorID = supervisor
        return m
    }

    @Test func d8c4AnEditChangesTheMemberKeepsTheirOwnNumbersFreeAndSaysWhatChanged() async throws {
        let folder = try temporaryFolder("staff-edit")
        let database = try Database(path: folder.appendingPathComponent("contacts.sqlite").path, migrations: ContactsSchema.migrations)
        let staff = ContactsAPI(database: database, defaultCountry: PhoneNormalizer(defaultCountry: "RU")!).staff
        let olga = try await staff.create(Self.member("Olga", .operator_, extensions: ["201"]))
        let semyon = try await staff.create(Self.member("Semyon", .seniorManager, extensions: ["300"]))
        var edit = StaffEdit(staffID: olga.id, member: Self.member("Olga", .manager, extensions: ["201", "202"], supervisor: semyon.id))
        edit.member.mobiles = ["8 916 123-45-67"]
        edit.actorID = semyon.id
        let edited = try await staff.update(edit)
        #expect(edited.role == .manager && edited.extensions == ["201", "202"] && edited.mobiles == ["+79161234567"])
        #expect(try await staff.find(byNumber: "202").id == olga.id)
        let history = try await staff.history(olga.id)
        #expect(history.changes.map(\.summary) == [
            "role operator → manager", "extensions 201 → 201, 202", "mobiles none → +79161234567", "supervisor none → \(semyon.id)",
        ])
        #expect(history.changes.allSatisfy { $0.actorID == semyon.id })
        // Someone else's number, a supervisor who is themselves, a bad mobile: refused, nothing changed.
        await #expect(throws: RPCError.self) { _ = try await staff.update(StaffEdit(staffID: olga.id, member: Self.member("Olga", .manager, extensions: ["300"]))) }
        await #expect(throws: RPCError.self) {
            _ = try await staff.update(StaffEdit(staffID: olga.id, member: Self.member("Olga", .manager, supervisor: olga.id)))
        }
        // Semyon cannot report to Olga, who reports to him: a loop.
        let loop = await #expect(throws: RPCError.self) {
            _ = try await staff.update(StaffEdit(staffID: semyon.id, member: Self.member("Semyon", .seniorManager, extensions: ["300"], supervisor: olga.id)))
        }
        #expect(loop?.details.map(\.field) == ["supervisorId"])
        #expect(try await staff.get(olga.id) == edited)
        #expect(try await staff.history(olga.id).changes.count == 4)
        await #expect(throws: RPCError.self) { _ = try await staff.history(99) }

        // She leaves without naming anyone: her supervisor takes over; her numbers are free for a newcomer.
        let left = try await staff.deactivate(DeactivateStaffRequest(staffID: olga.id))
        #expect(left.handedToID == semyon.id && left.deactivatedAtMilliseconds != nil && left.extensions.isEmpty)
        await #expect(throws: RPCError.self) { _ = try await staff.find(byNumber: "201") }
        #expect(try await staff.create(Self.member("Newcomer", .operator_, extensions: ["201"])).extensions == ["201"])
        await #expect(throws: RPCError.self) { _ = try await staff.update(StaffEdit(staffID: olga.id, member: Self.member("Olga", .manager))) }
        let events = try await database.events(after: 0, types: nil, limit: 10).events
        #expect(events.map(\.type) == [Contacts.Event.staffDeactivated])
        let payload = try StaffDeactivated(wireBytes: try #require(events.first).payload)
        #expect(payload.staffID == olga.id && payload.handToID == semyon.id)
        // A member with no supervisor needs someone named.
        let lone = try await staff.create(Self.member("Lone", .operator_))
        await #expect(throws: RPCError.self) { _ = try await staff.deactivate(DeactivateStaffRequest(staffID: lone.id)) }
    }
}
