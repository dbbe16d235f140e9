import Contracts
import Digest
import Foundation
import Storage
import Synchronization
import Wire

/// G6: people's console sessions, in this gateway's file (their passwords and invites are
/// kept by contacts, with the staff, so every replica knows them). A session's token is
/// kept only as its SHA-256 digest; the sessions in force are also held in memory, so
/// checking one costs no query. Each remembers when the person's password had last changed
/// as it began: a later change (on any replica) ends it. Time comes from `now`: a test moves it.
public final class PersonSessions: Sendable {
    /// A session in force: who, with what role, and the token its writes must carry.
    struct Live: Sendable, Equatable {
        let id: Int64
        let staffID: Int64
        let role: StaffRole
        let csrfToken: String
        let createdAt: Date
        var seenAt: Date
        /// When the person's password had last changed as the session began (contacts' time).
        var passwordStamp: Int64 = 0
    }

    /// The session a request came with: its token (to end it) and what it holds.
    struct Held: Sendable {
        let token: String
        let live: Live
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
            try c.query("SELECT id, digest, staff_id, role, csrf, created_at, seen_at, password_stamp FROM person_sessions WHERE ended_at IS NULL", []) { row in
                (row.blob("digest"), Live(
                    id: row.int64("id"), staffID: row.int64("staff_id"), role: StaffRole(rawValue: row.int("role")) ?? .unspecified,
                    csrfToken: row.string("csrf"), createdAt: Self.date(row.int64("created_at")), seenAt: Self.date(row.int64("seen_at")),
                    passwordStamp: row.int64("password_stamp")))
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
    func start(staffID: Int64, role: StaffRole, passwordStamp: Int64 = 0) async throws -> (token: String, session: Live) {
        let token = "ses_" + SecureRandom.hex(32), csrf = SecureRandom.hex(32)
        let digest = SHA256.digest(token)
        let at = now()
        let ms = Self.milliseconds(at)
        let (id, ended) = try await database.write { tx -> (Int64, [[UInt8]]) in
            try tx.run(
                "INSERT INTO person_sessions (digest, staff_id, role, csrf, created_at, seen_at, password_stamp) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.blob(digest), .integer(staffID), .integer(Int64(role.rawValue)), .text(csrf), .integer(ms), .integer(ms), .integer(passwordStamp)])
            let id = tx.lastInsertRowID
            let old = try tx.query(
                "SELECT digest FROM person_sessions WHERE staff_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT -1 OFFSET ?",
                [.integer(staffID), .integer(Int64(Self.perPerson))]) { $0.blob(0) }
            for digest in old {
                try tx.run("UPDATE person_sessions SET ended_at = ?, ended_why = 'too many sessions' WHERE digest = ?", [.integer(ms), .blob(digest)])
            }
            return (id, old)
        }
        let session = Live(id: id, staffID: staffID, role: role, csrfToken: csrf, createdAt: at, seenAt: at, passwordStamp: passwordStamp)
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
}
