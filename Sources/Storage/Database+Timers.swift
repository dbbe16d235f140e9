import FoundationEssentials

/// Durable timers (set and cancelled in a write's ``Transaction``), read for
/// ServiceKit's `TimerRunner`.
extension Database {
    /// Timers due at or before `now`, earliest first.
    public func dueTimers(now: Date, limit: Int) async throws -> [DurableTimer] {
        try await read { connection in
            try connection.query(
                """
                SELECT id, kind, key, due_at, payload FROM timers
                WHERE due_at <= ? AND id NOT IN (SELECT timer_id FROM timer_failures WHERE parked_at IS NOT NULL)
                ORDER BY due_at, id LIMIT ?
                """,
                [.integer(Int64(now.timeIntervalSince1970 * 1000)), .integer(Int64(limit))], DurableTimer.init(row:))
        }
    }

    /// When the earliest timer is due, if any is set.
    public func nextTimerDue() async throws -> Date? {
        try await read { connection in
            try connection.queryFirst(
                "SELECT MIN(due_at) FROM timers WHERE id NOT IN (SELECT timer_id FROM timer_failures WHERE parked_at IS NOT NULL)"
            ) { row in
                row.isNull(0) ? nil : Date(timeIntervalSince1970: Double(row.int64(0)) / 1000)
            } ?? nil
        }
    }


    /// A timer whose effect failed: tried again `retryAfter` from `now`, or parked (never
    /// fired again until it is set anew) once it has failed `maxAttempts` times. Returns
    /// whether it was parked.
    @discardableResult
    public func timerFailed(_ timer: DurableTimer, error: String, now: Date, retryAfter: @escaping @Sendable (Int) -> TimeInterval, maxAttempts: Int) async throws -> Bool {
        try await write { tx in
            let attempts = (try tx.queryFirst("SELECT attempts FROM timer_failures WHERE timer_id = ?", [.integer(timer.id)]) { $0.int(0) } ?? 0) + 1
            let parked = attempts >= maxAttempts
            try tx.run(
                """
                INSERT INTO timer_failures (timer_id, attempts, last_error, parked_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (timer_id) DO UPDATE SET attempts = excluded.attempts, last_error = excluded.last_error, parked_at = excluded.parked_at
                """, [.integer(timer.id), .integer(Int64(attempts)), .text(String(error.prefix(2000))),
                      parked ? .integer(Int64(now.timeIntervalSince1970 * 1000)) : .null])
            if !parked {
                try tx.run(
                    "UPDATE timers SET due_at = ? WHERE id = ? AND due_at = ?",
                    [.integer(Int64((now.timeIntervalSince1970 + retryAfter(attempts)) * 1000)), .integer(timer.id),
                     .integer(Int64(timer.dueAt.timeIntervalSince1970 * 1000))])
            }
            return parked
        }
    }

    /// Timers parked after failing too often, with their last error.
    public func parkedTimers() async throws -> [(timer: DurableTimer, attempts: Int, error: String)] {
        try await read { c in
            try c.query(
                """
                SELECT t.id, t.kind, t.key, t.due_at, t.payload, f.attempts, f.last_error FROM timers t JOIN timer_failures f ON f.timer_id = t.id
                WHERE f.parked_at IS NOT NULL ORDER BY t.id
                """
            ) { (DurableTimer(row: $0), $0.int("attempts"), $0.string("last_error")) }
        }
    }
}
