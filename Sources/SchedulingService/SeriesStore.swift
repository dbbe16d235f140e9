import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// S5: series of sessions and their participants' reminders. Reminders are durable
/// timers in this service's file, re-planned (``ReminderPlan``) in the same transaction
/// as whatever changes them: a moved session's reminder moves, a cancelled one's goes,
/// and a crash in between cannot leave one at the old time.
public struct SeriesStore: Sendable {
    public static let reminderTimer = "session.reminder"
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    public func create(_ input: Series) async throws -> Series {
        let now = clock.milliseconds
        return try await database.write { tx in
            try tx.run(
                "INSERT INTO series (name, reminder_minutes, created_at) VALUES (?, ?, ?)", [.text(input.name), .integer(input.reminderMinutes ?? 120), .integer(now)])
            return try Self.load(tx.connection, tx.lastInsertRowID)!
        }
    }

    public func get(_ id: Int64) async throws -> Series {
        guard let s = try await database.read({ c in try Self.load(c, id) }) else { throw RPCError.notFound("series \(id) does not exist") }
        return s
    }

    public func addSession(_ input: SeriesSession) async throws -> Series {
        try Self.check(start: input.startMilliseconds, end: input.endMilliseconds)
        return try await change(series: input.seriesID) { tx in
            try tx.run(
                "INSERT INTO sessions (series_id, title, start_at, end_at, cancelled) VALUES (?, ?, ?, ?, 0)",
                [.integer(input.seriesID), .text(input.title), .integer(input.startMilliseconds), .integer(input.endMilliseconds)])
        }
    }

    public func moveSession(_ request: MoveSessionRequest) async throws -> Series {
        try Self.check(start: request.startMilliseconds, end: request.endMilliseconds)
        let series = try await seriesOf(session: request.id)
        return try await change(series: series) { tx in
            guard try tx.run("UPDATE sessions SET start_at = ?, end_at = ? WHERE id = ? AND cancelled = 0",
                [.integer(request.startMilliseconds), .integer(request.endMilliseconds), .integer(request.id)]) == 1
            else { throw RPCError(.failedPrecondition, "session \(request.id) is cancelled") }
        }
    }

    public func cancelSession(_ id: Int64) async throws -> Series {
        let series = try await seriesOf(session: id)
        return try await change(series: series) { tx in
            try tx.run("UPDATE sessions SET cancelled = 1 WHERE id = ?", [.integer(id)])
        }
    }

    public func enroll(_ request: EnrollRequest) async throws -> Series {
        let now = clock.milliseconds
        return try await change(series: request.seriesID) { tx in
            try tx.run("INSERT OR IGNORE INTO participants (series_id, contact_id, joined_at) VALUES (?, ?, ?)",
                [.integer(request.seriesID), .integer(request.contactID), .integer(now)])
        }
    }

    static func check(start: Int64, end: Int64) throws {
        guard end > start, end - start <= 24 * 3_600_000 else {
            throw RPCError.invalidArgument("a session ends after it starts, within 24 hours", details: [FieldViolation(field: "end", description: "is not after start (or over 24 hours)")])
        }
    }

    func seriesOf(session: Int64) async throws -> Int64 {
        guard let id = try await database.read({ c in
            try c.queryFirst("SELECT series_id FROM sessions WHERE id = ?", [.integer(session)]) { $0.int64(0) }
        }) else { throw RPCError.notFound("session \(session) does not exist") }
        return id
    }

