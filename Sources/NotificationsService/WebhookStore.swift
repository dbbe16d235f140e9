import Contracts
import Foundation
import ServiceKit
import Sockets
import Storage
import Wire

/// Outbound webhooks (N1): endpoints that take event types, and one delivery per event and
/// endpoint, keyed on its `webhook-id` (the event's id): a redelivered event or a replay
/// never makes a second one.
public struct WebhookStore: Sendable {
    let database: Database
    let clock: WallClock
    /// Where an endpoint may be.
    let outbound: OutboundPolicy

    public init(database: Database, clock: WallClock, outbound: OutboundPolicy) {
        self.database = database
        self.clock = clock
        self.outbound = outbound
    }

    public func create(_ input: WebhookSubscription) async throws -> WebhookSubscription {
        try Self.check(input, outbound)
        let now = clock.milliseconds
        let secret = WebhookSignature.newSecret()
        return try await database.write { tx in
            var s = input
            s.secret = ""
            s.createdAtMilliseconds = now
            try tx.run("INSERT INTO subscriptions (secret, subscription) VALUES (?, ?)", [.text(secret), .blob([])])
            s.id = tx.lastInsertRowID
            try tx.run("UPDATE subscriptions SET subscription = ? WHERE id = ?", [.blob(s.wireBytes()), .integer(s.id)])
            s.secret = secret
            return s
        }
    }

    static func check(_ s: WebhookSubscription, _ outbound: OutboundPolicy) throws(RPCError) {
        var v: [FieldViolation] = []
        if let problem = outbound.refusal(url: s.url) { v.append(FieldViolation(field: "url", description: problem)) }
        for (i, t) in s.eventTypes.enumerated() where t != "*" && EventCatalog.byType[t] == nil {
            v.append(FieldViolation(field: "eventTypes[\(i)]", description: "\(t) is not an event type notifications takes"))
        }
        if s.eventTypes.isEmpty { v.append(FieldViolation(field: "eventTypes", description: "name at least one (or *)")) }
        guard v.isEmpty else { throw RPCError.invalidArgument("the subscription is not valid", details: v) }
    }

    public func update(_ input: WebhookSubscription) async throws -> WebhookSubscription {
        try Self.check(input, outbound)
        return try await database.write { tx in
            guard let old = try Self.load(tx.connection, input.id) else { throw RPCError.notFound("subscription \(input.id) does not exist") }
            var s = input
            s.secret = ""
            s.createdAtMilliseconds = old.createdAtMilliseconds
            // Re-enabled: its failures are forgotten; still disabled: it stays so.
            s.failingSinceMilliseconds = s.disabled ? old.failingSinceMilliseconds : nil
            s.disabledAtMilliseconds = s.disabled ? old.disabledAtMilliseconds ?? nil : nil
            try tx.run("UPDATE subscriptions SET subscription = ? WHERE id = ?", [.blob(s.wireBytes()), .integer(s.id)])
            return s
        }
    }

    public func list() async throws -> WebhookSubscriptionList {
        try await database.read { c in WebhookSubscriptionList(subscriptions: try c.query("SELECT subscription FROM subscriptions ORDER BY id", []) { try WebhookSubscription(wireBytes: $0.blob(0)) }) }
    }

    static func load(_ c: Connection, _ id: Int64) throws -> WebhookSubscription? {
        try c.queryFirst("SELECT subscription FROM subscriptions WHERE id = ?", [.integer(id)]) { try WebhookSubscription(wireBytes: $0.blob(0)) }
    }

    /// A delivery for every enabled endpoint that takes `eventType`, inside the event's transaction.
    static func enqueue(_ tx: Transaction, eventID: String, eventType: String, payload: [UInt8], at now: Int64) throws {
        let subscriptions = try tx.query("SELECT subscription FROM subscriptions", []) { try WebhookSubscription(wireBytes: $0.blob(0)) }
        for s in subscriptions where !s.disabled && (s.eventTypes.contains(eventType) || s.eventTypes.contains("*")) {
            var d = WebhookDelivery(messageID: "msg_\(eventID)", subscriptionID: s.id, eventType: eventType, status: .pending, nextAttemptAtMilliseconds: now, createdAtMilliseconds: now)
            let inserted = try tx.run(
                "INSERT OR IGNORE INTO deliveries (subscription_id, message_id, status, next_at, created_at, payload, delivery) VALUES (?, ?, 1, ?, ?, ?, ?)",
                [.integer(s.id), .text(d.messageID), .integer(now), .integer(now), .blob(payload), .blob([])])
            guard inserted > 0 else { continue }
            d.id = tx.lastInsertRowID
            try save(tx, d)
            tx.touch(EventIntake.deliveriesTopic)
        }
    }

