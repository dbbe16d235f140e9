import Contracts
import ServiceKit
import Storage
import Wire

/// G6: how staff sign in to the console, kept with the staff (C4) so every gateway replica
/// sees the same: their password as the gateway hashed it (scrypt; no password ever
/// reaches this service) and their one-time invites as digests of the tokens. Only an
/// active member gets either; a member who leaves loses both (``StaffStore/deactivate(_:)``).
public struct StaffSignIn: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func secret(_ staffID: Int64) async throws -> StaffSecret {
        try await database.read { c in
            guard try StaffStore.exists(c, staffID) else { throw RPCError.notFound("staff member \(staffID) does not exist") }
            return try c.queryFirst("SELECT hash, changed_at FROM staff_passwords WHERE staff_id = ?", [.integer(staffID)]) {
                StaffSecret(staffID: staffID, passwordHash: $0.string(0), changedAtMilliseconds: $0.int64(1))
            } ?? StaffSecret(staffID: staffID)
        }
    }

    public func setPassword(_ change: StaffPasswordChange) async throws -> StaffSecret {
        let now = clock.milliseconds
        try Self.checkHash(change.passwordHash)
        try await database.write { tx in
            _ = try Self.active(tx.connection, change.staffID)
            try Self.keep(tx, staffID: change.staffID, hash: change.passwordHash, at: now)
        }
        return StaffSecret(staffID: change.staffID, passwordHash: change.passwordHash, changedAtMilliseconds: now)
    }

    public func invite(_ request: StaffInviteRequest) async throws -> StaffMember {
        let now = clock.milliseconds
        guard request.digest.count == 32 else { throw RPCError.invalidArgument("an invite is named by its token's SHA-256", details: [FieldViolation(field: "digest", description: "is \(request.digest.count) bytes")]) }
        guard request.expiresAtMilliseconds > now else { throw RPCError.invalidArgument("an invite must end after now", details: [FieldViolation(field: "expiresAtMilliseconds", description: "is past")]) }
        return try await database.write { tx in
            let member = try Self.active(tx.connection, request.staffID)
            guard !member.email.isEmpty else {
                throw RPCError.invalidArgument("staff member \(member.id) has no email, which they would sign in with",
                                               details: [FieldViolation(field: "email", description: "is empty; set it with PUT /v1/staff/\(member.id)")])
            }
            try tx.run("UPDATE staff_invites SET used_at = ? WHERE staff_id = ? AND used_at IS NULL", [.integer(now), .integer(member.id)])
            try tx.run("INSERT INTO staff_invites (digest, staff_id, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?)",
                       [.blob(request.digest), .integer(member.id), .integer(now), .integer(request.expiresAtMilliseconds), .text(request.createdBy)])
            return member
        }
    }

    public func find(_ lookup: InviteLookup) async throws -> StaffMember {
        let now = clock.milliseconds
        return try await database.read { c in
            guard let id = try c.queryFirst(
                "SELECT staff_id FROM staff_invites WHERE digest = ? AND used_at IS NULL AND expires_at > ?", [.blob(lookup.digest), .integer(now)], { $0.int64(0) }),
                let member = try StaffStore.load(c, id: id), member.deactivatedAtMilliseconds == nil
            else { throw Self.invalid }
            return member
        }
    }

    public func use(_ use: StaffInviteUse) async throws -> StaffMember {
        let now = clock.milliseconds
        try Self.checkHash(use.passwordHash)
        return try await database.write { tx in
            guard let id = try tx.queryFirst(
                "SELECT staff_id FROM staff_invites WHERE digest = ? AND used_at IS NULL AND expires_at > ?", [.blob(use.digest), .integer(now)], { $0.int64(0) }),
                let member = try StaffStore.load(tx.connection, id: id), member.deactivatedAtMilliseconds == nil
            else { throw Self.invalid }
            try tx.run("UPDATE staff_invites SET used_at = ? WHERE digest = ?", [.integer(now), .blob(use.digest)])
            try Self.keep(tx, staffID: id, hash: use.passwordHash, at: now)
            return member
        }
    }

    /// What a member who leaves loses, in the deactivation's transaction.
    static func forget(_ tx: Transaction, staffID: Int64, at now: Int64) throws {
        try tx.run("DELETE FROM staff_passwords WHERE staff_id = ?", [.integer(staffID)])
        try tx.run("UPDATE staff_invites SET used_at = COALESCE(used_at, ?) WHERE staff_id = ?", [.integer(now), .integer(staffID)])
    }

    static let invalid = RPCError.notFound("this invite link is not valid: it was used, replaced or has expired; ask an admin for a new one")

    private static func keep(_ tx: Transaction, staffID: Int64, hash: String, at now: Int64) throws {
        try tx.run(
            "INSERT INTO staff_passwords (staff_id, hash, changed_at) VALUES (?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET hash = excluded.hash, changed_at = excluded.changed_at",
            [.integer(staffID), .text(hash), .integer(now)])
    }

    private static func active(_ c: Connection, _ staffID: Int64) throws -> StaffMember {
        guard let member = try StaffStore.load(c, id: staffID) else { throw RPCError.notFound("staff member \(staffID) does not exist") }
        guard member.deactivatedAtMilliseconds == nil else { throw RPCError(.failedPrecondition, "staff member \(staffID) was deactivated: they cannot sign in") }
        return member
    }

    /// Only what the gateway makes is kept: a self-describing scrypt text, bounded.
    private static func checkHash(_ hash: String) throws {
        guard hash.hasPrefix("scrypt$"), hash.utf8.count <= 300, hash.split(separator: "$").count == 6 else {
            throw RPCError.invalidArgument("a password is kept as the gateway's scrypt text", details: [FieldViolation(field: "passwordHash", description: "is not one")])
        }
    }
}
