import Contracts
import Digest
import Foundation
import Storage
import Wire

/// API keys and staff tokens made over the API (G3), kept in the gateway's SQLite file
/// as SHA-256 digests: the secret itself is shown once, when it is made, and stored
/// nowhere. Revoking is immediate and kept (the row stays, with when).
public struct CredentialStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// A new secret: `sb_` and 32 random bytes in hex.
    public static func newSecret() -> String { "sb_" + SecureRandom.hex(32) }

    /// What is kept of a secret.
    public static func digest(of secret: String) -> [UInt8] { SHA256.digest(secret) }

    static let columns = "id, name, role, staff_id, prefix, created_at, created_by, revoked_at"

    static func credential(_ row: Row) -> Credential {
        Credential(
            id: row.int64("id"), name: row.string("name"), role: CredentialRole(rawValue: row.int("role")) ?? .unspecified,
            staffID: row.optionalInt64("staff_id"), prefix: row.string("prefix"), createdAtMilliseconds: row.int64("created_at"),
            createdBy: row.string("created_by"), revokedAtMilliseconds: row.optionalInt64("revoked_at"))
    }

    /// Stores a credential for `secret` (made by ``newSecret()``); returns it with the secret.
    public func create(_ request: CreateCredentialRequest, secret: String, by creator: String, now: Date = Date()) async throws -> Credential {
        let digest = Self.digest(of: secret)
        let prefix = String(secret.prefix(10))
        let at = Int64(now.timeIntervalSince1970 * 1000)
        return try await database.write { tx in
            try tx.run(
                "INSERT INTO credentials (digest, prefix, name, role, staff_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.blob(digest), .text(prefix), .text(request.name), .integer(Int64(request.role.rawValue)), SQLValue(request.staffID), .integer(at),
                 .text(creator)])
            var made = try tx.queryFirst("SELECT \(Self.columns) FROM credentials WHERE id = ?", [.integer(tx.lastInsertRowID)], Self.credential)!
            made.secret = secret
            return made
        }
    }

    public func list() async throws -> [Credential] {
        try await database.read { c in try c.query("SELECT \(Self.columns) FROM credentials ORDER BY id", [], Self.credential) }
    }

    /// Revokes it (a second time changes nothing); not_found for no such credential.
    public func revoke(_ id: Int64, now: Date = Date()) async throws -> Credential {
        try await database.write { tx in
            try tx.run("UPDATE credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", [.integer(Int64(now.timeIntervalSince1970 * 1000)), .integer(id)])
            guard let found = try tx.queryFirst("SELECT \(Self.columns) FROM credentials WHERE id = ?", [.integer(id)], Self.credential) else {
                throw RPCError.notFound("credential \(id) does not exist")
            }
            return found
        }
    }

    /// Revokes every credential in force of a staff member (issue 26: they left); the ids revoked.
    public func revoke(staffID: Int64, now: Date = Date()) async throws -> [Int64] {
        try await database.write { tx in
            let ids = try tx.query("SELECT id FROM credentials WHERE staff_id = ? AND revoked_at IS NULL", [.integer(staffID)]) { $0.int64(0) }
            try tx.run("UPDATE credentials SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
                       [.integer(Int64(now.timeIntervalSince1970 * 1000)), .integer(staffID)])
            return ids
        }
    }

    /// The digests of every credential in force, with what each may do.
    public func active() async throws -> [(digest: [UInt8], credential: Credential)] {
        try await database.read { c in
            try c.query("SELECT \(Self.columns), digest FROM credentials WHERE revoked_at IS NULL", []) { ($0.blob("digest"), Self.credential($0)) }
        }
    }
}
