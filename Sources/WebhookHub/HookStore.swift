import Contracts
import Foundation
import JSON
import ServiceKit
import Storage
import Wire

/// A stored webhook, for the relay.
struct StoredHook: Sendable {
    let id: Int64
    let integrationID: Int64
    let kind: IntegrationKind
    let contentType: String
    let body: [UInt8]
    let origin: String
    let attempts: Int
    /// B3: what its integration says a paid payment opens.
    var paymentOpens: PaymentOpens = .unspecified
}

/// G2's durable intake: every authenticated hook is a row in the gateway's SQLite file
/// (body and headers as received) before its 2xx, and stays there, with what became of
/// it, until retention removes delivered ones.
public struct HookStore: Sendable {
    let database: Database

    /// Stores one hook; returns its id once the commit is done (the caller answers 2xx then).
    func store(integrationID: Int64, contentType: String, headers: [(name: String, value: String)], body: [UInt8], origin: String, now: Date = Date()) async throws -> Int64 {
        var out = JSONOutput(capacity: 256)
        out.beginObject()
        for (name, value) in headers where !Self.secretHeaders.contains(name.lowercased()) {
            out.key(dynamic: name.lowercased())
            out.string(value)
        }
        out.endObject()
        let headerText = String(decoding: out.bytes, as: UTF8.self)
        let at = Int64(now.timeIntervalSince1970 * 1000)
        return try await database.write { tx in
            try tx.run(
                "INSERT INTO hooks (integration_id, received_at, content_type, headers, body, origin, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.integer(integrationID), .integer(at), .text(contentType), .text(headerText), .blob(body), .text(origin), .integer(Int64(HookStatus.pending.rawValue))])
            return tx.lastInsertRowID
        }
    }

    /// Headers not kept with a hook: credentials of ours or of the caller.
    static let secretHeaders: Set<String> = ["authorization", "cookie", "proxy-authorization"]

    /// Pending hooks, oldest first.
    func pending(afterID: Int64, limit: Int) async throws -> [StoredHook] {
        try await database.read { c in
            try c.query(
                """
                SELECT h.id, h.integration_id, i.kind, i.payment_opens, h.content_type, h.body, h.origin, h.attempts FROM hooks h JOIN integrations i ON i.id = h.integration_id
                WHERE h.status = ? AND h.id > ? ORDER BY h.id LIMIT ?
                """,
                [.integer(Int64(HookStatus.pending.rawValue)), .integer(afterID), .integer(Int64(limit))]
            ) {
                StoredHook(
                    id: $0.int64("id"), integrationID: $0.int64("integration_id"), kind: IntegrationKind(rawValue: $0.int("kind")) ?? .unspecified,
                    contentType: $0.string("content_type"), body: $0.blob("body"), origin: $0.string("origin"), attempts: $0.int("attempts"),
                    paymentOpens: PaymentOpens(rawValue: $0.int("payment_opens")) ?? .unspecified)
            }
        }
    }

    func delivered(_ ids: [Int64], now: Date = Date()) async throws {
        try await update(ids, "status = ?, attempts = attempts + 1, last_error = '', delivered_at = ?",
            [.integer(Int64(HookStatus.delivered.rawValue)), .integer(Int64(now.timeIntervalSince1970 * 1000))])
    }

    /// They cannot be translated or the service refused them: kept with the reason.
    func failed(_ ids: [Int64], reason: String) async throws {
        try await update(ids, "status = ?, attempts = attempts + 1, last_error = ?",
            [.integer(Int64(HookStatus.failed.rawValue)), .text(String(reason.prefix(2000)))])
    }

    /// The service could not be reached this time: they stay pending.
    func attemptFailed(_ ids: [Int64], reason: String) async throws {
        try await update(ids, "attempts = attempts + 1, last_error = ?", [.text(String(reason.prefix(2000)))])
    }

    private func update(_ ids: [Int64], _ assignments: String, _ values: [SQLValue]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await database.write { tx in
            for id in ids { try tx.run("UPDATE hooks SET \(assignments) WHERE id = ?", values + [.integer(id)]) }
        }
    }

    /// Puts a failed, discarded or delivered hook back in line; it goes after those waiting.
    public func replay(_ id: Int64) async throws -> Hook {
        try await database.write { tx in
            try tx.run("UPDATE hooks SET status = ? WHERE id = ?", [.integer(Int64(HookStatus.pending.rawValue)), .integer(id)])
            guard let hook = try tx.queryFirst(Self.select + " WHERE h.id = ?", [.integer(id)], Self.hook) else {
                throw RPCError.notFound("hook \(id) does not exist")
            }
            return hook
        }
    }

    /// G2 (issue 22 item 12): gives up on a failed hook — no service takes its kind, or it
    /// is wrong for good. It stays, with who, when and why (a replay still brings it back);
    /// a pending or delivered one is not the admin's to discard (failed_precondition).
    public func discard(_ id: Int64, by actor: String, reason: String, now: Date = Date()) async throws -> Hook {
        try await database.write { tx in
            guard let hook = try tx.queryFirst(Self.select + " WHERE h.id = ?", [.integer(id)], Self.hook) else {
                throw RPCError.notFound("hook \(id) does not exist")
            }
            if hook.status == .discarded { return hook }
            guard hook.status == .failed else {
                throw RPCError(.failedPrecondition, "hook \(id) is \(hook.status.name): only a failed hook is discarded")
            }
            try tx.run("UPDATE hooks SET status = ?, discarded_by = ?, discarded_at = ?, discard_reason = ? WHERE id = ?",
                [.integer(Int64(HookStatus.discarded.rawValue)), .text(actor), .integer(Int64(now.timeIntervalSince1970 * 1000)), .text(reason), .integer(id)])
            return try tx.queryFirst(Self.select + " WHERE h.id = ?", [.integer(id)], Self.hook)!
        }
    }

    public func get(_ id: Int64) async throws -> Hook? {
        try await database.read { c in try c.queryFirst(Self.select + " WHERE h.id = ?", [.integer(id)], Self.hook) }
    }

    public func list(_ request: ListHooksRequest) async throws -> HookList {
        let page = try PageRequest(size: request.pageSize, cursor: request.cursor, default: 100, maximum: 500)
        var sql = Self.select + " WHERE h.id > ?"
        var values: [SQLValue] = [.integer(page.afterID)]
        if !request.integration.isEmpty {
            sql += " AND i.name = ?"
            values.append(.text(request.integration))
        }
        if request.status != .unspecified {
            sql += " AND h.status = ?"
            values.append(.integer(Int64(request.status.rawValue)))
        }
        sql += " ORDER BY h.id LIMIT ?"
        values.append(.integer(Int64(page.limit + 1)))
        let query = sql
        let bound = values
        let fetched = try await database.read { c in try c.query(query, bound, Self.hook) }
        let (items, next) = page.page(fetched, id: \.id)
        return HookList(hooks: items, nextCursor: next)
    }

    /// C8: the hooks whose body or headers hold one of `needles` (a person's phones and
    /// emails), oldest first, at most `limit`: what the gateway keeps about them.
    public func naming(_ needles: [String], limit: Int) async throws -> [Hook] {
        let body = Database.condition(holding: needles, in: "h.body"), headers = Database.condition(holding: needles, in: "h.headers")
        return try await database.read { c in
            try c.query(
                Self.select + " WHERE \(body.sql) OR \(headers.sql) ORDER BY h.id LIMIT ?", body.values + headers.values + [.integer(Int64(limit))], Self.hook)
        }
    }

    /// Removes delivered hooks received before `cutoff`; pending and failed ones stay
    /// whatever their age (they are not done). Returns how many went.
    func prune(deliveredBefore cutoff: Date) async throws -> Int {
        try await database.write { tx in
            try tx.run(
                "DELETE FROM hooks WHERE status = ? AND received_at < ?",
                [.integer(Int64(HookStatus.delivered.rawValue)), .integer(Int64(cutoff.timeIntervalSince1970 * 1000))])
        }
    }

    /// How many wait, for /metrics.
    func counts() async throws -> (pending: Int, failed: Int) {
        try await database.read { c in
            try c.queryFirst(
                "SELECT SUM(status = ?), SUM(status = ?) FROM hooks",
                [.integer(Int64(HookStatus.pending.rawValue)), .integer(Int64(HookStatus.failed.rawValue))]
            ) { ($0.optionalInt64(0).map(Int.init) ?? 0, $0.optionalInt64(1).map(Int.init) ?? 0) } ?? (0, 0)
        }
    }

    static let select = """
        SELECT h.id, i.name, i.kind, h.received_at, h.status, h.attempts, h.last_error, h.delivered_at, h.content_type, h.body, h.origin,
            h.discarded_by, h.discarded_at, h.discard_reason
        FROM hooks h JOIN integrations i ON i.id = h.integration_id
        """

    static func hook(_ row: Row) -> Hook {
        Hook(
            id: row.int64("id"), integration: row.string("name"), kind: IntegrationKind(rawValue: row.int("kind")) ?? .unspecified,
            receivedAtMilliseconds: row.int64("received_at"), status: HookStatus(rawValue: row.int("status")) ?? .unspecified,
            attempts: row.int64("attempts"), lastError: row.string("last_error"), deliveredAtMilliseconds: row.optionalInt64("delivered_at"),
            contentType: row.string("content_type"), body: String(decoding: row.blob("body"), as: UTF8.self), origin: row.string("origin"),
            discardedBy: row.string("discarded_by"), discardedAtMilliseconds: row.optionalInt64("discarded_at"), discardReason: row.string("discard_reason"))
    }
}
