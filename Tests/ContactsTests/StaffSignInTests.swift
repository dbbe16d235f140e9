import ContactsService
import Contracts
import Digest
import Foundation
import ServiceKit
import Storage
import Testing
import TestSupport
import RPC
import Wire

/// G6: staff's console passwords and invites, kept with the staff so every gateway replica
/// sees them: an invite works once within its time and a new one replaces it; only the
/// gateway's scrypt text is kept; a member who leaves loses both.
@Suite struct StaffSignInTests {
    static let hash = "scrypt$15$8$1$00112233445566778899aabbccddeeff$" + String(repeating: "ab", count: 32)

    @Test func g6c4AnInviteWorksOnceWithinItsTimeAndLeavingForgetsThePassword() async throws {
        let folder = try temporaryFolder("staff-sign-in")
        let time = ManualTime()
        let database = try Database(path: folder.appendingPathComponent("contacts.sqlite").path, migrations: ContactsSchema.migrations)
        let api = ContactsAPI(database: database, defaultCountry: PhoneNormalizer(defaultCountry: "RU")!, clock: .manual(time))
        var olga = StaffEditTests.member("Olga", .operator_)
        olga.email = "olga@example.com"
        let member = try await api.staff.create(olga)
        let boss = try await api.staff.create(StaffEditTests.member("Semyon", .seniorManager))
        let nameless = try await api.staff.create(StaffEditTests.member("Ivan", .operator_))
        let later = time.milliseconds + 72 * 3_600_000
        let first = SHA256.digest("inv_first"), second = SHA256.digest("inv_second")

        let noEmail = await #expect(throws: RPCError.self) {
            _ = try await api.signIn.invite(StaffInviteRequest(staffID: nameless.id, digest: first, expiresAtMilliseconds: later, createdBy: "api:admin"))
        }
        #expect(noEmail?.details.first?.field == "email")
        _ = try await api.signIn.invite(StaffInviteRequest(staffID: member.id, digest: first, expiresAtMilliseconds: later, createdBy: "api:admin"))
        _ = try await api.signIn.invite(StaffInviteRequest(staffID: member.id, digest: second, expiresAtMilliseconds: later, createdBy: "api:admin"))
        await #expect(throws: RPCError.self, "replaced") { _ = try await api.signIn.find(InviteLookup(digest: first)) }
        #expect(try await api.signIn.find(InviteLookup(digest: second)).id == member.id)
        #expect(try await api.signIn.secret(member.id).passwordHash.isEmpty)

        let notScrypt = await #expect(throws: RPCError.self) { _ = try await api.signIn.use(StaffInviteUse(digest: second, passwordHash: "plain text")) }
        #expect(notScrypt?.code == .invalidArgument, "only the gateway's hash is kept")
        time.advance(by: 60)
        #expect(try await api.signIn.use(StaffInviteUse(digest: second, passwordHash: Self.hash)).id == member.id)
        let secret = try await api.signIn.secret(member.id)
        #expect(secret.passwordHash == Self.hash && secret.changedAtMilliseconds == time.milliseconds)
        let twice = await #expect(throws: RPCError.self) { _ = try await api.signIn.use(StaffInviteUse(digest: second, passwordHash: Self.hash)) }
        #expect(twice?.code == .notFound, "once")
        let team = try await api.team(GetStaffRequest(id: member.id), context: ContactFieldTests.context(nil))
        #expect(team.passwordChangedAtMilliseconds == secret.changedAtMilliseconds, "gateways end sessions begun under an older password")

        let third = SHA256.digest("inv_third")
        _ = try await api.signIn.invite(StaffInviteRequest(staffID: member.id, digest: third, expiresAtMilliseconds: time.milliseconds + 3_600_000, createdBy: "api:admin"))
        time.advance(by: 3_600)
        await #expect(throws: RPCError.self, "lapsed") { _ = try await api.signIn.find(InviteLookup(digest: third)) }

        _ = try await api.staff.deactivate(DeactivateStaffRequest(staffID: member.id, handToID: boss.id))
        #expect(try await api.signIn.secret(member.id).passwordHash.isEmpty, "a member who left signs in no more")
        let refused = await #expect(throws: RPCError.self) {
            _ = try await api.signIn.setPassword(StaffPasswordChange(staffID: member.id, passwordHash: Self.hash))
        }
        #expect(refused?.code == .failedPrecondition)
    }
}