    /// Runs a change and re-plans the series' reminders in the same transaction.
    func change(series: Int64, _ body: @escaping @Sendable (Transaction) throws -> Void) async throws -> Series {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard try Self.load(tx.connection, series) != nil else { throw RPCError.notFound("series \(series) does not exist") }
            try body(tx)
            try Self.replan(tx, series: series, now: now)
            return try Self.load(tx.connection, series)!
        }
    }

    static func replan(_ tx: Transaction, series id: Int64, now: Int64) throws {
        guard let series = try load(tx.connection, id) else { return }
        let participants = try tx.query("SELECT contact_id, joined_at FROM participants WHERE series_id = ?", [.integer(id)]) {
            ReminderPlan.Participant(contact: $0.int64(0), joinedAt: $0.int64(1))
        }
        let sent = Set(try tx.query(
            "SELECT r.session_id, r.contact_id, r.start_at FROM reminders_sent r JOIN sessions s ON s.id = r.session_id WHERE s.series_id = ?", [.integer(id)]
        ) { ReminderPlan.SentReminder(session: $0.int64(0), contact: $0.int64(1), start: $0.int64(2)) })
        let wanted = ReminderPlan.plan(sessions: series.sessions, participants: participants, minutes: series.reminderMinutes ?? 120, now: now, sent: sent)
        let planned = try tx.query(
            "SELECT r.session_id, r.contact_id, r.due_at FROM reminders r JOIN sessions s ON s.id = r.session_id WHERE s.series_id = ?", [.integer(id)]
        ) { (ReminderPlan.Key(session: $0.int64(0), contact: $0.int64(1)), $0.int64(2)) }
        for (key, due) in planned where wanted[key]?.due != due {
            try tx.cancelTimer(kind: reminderTimer, key: key.timerKey)
            try tx.run("DELETE FROM reminders WHERE session_id = ? AND contact_id = ?", [.integer(key.session), .integer(key.contact)])
        }
        let already = Dictionary(planned, uniquingKeysWith: { a, _ in a })
        for (key, want) in wanted where already[key] != want.due {
            try tx.setTimer(kind: reminderTimer, key: key.timerKey, at: Date(timeIntervalSince1970: Double(want.due) / 1000), payload: Array(String(want.number).utf8))
            try tx.run("INSERT INTO reminders (session_id, contact_id, due_at) VALUES (?, ?, ?)", [.integer(key.session), .integer(key.contact), .integer(want.due)])
        }
    }

    /// A reminder's timer fired: still wanted (its session ahead and not cancelled), it
    /// becomes session.reminder_due, once.
    public static func fire(_ timer: DurableTimer, _ tx: Transaction) throws {
        let parts = timer.key.dropFirst().split(separator: "-c")
        guard parts.count == 2, let sessionID = Int64(parts[0]), let contactID = Int64(parts[1]),
            let (seriesID, start, cancelled) = try tx.queryFirst(
                "SELECT series_id, start_at, cancelled FROM sessions WHERE id = ?", [.integer(sessionID)], { ($0.int64(0), $0.int64(1), $0.bool(2)) }),
            !cancelled, let series = try load(tx.connection, seriesID)
        else { return }
        guard try tx.run("DELETE FROM reminders WHERE session_id = ? AND contact_id = ?", [.integer(sessionID), .integer(contactID)]) == 1 else { return }
        try tx.run("INSERT INTO reminders_sent (session_id, contact_id, start_at) VALUES (?, ?, ?)", [.integer(sessionID), .integer(contactID), .integer(start)])
        let reminder = SessionReminder(
            seriesID: seriesID, seriesName: series.name, sessionID: sessionID, sessionNumber: Int64(String(decoding: timer.payload, as: UTF8.self)) ?? 0,
            contactID: contactID, startMilliseconds: start)
        try tx.appendEvent(type: Scheduling.Event.reminderDue, aggregateID: "series-\(seriesID)", payload: reminder.wireBytes())
    }

    static func load(_ c: Connection, _ id: Int64) throws -> Series? {
        guard var s = try c.queryFirst("SELECT id, name, reminder_minutes, created_at FROM series WHERE id = ?", [.integer(id)], { r in
            Series(id: r.int64(0), name: r.string(1), reminderMinutes: r.int64(2), createdAtMilliseconds: r.int64(3))
        }) else { return nil }
        s.sessions = try c.query("SELECT id, title, start_at, end_at, cancelled FROM sessions WHERE series_id = ? ORDER BY start_at, id", [.integer(id)]) { r in
            SeriesSession(id: r.int64(0), seriesID: id, title: r.string(1), startMilliseconds: r.int64(2), endMilliseconds: r.int64(3), cancelled: r.bool(4))
        }
        s.participants = try c.query("SELECT contact_id FROM participants WHERE series_id = ? ORDER BY contact_id", [.integer(id)]) { $0.int64(0) }
        return s
    }
}
