import FoundationEssentials

/// The view of the database inside one ``Database/write(_:)``: reads and writes see
/// each other, and events appended here commit or roll back with the state change
/// (the outbox).
public struct Transaction {
    public let connection: Connection
    /// What this batch touched, told to the commit observers.
    let touched = CommitTouches()
    /// The database's clock (``Database/Configuration/now``).
    let now: @Sendable () -> Date
    /// Whose work the write in progress is: the ``Database/trace`` of its caller.
    private let work = WorkInProgress()

    /// The `traceparent` the events appended now carry (P5).
    var trace: String {
        get { work.trace }
        nonmutating set { work.trace = newValue }
    }

    init(connection: Connection, now: @escaping @Sendable () -> Date = { Date() }) {
        self.connection = connection
        self.now = now
    }

    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(StorageError) -> Int {
        try connection.run(sql, values)
    }

    public func query<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        try connection.query(sql, values, map)
    }

    public func queryFirst<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> T? {
        try connection.queryFirst(sql, values, map)
    }

    public var lastInsertRowID: Int64 { connection.lastInsertRowID }

    /// Tells the commit observers this transaction changed `topic` (a loop waiting on
    /// new pending work wakes after the commit, not before it).
    public func touch(_ topic: String) { touched.topics.insert(topic) }

    /// Runs `body` in a savepoint: when it throws, what it did is undone and the rest of
    /// the transaction stands (one bad event of a batch does not undo its neighbours).
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try connection.execute("SAVEPOINT inner_step")
        do {
            let result = try body()
            try connection.execute("RELEASE inner_step")
            return result
        } catch {
            try? connection.execute("ROLLBACK TO inner_step")
            try? connection.execute("RELEASE inner_step")
            throw error
        }
    }

    /// A random (version 4) UUID in lower case. Made from the system generator
    /// (getrandom) rather than Foundation's UUID, which opens /dev/urandom each time.
    static func newEventID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        // Written straight into the 36 bytes of the text: this runs in every write of every service.
        return String(unsafeUninitializedCapacity: 36) { text in
            let digits: StaticString = "0123456789abcdef"
            var at = 0
            for index in 0..<16 {
                var byte = UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> (UInt64(7 - index % 8) * 8))
                if index == 6 { byte = (byte & 0x0f) | 0x40 }
                if index == 8 { byte = (byte & 0x3f) | 0x80 }
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[at] = UInt8(ascii: "-")
                    at += 1
                }
                text[at] = digits.utf8Start[Int(byte >> 4)]
                text[at + 1] = digits.utf8Start[Int(byte & 0x0f)]
                at += 2
            }
            return at
        }
    }

    /// Records an event in the outbox, in this transaction. Returns its id.
    @discardableResult
    public func appendEvent(type: String, aggregateID: String, payload: [UInt8], at given: Date? = nil)
        throws(StorageError) -> String
    {
        let id = Self.newEventID()
        let time = given ?? now()
        touched.events = true
        try connection.run(
            "INSERT INTO outbox (event_id, event_type, aggregate_id, payload, created_at, traceparent) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(id), .text(type), .text(aggregateID), .blob(payload), .integer(Int64(time.timeIntervalSince1970 * 1000)), .text(trace)])
        return id
    }
}

extension Transaction {
    /// The inbox (P2): records that the event `eventID` is being applied in this
    /// transaction. False when it was applied before: the caller skips its effect, so a
    /// redelivered event changes nothing.
    public func recordReceived(eventID: String, at given: Date? = nil) throws(StorageError) -> Bool {
        let time = given ?? now()
        return try connection.run(
            "INSERT OR IGNORE INTO inbox (event_id, received_at) VALUES (?, ?)",
            [.text(eventID), .integer(Int64(time.timeIntervalSince1970 * 1000))]) == 1
    }

    /// Sets the durable timer (`kind`, `key`) to fire at `time`, replacing one already set
    /// for the same pair: "remind at T" said twice is one reminder, at the latest T.
    public func setTimer(kind: String, key: String, at time: Date, payload: [UInt8] = []) throws(StorageError) {
        touched.timers = true
        try connection.run(
            """
            INSERT INTO timers (kind, key, due_at, payload) VALUES (?, ?, ?, ?)
            ON CONFLICT (kind, key) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload
            """, [.text(kind), .text(key), .integer(Int64(time.timeIntervalSince1970 * 1000)), .blob(payload)])
        // Set anew, it starts with a clean record.
        try connection.run(
            "DELETE FROM timer_failures WHERE timer_id = (SELECT id FROM timers WHERE kind = ? AND key = ?)", [.text(kind), .text(key)])
    }

    /// Cancels the timer (`kind`, `key`) if it is set.
    public func cancelTimer(kind: String, key: String) throws(StorageError) {
        touched.timers = true
        try connection.run(
            "DELETE FROM timer_failures WHERE timer_id = (SELECT id FROM timers WHERE kind = ? AND key = ?)", [.text(kind), .text(key)])
        try connection.run("DELETE FROM timers WHERE kind = ? AND key = ?", [.text(kind), .text(key)])
    }

    /// Removes a fired timer, unless it was set again for a later time meanwhile.
    /// True when this transaction owns the firing.
    public func takeTimer(_ timer: DurableTimer) throws(StorageError) -> Bool {
        let taken = try connection.run(
            "DELETE FROM timers WHERE id = ? AND due_at = ?",
            [.integer(timer.id), .integer(Int64(timer.dueAt.timeIntervalSince1970 * 1000))]) == 1
        if taken { try connection.run("DELETE FROM timer_failures WHERE timer_id = ?", [.integer(timer.id)]) }
        return taken
    }
}

/// "Do X at time T", stored in the service's database so it fires after a restart too.
public struct DurableTimer: Sendable, Equatable {
    public let id: Int64
    public let kind: String
    public let key: String
    public let dueAt: Date
    public let payload: [UInt8]

    init(row: Row) {
        id = row.int64("id")
        kind = row.string("kind")
        key = row.string("key")
        dueAt = Date(timeIntervalSince1970: Double(row.int64("due_at")) / 1000)
        payload = row.blob("payload")
    }
}

/// An event waiting in the outbox.
public struct OutboxEvent: Sendable, Equatable {
    public let sequence: Int64
    public let eventID: String
    public let type: String
    public let aggregateID: String
    public let payload: [UInt8]
    public let createdAtMilliseconds: Int64
    /// The trace of the work that published it (P5); empty when none.
    public var traceparent: String = ""
}

/// What the relay read from the outbox for one subscriber.
public struct OutboxPage: Sendable {
    public let events: [OutboxEvent]
    public let scannedThrough: Int64
}

/// Which of the tables background loops watch a committed batch changed: the relay
/// wakes only for new events, the timer runner only for timers, instead of both
/// re-reading after every commit. (A write rolled back to its savepoint may leave a
/// flag set: one spare look, never a missed one.)
public struct CommitSummary: Sendable {
    public let appendedEvents: Bool
    public let changedTimers: Bool
    /// What the service's own code said it changed (``Transaction/touch(_:)``), for the
    /// loops that wait on it.
    public var topics: Set<String> = []
}

/// Collects a batch's touches on the writer's queue (the only thread that sees it).
/// The caller of the grouped write running now (only the writer's thread touches it).
final class WorkInProgress: @unchecked Sendable {
    var trace = ""
}

final class CommitTouches: @unchecked Sendable {
    var events = false
    var timers = false
    var topics: Set<String> = []

    var summary: CommitSummary { CommitSummary(appendedEvents: events, changedTimers: timers, topics: topics) }
}
