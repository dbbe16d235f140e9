import Contracts
import Digest
import Foundation
import Storage
import Synchronization
import Wire

/// G6: people's console sessions, passwords and invite links, in the gateway's file. A
/// session's token and an invite's are shown once and kept only as SHA-256 digests; the
/// sessions in force are also held in memory, so checking one costs no query. Time comes
/// from `now`: a test moves it.
public final class PersonSessions: Sendable {
    /// A session in force: who, with what role, and the token its writes must carry.
    struct Live: Sendable, Equatable {
        let id: Int64
        let staffID: Int64
        let role: StaffRole
        let csrfToken: String
        let createdAt: Date
        var seenAt: Date
    }

    /// Sessions one person may hold at once; signing in past it ends their oldest.
    static let perPerson = 20

    let database: Database
    let policy: SessionPolicy
    let now: @Sendable () -> Date
    private let live = Mutex<[[UInt8]: Live]>([:])
    /// Sessions used since their `seen_at` was last written.
    private let touched = Mutex<Set<[UInt8]>>([])

    public init(database: Database, policy: SessionPolicy = SessionPolicy(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.policy = policy
        self.now = now
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// Takes the sessions in force from the file (at start).
    func load() async throws {
        let rows = try await database.read { c in
            try c.query("SELECT id, digest, staff_id, role, csrf, created_at, seen_at FROM person_sessions WHERE ended_at IS NULL", []) { row in
                (row.blob("digest"), Live(
                    id: row.int64("id"), staffID: row.int64("staff_id"), role: StaffRole(rawValue: row.int("role")) ?? .unspecified,
                    csrfToken: row.string("csrf"), createdAt: Self.date(row.int64("created_at")), seenAt: Self.date(row.int64("seen_at"))))
            }
        }
        live.withLock { all in for (digest, session) in rows { all[digest] = session } }
    }

    /// The session `token` names if it still holds, marked used now; nil otherwise (one that
    /// lapsed is forgotten here and ended in the file by the next ``flush()``).
    func session(for token: String) -> Live? {
        let digest = SHA256.digest(token)
        let at = now()
        let found = live.withLock { all -> Live? in
            guard var session = all[digest] else { return nil }
            guard policy.holds(createdAt: session.createdAt, seenAt: session.seenAt, now: at) else {
                all[digest] = nil
                return nil
            }
            session.seenAt = at
            all[digest] = session
            return session
        }
        if found != nil { _ = touched.withLock { $0.insert(digest) } }
        return found
    }

    /// Whether the session `token` names still holds, without counting this as a use
    /// (a live stream open in a tab does not keep its session from going idle).
    func holds(_ token: String) -> Bool {
        let digest = SHA256.digest(token)
        let at = now()
        return live.withLock { all in all[digest].map { policy.holds(createdAt: $0.createdAt, seenAt: $0.seenAt, now: at) } ?? false }
    }

    /// A new session for a person; the token goes in their cookie.
    func start(staffID: Int64, role: StaffRole) async throws -> (token: String, session: Live) {
        let token = "ses_" + SecureRandom.hex(32), csrf = SecureRandom.hex(32)
        let digest = SHA256.digest(token)
        let at = now()
        let ms = Self.milliseconds(at)
        let (id, ended) = try await database.write { tx -> (Int64, [[UInt8]]) in
            try tx.run(
                "INSERT INTO person_sessions (digest, staff_id, role, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                [.blob(digest), .integer(staffID), .integer(Int64(role.rawValue)), .text(csrf), .integer(ms), .integer(ms)])
            let id = tx.lastInsertRowID
            let old = try tx.query(
                "SELECT digest FROM person_sessions WHERE staff_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT -1 OFFSET ?",
                [.integer(staffID), .integer(Int64(Self.perPerson))]) { $0.blob(0) }
            for digest in old {
                try tx.run("UPDATE person_sessions SET ended_at = ?, ended_why = 'too many sessions' WHERE digest = ?", [.integer(ms), .blob(digest)])
            }
            return (id, old)
        }
        let session = Live(id: id, staffID: staffID, role: role, csrfToken: csrf, createdAt: at, seenAt: at)
        live.withLock { all in
            for digest in ended { all[digest] = nil }
            all[digest] = session
        }
        return (token, session)
    }

    /// Ends the session `token` names (sign-out); nothing when it names none.
    func end(token: String) async throws {
        let digest = SHA256.digest(token)
        live.withLock { $0[digest] = nil }
        let ms = Self.milliseconds(now())
        try await database.write { tx in
            _ = try tx.run("UPDATE person_sessions SET ended_at = ?, ended_why = 'signed out' WHERE digest = ? AND ended_at IS NULL", [.integer(ms), .blob(digest)])
        }
    }

    /// Ends every session of a person at once (they left, their password or role changed).
    func end(staffID: Int64, why: String) async throws {
        live.withLock { all in all = all.filter { $0.value.staffID != staffID } }
        let ms = Self.milliseconds(now())
        try await database.write { tx in
            try Self.end(staffID: staffID, why: why, at: ms, tx)
        }
    }

    /// Ends a person's sessions that were signed in with another role than `role` (an
    /// admin's made a manager keeps no admin session).
    func end(staffID: Int64, unlessRole role: StaffRole) async throws {
        let stale = live.withLock { all in all.contains { $0.value.staffID == staffID && $0.value.role != role } }
        if stale { try await end(staffID: staffID, why: "role changed") }
    }

    private static func end(staffID: Int64, why: String, at ms: Int64, _ tx: Transaction) throws {
        _ = try tx.run(
            "UPDATE person_sessions SET ended_at = ?, ended_why = ? WHERE staff_id = ? AND ended_at IS NULL", [.integer(ms), .text(why), .integer(staffID)])
    }

    /// Writes when sessions were last used (so a restart keeps their idle clocks) and ends
    /// in the file those that lapsed.
    func flush() async throws {
        let digests = touched.withLock { set -> Set<[UInt8]> in
            defer { set.removeAll() }
            return set
        }
        let at = now()
        let seen = live.withLock { all in digests.compactMap { d in all[d].map { (d, Self.milliseconds($0.seenAt)) } } }
        let lapsed = live.withLock { all -> [[UInt8]] in
            let gone = all.filter { !policy.holds(createdAt: $0.value.createdAt, seenAt: $0.value.seenAt, now: at) }.map(\.key)
            for digest in gone { all[digest] = nil }
            return gone
        }
        let ms = Self.milliseconds(at), idle = Int64(policy.idle * 1000), absolute = Int64(policy.absolute * 1000)
        try await database.write { tx in
            for (digest, seenAt) in seen {
                _ = try tx.run("UPDATE person_sessions SET seen_at = MAX(seen_at, ?) WHERE digest = ?", [.integer(seenAt), .blob(digest)])
            }
            for digest in lapsed {
                _ = try tx.run("UPDATE person_sessions SET ended_at = ?, ended_why = 'timed out' WHERE digest = ? AND ended_at IS NULL", [.integer(ms), .blob(digest)])
            }
            // Those that lapsed while the gateway was down.
            _ = try tx.run(
                "UPDATE person_sessions SET ended_at = ?, ended_why = 'timed out' WHERE ended_at IS NULL AND (seen_at <= ? OR created_at <= ?)",
                [.integer(ms), .integer(ms - idle), .integer(ms - absolute)])
        }
    }

    /// The sessions in force now (for metrics and tests).
    var count: Int { live.withLock { $0.count } }

    // MARK: Passwords and invites

    /// The stored hash of a person's password; nil when they have none yet.
    func passwordHash(staffID: Int64) async throws -> String? {
        try await database.read { c in
            try c.queryFirst("SELECT hash FROM person_passwords WHERE staff_id = ?", [.integer(staffID)]) { $0.string(0) }
        }
    }

    /// Keeps a new password hash for a person and ends every session of theirs.
    func setPassword(staffID: Int64, hash: String) async throws {
        live.withLock { all in all = all.filter { $0.value.staffID != staffID } }
        let ms = Self.milliseconds(now())
        try await database.write { tx in
            try tx.run(
                "INSERT INTO person_passwords (staff_id, hash, changed_at) VALUES (?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET hash = excluded.hash, changed_at = excluded.changed_at",
                [.integer(staffID), .text(hash), .integer(ms)])
            try Self.end(staffID: staffID, why: "password changed", at: ms, tx)
        }
    }

    /// Forgets a person's password (they left): an invite is needed to come back.
    func forgetPassword(staffID: Int64) async throws {
        try await database.write { tx in
            _ = try tx.run("DELETE FROM person_passwords WHERE staff_id = ?", [.integer(staffID)])
            _ = try tx.run("UPDATE person_invites SET used_at = COALESCE(used_at, ?) WHERE staff_id = ?", [.integer(Self.milliseconds(self.now())), .integer(staffID)])
        }
    }

    /// A new invite link for a person; their earlier unused ones stop working.
    func invite(staffID: Int64, by creator: String) async throws -> (token: String, expiresAt: Date) {
        let token = "inv_" + SecureRandom.hex(32)
        let at = now()
        let expires = at.addingTimeInterval(policy.inviteLifetime)
        let (ms, until) = (Self.milliseconds(at), Self.milliseconds(expires))
        try await database.write { tx in
            _ = try tx.run("UPDATE person_invites SET used_at = ? WHERE staff_id = ? AND used_at IS NULL", [.integer(ms), .integer(staffID)])
            try tx.run(
                "INSERT INTO person_invites (digest, staff_id, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?)",
                [.blob(SHA256.digest(token)), .integer(staffID), .integer(ms), .integer(until), .text(creator)])
        }
        return (token, expires)
    }

    /// The person an unused, unexpired invite is for; nil for any other token.
    func invitee(token: String) async throws -> Int64? {
        let ms = Self.milliseconds(now())
        return try await database.read { c in
            try c.queryFirst(
                "SELECT staff_id FROM person_invites WHERE digest = ? AND used_at IS NULL AND expires_at > ?", [.blob(SHA256.digest(token)), .integer(ms)]
            ) { $0.int64(0) }
        }
    }

    /// Uses the invite once: keeps the password hash and ends the person's sessions, in one
    /// transaction; false when the invite was used or lapsed in the meantime.
    func accept(token: String, staffID: Int64, hash: String) async throws -> Bool {
        live.withLock { all in all = all.filter { $0.value.staffID != staffID } }
        let ms = Self.milliseconds(now())
        return try await database.write { tx in
            let used = try tx.run(
                "UPDATE person_invites SET used_at = ? WHERE digest = ? AND staff_id = ? AND used_at IS NULL AND expires_at > ?",
                [.integer(ms), .blob(SHA256.digest(token)), .integer(staffID), .integer(ms)])
            guard used == 1 else { return false }
            try tx.run(
                "INSERT INTO person_passwords (staff_id, hash, changed_at) VALUES (?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET hash = excluded.hash, changed_at = excluded.changed_at",
                [.integer(staffID), .text(hash), .integer(ms)])
            try Self.end(staffID: staffID, why: "password changed", at: ms, tx)
            return true
        }
    }
}
