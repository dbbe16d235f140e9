import FoundationEssentials

extension Database {
    /// C8: removes the events, parked events and timers whose payload holds any of
    /// `needles` (a person's phone, email) or whose aggregate is one of `aggregates`, once
    /// every subscriber in `subscribers` that takes their type has them: an event not yet delivered still has work
    /// to do (a report counts it), so it is left and counted as `waiting`, for the erasure
    /// to come back to. Deleted bytes are zeroed (`secure_delete`).
    public func eraseEvents(
        holding needles: [String], aggregates: [String], subscribers: [(name: String, types: Set<String>?)]
    ) async throws -> (erased: Int, waiting: Int) {
        let needles = needles.filter { !$0.isEmpty }
        guard !needles.isEmpty || !aggregates.isEmpty else { return (0, 0) }
        let matches = Self.condition(holding: needles, in: "payload", aggregates: aggregates)
        return try await write { tx in
            let cursors = try tx.query("SELECT subscriber, delivered_through FROM outbox_cursor") { ($0.string(0), $0.int64(1)) }
            let delivered = Dictionary(cursors, uniquingKeysWith: max)
            // An event waits while a subscriber that takes its type has not had it.
            var pending: [String] = [], values: [SQLValue] = []
            for subscriber in subscribers {
                var term = "sequence > ?"
                values.append(.integer(delivered[subscriber.name] ?? 0))
                if let types = subscriber.types {
                    term += " AND event_type IN (\(types.map { _ in "?" }.joined(separator: ",")))"
                    values += types.sorted().map { .text($0) }
                }
                pending.append("(\(term))")
            }
            let waits = pending.isEmpty ? "0" : pending.joined(separator: " OR ")
            let waiting = try tx.queryFirst("SELECT COUNT(*) FROM outbox WHERE (\(matches.sql)) AND (\(waits))", matches.values + values) {
                $0.int(0)
            } ?? 0
            var erased = try tx.run("DELETE FROM outbox WHERE (\(matches.sql)) AND NOT (\(waits))", matches.values + values)
            erased += try tx.run("DELETE FROM outbox_parked WHERE \(matches.sql)", matches.values)
            let timers = Self.condition(holding: needles, in: "payload")
            if !needles.isEmpty {
                erased += try tx.run("DELETE FROM timer_failures WHERE timer_id IN (SELECT id FROM timers WHERE \(timers.sql))", timers.values)
                erased += try tx.run("DELETE FROM timers WHERE \(timers.sql)", timers.values)
            }
            return (erased, waiting)
        }
    }

    /// C8: a condition true when any of `needles` is among the bytes of `column` (text or
    /// blob) or, with `aggregates`, when `aggregate_id` is one of them; never true for none.
    public static func condition(holding needles: [String], in column: String, aggregates: [String] = []) -> (sql: String, values: [SQLValue]) {
        var terms: [String] = [], values: [SQLValue] = []
        for needle in needles where !needle.isEmpty {
            terms.append("instr(CAST(\(column) AS BLOB), ?) > 0")
            values.append(.blob(Array(needle.utf8)))
        }
        if !aggregates.isEmpty {
            terms.append("aggregate_id IN (\(aggregates.map { _ in "?" }.joined(separator: ",")))")
            values += aggregates.map { .text($0) }
        }
        return (terms.isEmpty ? "0" : terms.joined(separator: " OR "), values)
    }
}
