import Foundation

/// Durable timers (set and cancelled in a write's ``Transaction``), read for
/// ServiceKit's `TimerRunner`.
extension Database {
    /// Timers due at or before `now`, earliest first.
    public func dueTimers(now: Date, limit: Int) async throws -> [DurableTimer] {
        try await read { connection in
            try connection.query(
                "SELECT id, kind, key, due_at, payload FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
                [.integer(Int64(now.timeIntervalSince1970 * 1000)), .integer(Int64(limit))], DurableTimer.init(row:))
        }
    }

    /// When the earliest timer is due, if any is set.
    public func nextTimerDue() async throws -> Date? {
        try await read { connection in
            try connection.queryFirst("SELECT MIN(due_at) FROM timers") { row in
                row.isNull(0) ? nil : Date(timeIntervalSince1970: Double(row.int64(0)) / 1000)
            } ?? nil
        }
    }

}
