import FoundationEssentials

/// The outbox (P2), read for its relay. Where its pieces are:
/// - written: ``Transaction/appendEvent(type:aggregateID:payload:at:)``, in the
///   transaction of the change it reports;
/// - read and acknowledged: here (what a subscriber gets next, how far it got);
/// - delivered: ServiceKit's `OutboxRelay`, one per subscriber (`Subscription`);
/// - received: ServiceKit's `EventInbox` (the `inbox` table, an event applied once);
/// - pruned: ServiceKit's `EventRetention`;
/// - on the wire: Protocols/PROTOCOL.md §8a.
extension Database {
    /// Events after `sequence` whose type is in `types` (all types when nil), oldest
    /// first: what the relay sends a subscriber next. `scannedThrough` is how far the
    /// outbox was read, so a subscriber of rare types does not rescan the common ones.
    public func events(after sequence: Int64, types: Set<String>?, limit: Int) async throws -> OutboxPage {
        try await read { connection in
            // Types are filtered here rather than in SQL: a subscriber takes a handful.
            var found: [OutboxEvent] = []
            var after = sequence
            var scanned = sequence
            scan: while found.count < limit {
                let page = try connection.query(
                    "SELECT sequence, event_id, event_type, aggregate_id, payload, created_at, traceparent FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?",
                    [.integer(after), .integer(Int64(limit * 4))]
                ) { row in
                    OutboxEvent(
                        sequence: row.int64(0), eventID: row.string(1), type: row.string(2), aggregateID: row.string(3),
                        payload: row.blob(4), createdAtMilliseconds: row.int64(5), traceparent: row.string(6))
                }
                for event in page {
                    scanned = event.sequence
                    guard types?.contains(event.type) ?? true else { continue }
                    found.append(event)
                    if found.count == limit { break scan }
                }
                guard let last = page.last, page.count == limit * 4 else { break }
                after = last.sequence
            }
            return OutboxPage(events: found, scannedThrough: scanned)
        }
    }

    /// The outbox's last sequence ever given (kept by AUTOINCREMENT after pruning): where
    /// a reader that wants only what comes next starts.
    public func lastOutboxSequence() async throws -> Int64 {
        try await read { connection in
            try connection.queryFirst("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") { $0.int64(0) } ?? 0
        }
    }

    /// The last sequence delivered to `subscriber` (0 before the first delivery).
    public func deliveredThrough(subscriber: String) async throws -> Int64 {
        try await read { connection in
            try connection.queryFirst("SELECT delivered_through FROM outbox_cursor WHERE subscriber = ?", [.text(subscriber)]) {
                $0.int64(0)
            } ?? 0
        }
    }

    /// Records that `subscriber` acknowledged every event through `sequence`.
    public func markDelivered(subscriber: String, through sequence: Int64) async throws {
        _ = try await write { transaction in
            try transaction.run(
                """
                INSERT INTO outbox_cursor (subscriber, delivered_through) VALUES (?, ?)
                ON CONFLICT (subscriber) DO UPDATE SET delivered_through = max(delivered_through, excluded.delivered_through)
                """, [.text(subscriber), .integer(sequence)])
        }
    }

    /// Deletes outbox events through `sequence` committed before `time`; returns how many.
    @discardableResult
    public func pruneOutbox(through sequence: Int64, committedBefore time: Date) async throws -> Int {
        try await write { transaction in
            try transaction.run(
                "DELETE FROM outbox WHERE sequence <= ? AND created_at < ?",
                [.integer(sequence), .integer(Int64(time.timeIntervalSince1970 * 1000))])
        }
    }

    /// Forgets inbox records received before `time`; returns how many.
    @discardableResult
    public func pruneInbox(receivedBefore time: Date) async throws -> Int {
        try await write { transaction in
            try transaction.run("DELETE FROM inbox WHERE received_at < ?", [.integer(Int64(time.timeIntervalSince1970 * 1000))])
        }
    }

    /// The oldest undelivered events, for the relay.
    public func pendingEvents(limit: Int) async throws -> [OutboxEvent] {
        try await read { connection in
            try connection.query(
                "SELECT sequence, event_id, event_type, aggregate_id, payload, created_at FROM outbox ORDER BY sequence LIMIT ?",
                [.integer(Int64(limit))]
            ) { row in
                OutboxEvent(
                    sequence: row.int64(0), eventID: row.string(1), type: row.string(2), aggregateID: row.string(3),
                    payload: row.blob(4), createdAtMilliseconds: row.int64(5))
            }
        }
    }


    // MARK: Parked events

    /// Holds events for `subscriber`: refused ones (with the status it answered) and those
    /// waiting behind an earlier refused event of their aggregate. A second park of the
    /// same event counts an attempt.
    public func park(subscriber: String, _ events: [ParkedOutboxEvent], now: Date) async throws {
        guard !events.isEmpty else { return }
        let at = Int64(now.timeIntervalSince1970 * 1000)
        _ = try await write { tx in
            for p in events {
                try tx.run(
                    """
                    INSERT INTO outbox_parked (subscriber, sequence, event_id, event_type, aggregate_id, payload, created_at, code, message,
                        held_behind, attempts, parked_at, last_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                    ON CONFLICT (subscriber, event_id) DO UPDATE SET code = excluded.code, message = excluded.message,
                        held_behind = excluded.held_behind, attempts = attempts + 1, last_attempt_at = excluded.last_attempt_at
                    """,
                    [.text(subscriber), .integer(p.event.sequence), .text(p.event.eventID), .text(p.event.type), .text(p.event.aggregateID),
                     .blob(p.event.payload), .integer(p.event.createdAtMilliseconds), .integer(Int64(p.code)), .text(String(p.message.prefix(2000))),
                     .text(p.heldBehind), .integer(at), .integer(at)])
            }
        }
    }