    static func save(_ tx: Transaction, _ d: WebhookDelivery) throws {
        var kept = d
        kept.payload = ""
        if kept.attempts.count > 20 { kept.attempts.removeFirst(kept.attempts.count - 20) }
        try tx.run("UPDATE deliveries SET status = ?, next_at = ?, delivery = ? WHERE id = ?",
            [.integer(Int64(kept.status.rawValue)), SQLValue(kept.nextAttemptAtMilliseconds), .blob(kept.wireBytes()), .integer(kept.id)])
    }

    static func delivery(_ row: Row) throws -> WebhookDelivery {
        var d = try WebhookDelivery(wireBytes: row.blob("delivery"))
        d.payload = String(decoding: row.blob("payload"), as: UTF8.self)
        return d
    }

    public func deliveries(_ r: ListDeliveriesRequest) async throws -> WebhookDeliveryList {
        let limit = r.pageSize == 0 ? 100 : Int(r.pageSize)
        var sql = "SELECT delivery, payload FROM deliveries WHERE id < ?"
        var values: [SQLValue] = [.integer(r.beforeID ?? Int64.max)]
        if let s = r.subscriptionID { sql += " AND subscription_id = ?"; values.append(.integer(s)) }
        if r.status != .unspecified { sql += " AND status = ?"; values.append(.integer(Int64(r.status.rawValue))) }
        sql += " ORDER BY id DESC LIMIT ?"
        values.append(.integer(Int64(limit)))
        return try await database.read { [sql, values] c in WebhookDeliveryList(deliveries: try c.query(sql, values, Self.delivery)) }
    }

    /// Again now, same webhook-id; its attempts so far stay in the log.
    public func replay(_ id: Int64) async throws -> WebhookDelivery {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard var d = try tx.queryFirst("SELECT delivery, payload FROM deliveries WHERE id = ?", [.integer(id)], Self.delivery) else {
                throw RPCError.notFound("delivery \(id) does not exist")
            }
            guard let s = try Self.load(tx.connection, d.subscriptionID), !s.disabled else {
                throw RPCError(.failedPrecondition, "its endpoint is disabled; enable it first (PUT /v1/webhook-subscriptions/\(d.subscriptionID) with disabled false)")
            }
            d.status = .pending
            d.nextAttemptAtMilliseconds = now
            try Self.save(tx, d)
            tx.touch(EventIntake.deliveriesTopic)
            return d
        }
    }

    public func replay(_ r: ReplayPeriodRequest) async throws -> ReplayPeriodResult {
        guard r.toMilliseconds > r.fromMilliseconds, r.toMilliseconds - r.fromMilliseconds <= 31 * 86_400_000 else {
            throw RPCError.invalidArgument("a period ends after it starts, at most 31 days later", details: [FieldViolation(field: "to", description: "is not within 31 days after from")])
        }
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let s = try Self.load(tx.connection, r.subscriptionID) else { throw RPCError.notFound("subscription \(r.subscriptionID) does not exist") }
            guard !s.disabled else { throw RPCError(.failedPrecondition, "subscription \(s.id) is disabled; enable it first") }
            let rows = try tx.query(
                "SELECT delivery, payload FROM deliveries WHERE subscription_id = ? AND created_at >= ? AND created_at < ? AND status != 1",
                [.integer(s.id), .integer(r.fromMilliseconds), .integer(r.toMilliseconds)], Self.delivery)
            for var d in rows {
                d.status = .pending
                d.nextAttemptAtMilliseconds = now
                try Self.save(tx, d)
            }
            if !rows.isEmpty { tx.touch(EventIntake.deliveriesTopic) }
            return ReplayPeriodResult(replayed: Int64(rows.count))
        }
    }
}
