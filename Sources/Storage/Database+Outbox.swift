import Foundation

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
                    "SELECT sequence, event_id, event_type, aggregate_id, payload, created_at FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?",
                    [.integer(after), .integer(Int64(limit * 4))]
                ) { row in
                    OutboxEvent(
                        sequence: row.int64(0), eventID: row.string(1), type: row.string(2), aggregateID: row.string(3),
                        payload: row.blob(4), createdAtMilliseconds: row.int64(5))
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

}