    /// The aggregates with events held for `subscriber`: their later events wait too.
    public func parkedAggregates(subscriber: String) async throws -> Set<String> {
        Set(try await read { c in
            try c.query("SELECT DISTINCT aggregate_id FROM outbox_parked WHERE subscriber = ?", [.text(subscriber)]) { $0.string(0) }
        })
    }

    static let parkedColumns = """
        id, subscriber, sequence, event_id, event_type, aggregate_id, payload, created_at, code, message, held_behind, attempts, parked_at,
        last_attempt_at
        """

    /// Held events by id, after `afterID` (all subscribers when `subscriber` is empty).
    public func parkedEvents(subscriber: String, afterID: Int64, limit: Int) async throws -> [ParkedOutboxEvent] {
        try await read { c in
            try c.query(
                "SELECT \(Self.parkedColumns) FROM outbox_parked WHERE id > ? AND (? = '' OR subscriber = ?) ORDER BY id LIMIT ?",
                [.integer(afterID), .text(subscriber), .text(subscriber), .integer(Int64(limit))], ParkedOutboxEvent.init(row:))
        }
    }

    /// One held event by id.
    public func parkedEvent(id: Int64) async throws -> ParkedOutboxEvent? {
        try await read { c in
            try c.queryFirst("SELECT \(Self.parkedColumns) FROM outbox_parked WHERE id = ?", [.integer(id)], ParkedOutboxEvent.init(row:))
        }
    }

    /// A held event and everything held for its subscriber and aggregate, in commit order.
    public func parkedAggregate(of id: Int64) async throws -> [ParkedOutboxEvent]? {
        try await read { c in
            guard let (subscriber, aggregate) = try c.queryFirst(
                "SELECT subscriber, aggregate_id FROM outbox_parked WHERE id = ?", [.integer(id)], { ($0.string(0), $0.string(1)) })
            else { return nil }
            return try c.query(
                "SELECT \(Self.parkedColumns) FROM outbox_parked WHERE subscriber = ? AND aggregate_id = ? ORDER BY sequence",
                [.text(subscriber), .text(aggregate)], ParkedOutboxEvent.init(row:))
        }
    }

    /// Stops holding these (delivered, or discarded).
    public func unpark(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await write { tx in
            for id in ids { try tx.run("DELETE FROM outbox_parked WHERE id = ?", [.integer(id)]) }
        }
    }

    /// How many events are held for `subscriber`.
    public func parkedCount(subscriber: String) async throws -> Int {
        try await read { c in try c.queryFirst("SELECT COUNT(*) FROM outbox_parked WHERE subscriber = ?", [.text(subscriber)]) { $0.int(0) } ?? 0 }
    }

    /// Events after `sequence` of `types` (all when nil) not yet delivered: how many, and
    /// when the oldest was committed.
    public func pending(after sequence: Int64, types: Set<String>?) async throws -> (count: Int, oldestMilliseconds: Int64?) {
        try await read { c in
            var sql = "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE sequence > ?"
            var values: [SQLValue] = [.integer(sequence)]
            if let types {
                sql += " AND event_type IN (\(types.map { _ in "?" }.joined(separator: ",")))"
                values += types.sorted().map { .text($0) }
            }
            return try c.queryFirst(sql, values) { ($0.int(0), $0.optionalInt64(1)) } ?? (0, nil)
        }
    }
}

/// An outbox event held for one subscriber: refused (`code`, `message`), or waiting
/// behind the refused event `heldBehind` of its aggregate.
public struct ParkedOutboxEvent: Sendable, Equatable {
    public var id: Int64 = 0
    public var subscriber = ""
    public var event: OutboxEvent
    public var code: Int
    public var message: String
    public var heldBehind: String
    public var attempts = 1
    public var parkedAtMilliseconds: Int64 = 0
    public var lastAttemptAtMilliseconds: Int64 = 0

    public init(event: OutboxEvent, code: Int, message: String, heldBehind: String = "") {
        self.event = event
        self.code = code
        self.message = message
        self.heldBehind = heldBehind
    }

    init(row: Row) {
        id = row.int64("id")
        subscriber = row.string("subscriber")
        event = OutboxEvent(
            sequence: row.int64("sequence"), eventID: row.string("event_id"), type: row.string("event_type"), aggregateID: row.string("aggregate_id"),
            payload: row.blob("payload"), createdAtMilliseconds: row.int64("created_at"))
        code = row.int("code")
        message = row.string("message")
        heldBehind = row.string("held_behind")
        attempts = row.int("attempts")
        parkedAtMilliseconds = row.int64("parked_at")
        lastAttemptAtMilliseconds = row.int64("last_attempt_at")
    }
}
