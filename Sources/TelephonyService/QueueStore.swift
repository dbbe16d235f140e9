import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// T10: one shard's dialing queue. Ready entries are found through an index on their
/// time-free key (``DialScore/key(_:_:)``); waiting ones come back when their time does,
/// leased ones when the lease runs out, each by an index on that time, so asking for the
/// best entry never scans the queue. A claim is one conditional update: two operators
/// can never both win an entry.
public struct QueueStore: Sendable {
    public let shard: Int
    let database: Database
    let gate: ShardGate
    let clock: WallClock
    let top: QueueTop

    init(shard: Int, database: Database, gate: ShardGate, clock: WallClock, top: QueueTop = QueueTop()) {
        self.shard = shard
        self.database = database
        self.gate = gate
        self.clock = clock
        self.top = top
    }

    static func id(_ shard: Int, _ seq: Int64) -> String { "\(shard)-q\(seq)" }

    func refuseIfHandedOff() throws {
        if let owner = gate.handedTo { throw RPCError(.failedPrecondition, "shard \(shard) belongs to \(owner) now: route by the replica list") }
    }

    /// Adds accepted leads of this shard's numbers in one transaction (a lead already
    /// queued: no change).
    public func enqueue(_ leads: [AcceptedLead], settings: DialerSettings) async throws {
        let shard = self.shard
        let now = clock.milliseconds
        let gate = self.gate
        _ = try await database.write { tx in
            if let owner = gate.handedTo { throw RPCError(.failedPrecondition, "shard \(shard) belongs to \(owner) now") }
            let max: Int64?? = try tx.queryFirst("SELECT MAX(seq) FROM queue") { $0.optionalInt64(0) }
            var last = (max ?? nil) ?? 0
            for lead in leads {
                guard try tx.queryFirst("SELECT 1 FROM queue WHERE lead_id = ?", [.integer(lead.leadID)], { $0.int(0) }) == nil else { continue }
                // T10 (issue 26): a number on the do-not-call list is never queued again.
                guard try !DoNotCallList.contains(tx.connection, lead.phone) else { continue }
                last += 1
                try Self.insert(tx, seq: last, lead, shard: shard, settings: settings, now: now)
            }
        }
    }

    /// Issue 26: an operator left. The entry they lease is ready again at once, unchanged,
    /// and the callbacks reserved for them are `heir`'s. Repeating it changes nothing.
    public func handOver(from operatorID: Int64, to heir: Int64, settings: DialerSettings) async throws {
        let now = clock.milliseconds
        _ = try await database.write { tx in
            for (seq, e) in try tx.query(
                "SELECT seq, entry FROM queue WHERE leased_by = ? AND state = ?", [.integer(operatorID), .integer(Int64(EntryState.leased.rawValue))], Self.entry)
            {
                var released = e
                released.leaseUntilMilliseconds = now
                try Self.write(tx, seq: seq, Self.asOf(released, now: now), settings: settings)
            }
            for (seq, e) in try tx.query("SELECT seq, entry FROM queue WHERE callback_for = ?", [.integer(operatorID)], Self.entry) {
                var reserved = e
                reserved.callbackFor = heir
                try Self.write(tx, seq: seq, reserved, settings: settings)
            }
        }
    }

    static func insert(_ tx: Transaction, seq: Int64, _ lead: AcceptedLead, shard: Int, settings: DialerSettings, now: Int64) throws {
        var e = QueueEntry()
        e.id = Self.id(shard, seq)
        e.leadID = lead.leadID
        e.dealID = lead.dealID == 0 ? nil : lead.dealID
        e.phone = lead.phone
        e.utcOffsetMinutes = CallingHours.offsetMinutes(lead.phone)
        e.region = lead.region
        e.product = lead.product
        e.createdAtMilliseconds = lead.receivedAtMilliseconds == 0 ? now : lead.receivedAtMilliseconds
        e.state = .ready
        try Self.write(tx, seq: seq, e, settings: settings, insert: true)
    }

    static func write(_ tx: Transaction, seq: Int64, _ e: QueueEntry, settings: DialerSettings, insert: Bool = false, outsideHours: Bool = false) throws {
        var stored = e
        stored.score = 0
        stored.components = []
        let values: [SQLValue] = [
            .blob(stored.wireBytes()), .integer(Int64(e.state.rawValue)), .integer(DialScore.key(e, settings)), SQLValue(e.callbackFor),
            SQLValue(e.notBeforeMilliseconds), SQLValue(e.leaseUntilMilliseconds), .integer(settings.version), .integer(outsideHours ? 1 : 0),
            SQLValue(e.state == .leased ? e.leasedBy : nil),
        ]
        if insert {
            try tx.run(
                "INSERT INTO queue (seq, lead_id, phone, entry, state, key, callback_for, not_before, lease_until, settings_version, outside_hours, leased_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [.integer(seq), .integer(e.leadID), .text(e.phone)] + values)
        } else {
            try tx.run(
                "UPDATE queue SET entry = ?, state = ?, key = ?, callback_for = ?, not_before = ?, lease_until = ?, settings_version = ?, outside_hours = ?, leased_by = ? WHERE seq = ?",
                values + [.integer(seq)])
        }
    }

    static func entry(_ row: Row) -> (seq: Int64, entry: QueueEntry) {
        var entry = (try? QueueEntry(wireBytes: row.blob("entry"))) ?? QueueEntry()
        // The offset the calling hours use, said with every entry (entries stored before it had none).
        entry.utcOffsetMinutes = CallingHours.offsetMinutes(entry.phone)
        return (row.int64("seq"), entry)
    }

    static let bestSQL = """
        SELECT seq, entry FROM queue WHERE state = ? AND (callback_for IS NULL OR callback_for = ?)
        ORDER BY key DESC, seq LIMIT 1
        """
    static let unreservedSQL = "SELECT seq, entry FROM queue WHERE state = ? AND callback_for IS NULL ORDER BY key DESC, seq LIMIT 1"
    static func bestValues(_ operatorID: Int64) -> [SQLValue] { [.integer(Int64(EntryState.ready.rawValue)), .integer(operatorID)] }
    static func dueValues(_ now: Int64) -> [SQLValue] {
        [.integer(Int64(EntryState.waiting.rawValue)), .integer(now), .integer(Int64(EntryState.leased.rawValue)), .integer(now)]
    }

    /// The entry as it stands at `now`: a lease that ran out, or a wait that is over, is
    /// ready again (T10) even before the next claim writes it back (``release``), so a read
    /// never shows a lease nobody holds (issue 22).
    static func asOf(_ e: QueueEntry, now: Int64) -> QueueEntry {
        var out = e
        let leaseOver = e.state == .leased && (e.leaseUntilMilliseconds ?? 0) <= now
        let waitOver = e.state == .waiting && (e.notBeforeMilliseconds ?? .max) <= now
        guard leaseOver || waitOver else { return out }
        out.state = .ready
        out.notBeforeMilliseconds = nil
        out.leasedBy = nil
        out.leasedAtMilliseconds = nil
        out.leaseUntilMilliseconds = nil
        return out
    }

    /// Brings back what is due: waiting entries whose time has come, leases that ran out
    /// (the entry returns unchanged). Bounded per call; the rest comes on the next one.
    static func release(_ tx: Transaction, now: Int64, settings: DialerSettings) throws {
        for (seq, e) in try tx.query(
            "SELECT seq, entry FROM queue WHERE (state = ? AND not_before <= ?) OR (state = ? AND lease_until <= ?) LIMIT 500", Self.dueValues(now), Self.entry)
        {
            try Self.write(tx, seq: seq, Self.asOf(e, now: now), settings: settings)
        }
    }

    /// The best ready entry for the operator now: one for them only, or anyone's. Most
    /// asks change nothing and are answered from a read; only when something is due back
    /// or the best is outside its calling hours does it take the write lock.
    public func best(for operatorID: Int64, settings: DialerSettings) async throws -> EntryCandidate {
        let now = clock.milliseconds
        let shard = self.shard
        try refuseIfHandedOff()
        // T10: one open lease per operator — while they hold one, it is their next.
        @Sendable func held(_ seq: Int64) -> EntryCandidate { EntryCandidate(found: true, entryID: Self.id(shard, seq), score: .max, held: true) }
        func candidate(_ found: (seq: Int64, entry: QueueEntry)?) -> EntryCandidate? {
            guard let (seq, e) = found else { return EntryCandidate() }
            guard CallingHours.nextAllowed(e.phone, now: now, from: settings.callingHourFrom, to: settings.callingHourTo) <= now else { return nil }
            return EntryCandidate(found: true, entryID: Self.id(shard, seq), score: DialScore.score(e, settings, now: now))
        }
        var snapshot = top.snapshot(now: now, settingsVersion: settings.version)
        if snapshot == nil {
            let generation = top.generation
            let version = settings.version
            let read = try await database.read { c -> QueueTop.Snapshot in
                // One statement for the three small facts: this runs after every commit to the shard.
                let (waiting, leased, reserved) = try c.queryFirst(
                    """
                    SELECT (SELECT MIN(not_before) FROM queue WHERE state = ?), (SELECT MIN(lease_until) FROM queue WHERE state = ?),
                    EXISTS (SELECT 1 FROM queue WHERE state = ? AND callback_for IS NOT NULL)
                    """,
                    [.integer(Int64(EntryState.waiting.rawValue)), .integer(Int64(EntryState.leased.rawValue)), .integer(Int64(EntryState.ready.rawValue))]
                ) { ($0.optionalInt64(0), $0.optionalInt64(1), $0.int(2) == 1) } ?? (nil, nil, false)
                let best = try c.queryFirst(Self.unreservedSQL, [.integer(Int64(EntryState.ready.rawValue))], Self.entry)
                let holders = try c.query(
                    "SELECT leased_by, seq FROM queue WHERE state = ? AND leased_by IS NOT NULL", [.integer(Int64(EntryState.leased.rawValue))]
                ) { ($0.int64(0), $0.int64(1)) }
                return QueueTop.Snapshot(
                    best: best, reserved: reserved, nextDue: min(waiting ?? .max, leased ?? .max), settingsVersion: version,
                    held: Dictionary(holders, uniquingKeysWith: min))
            }
            top.remember(read, readAt: generation)
            snapshot = read
        }
        if let snapshot, snapshot.nextDue > now {
            // No lease has run out (nextDue): every one remembered is live.
            if let seq = snapshot.held[operatorID] { return held(seq) }
            if !snapshot.reserved, let known = candidate(snapshot.best) { return known }
            // A callback is reserved for someone: this operator's best, from the file.
            if snapshot.reserved, let known = candidate(try await database.read({ c in try c.queryFirst(Self.bestSQL, Self.bestValues(operatorID), Self.entry) })) {
                return known
            }
        }
        return try await database.write { tx in
            if let seq = try tx.queryFirst(
                "SELECT seq FROM queue WHERE leased_by = ? AND state = ? AND lease_until > ? LIMIT 1",
                [.integer(operatorID), .integer(Int64(EntryState.leased.rawValue)), .integer(now)], { $0.int64(0) })
            {
                return held(seq)
            }
            guard let (seq, e) = try Self.ready(tx, for: operatorID, settings: settings, now: now) else { return EntryCandidate() }
            return EntryCandidate(found: true, entryID: Self.id(shard, seq), score: DialScore.score(e, settings, now: now))
        }
    }

    /// The best ready entry inside a write: what is due comes back first, and an entry
    /// outside its number's calling hours is set aside until they open.
    static func ready(_ tx: Transaction, for operatorID: Int64, settings: DialerSettings, now: Int64) throws -> (Int64, QueueEntry)? {
        try release(tx, now: now, settings: settings)
        for _ in 0..<50 {
            guard let (seq, e) = try tx.queryFirst(bestSQL, bestValues(operatorID), entry) else { return nil }
            let allowed = CallingHours.nextAllowed(e.phone, now: now, from: settings.callingHourFrom, to: settings.callingHourTo)
            guard allowed > now else { return (seq, e) }
            var later = e
            later.state = .waiting
            later.notBeforeMilliseconds = allowed
            try write(tx, seq: seq, later, settings: settings, outsideHours: true)
        }
        return nil
    }

    /// Picks this shard's best ready entry for the operator and leases it, in one
    /// transaction: nil when there is none.
    public func claimBest(for operatorID: Int64, settings: DialerSettings) async throws -> QueueEntry? {
        let now = clock.milliseconds
        try refuseIfHandedOff()
        return try await database.write { tx in
            guard let (seq, e) = try Self.ready(tx, for: operatorID, settings: settings, now: now) else { return nil }
            return try Self.lease(tx, seq: seq, e, to: operatorID, settings: settings, now: now)
        }
    }

    static func lease(_ tx: Transaction, seq: Int64, _ e: QueueEntry, to operatorID: Int64, settings: DialerSettings, now: Int64) throws -> QueueEntry {
        var leased = e
        leased.state = .leased
        leased.leasedBy = operatorID
        leased.leasedAtMilliseconds = now
        leased.leaseUntilMilliseconds = now + settings.leaseSeconds * 1000
        try write(tx, seq: seq, leased, settings: settings)
        try tx.run("INSERT OR IGNORE INTO queue_lessees (seq, operator_id) VALUES (?, ?)", [.integer(seq), .integer(operatorID)])
        return scored(leased, settings, now: now)
    }

    /// Leases a ready entry to the operator; failed_precondition when it is not ready any more.
    /// `orBest`: when it was taken, this shard's best ready entry instead, in the same
    /// transaction (nil when the shard has none).
    public func claim(seq: Int64, operatorID: Int64, settings: DialerSettings, orBest: Bool = false) async throws -> QueueEntry? {
        let now = clock.milliseconds
        try refuseIfHandedOff()
        return try await database.write { tx in
            guard let (_, e) = try tx.queryFirst("SELECT seq, entry FROM queue WHERE seq = ?", [.integer(seq)], Self.entry) else {
                throw RPCError.notFound("queue entry \(Self.id(shard, seq)) does not exist")
            }
            if e.state == .ready, e.callbackFor == nil || e.callbackFor == operatorID {
                return try Self.lease(tx, seq: seq, e, to: operatorID, settings: settings, now: now)
            }
            guard orBest else { throw RPCError(.failedPrecondition, "queue entry \(e.id) was taken; ask for the next one") }
            guard let (next, entry) = try Self.ready(tx, for: operatorID, settings: settings, now: now) else { return nil }
            return try Self.lease(tx, seq: next, entry, to: operatorID, settings: settings, now: now)
        }
    }

    /// The leaseholder's outcome (T10), with its event for deals, in one transaction.
    public func outcome(seq: Int64, _ request: OutcomeRequest, settings: DialerSettings) async throws -> QueueEntry {
        let now = clock.milliseconds
        try refuseIfHandedOff()
        return try await database.write { tx in
            guard let (_, e) = try tx.queryFirst("SELECT seq, entry FROM queue WHERE seq = ?", [.integer(seq)], Self.entry) else {
                throw RPCError.notFound("queue entry \(Self.id(shard, seq)) does not exist")
            }
            // G3: to an operator it was never leased to, the entry does not exist (as GET says).
            let lessee = try tx.queryFirst(
                "SELECT 1 FROM queue_lessees WHERE seq = ? AND operator_id = ?", [.integer(seq), .integer(request.operatorID)]) { $0.int64(0) } != nil
            guard lessee || e.callbackFor == request.operatorID else {
                throw RPCError.notFound("queue entry \(Self.id(shard, seq)) does not exist")
            }
            guard e.state == .leased, e.leasedBy == request.operatorID, (e.leaseUntilMilliseconds ?? 0) > now else {
                throw RPCError(.failedPrecondition, "queue entry \(e.id) is not leased to you (its lease may have run out); ask for the next one")
            }
            let next: QueueEntry
            do throws(DialOutcomeRule.Refusal) {
                next = try DialOutcomeRule.apply(
                    e, request.outcome, callbackAt: request.callbackAtMilliseconds, callbackForOperator: request.callbackForMe ? request.operatorID : nil,
                    settings: settings, now: now)
            } catch {
                throw RPCError.invalidArgument("the outcome is not valid", details: [FieldViolation(field: error.field, description: error.problem)])
            }
            try Self.write(tx, seq: seq, next, settings: settings)
            // T10 (issue 26): a person who refused is never called again, whoever sends them next.
            if request.outcome == .refused {
                var mark = DoNotCallEntry(phone: e.phone, reason: request.reason.isEmpty ? "refused on a call" : request.reason)
                (mark.source, mark.by, mark.atMilliseconds) = ("dialer", "staff:\(request.operatorID)", now)
                _ = try DoNotCallList.mark(tx, mark)
            }
            let event = OutcomeRecorded(
                entry: next, outcome: request.outcome, operatorID: request.operatorID, reason: request.reason, atMilliseconds: now,
                claimedAtMilliseconds: e.leasedAtMilliseconds ?? now)
            try tx.appendEvent(type: Telephony.Event.outcome, aggregateID: "call-\(e.phone)", payload: event.wireBytes())
            return Self.scored(next, settings, now: now)
        }
    }

    /// T10 (issue 26): the number (E.164) goes on the list; its ready and waiting entries
    /// close now, a leased one stays with its operator until their outcome.
    public func markDoNotCall(_ entry: DoNotCallEntry, settings: DialerSettings) async throws -> DoNotCallEntry {
        try refuseIfHandedOff()
        return try await database.write { tx in
            let kept = try DoNotCallList.mark(tx, entry)
            for (seq, e) in try tx.query(
                "SELECT seq, entry FROM queue WHERE phone = ? AND phone != '' AND state IN (?, ?)",
                [.text(entry.phone), .integer(Int64(EntryState.ready.rawValue)), .integer(Int64(EntryState.waiting.rawValue))], Self.entry)
            {
                var closed = e
                closed.state = .closed
                closed.notBeforeMilliseconds = nil
                try Self.write(tx, seq: seq, closed, settings: settings)
            }
            return kept
        }
    }

    /// The number leaves the list (its closed entries stay closed); nil when it was not on it.
    public func unmarkDoNotCall(_ phone: String) async throws -> DoNotCallEntry? {
        try refuseIfHandedOff()
        return try await database.write { tx in
            guard let found = try DoNotCallList.find(tx.connection, phone) else { return nil }
            try tx.run("DELETE FROM do_not_call WHERE phone = ?", [.text(phone)])
            return found
        }
    }

    public func doNotCall(after cursor: String, limit: Int, phone: String?) async throws -> [DoNotCallEntry] {
        try await database.read { c in
            if let phone { return try DoNotCallList.find(c, phone).map { [$0] } ?? [] }
            return try DoNotCallList.page(c, after: cursor, limit: limit)
        }
    }

    public func get(seq: Int64, settings: DialerSettings) async throws -> QueueEntry? {
        let now = clock.milliseconds
        return try await database.read { c in
            try c.queryFirst("SELECT seq, entry FROM queue WHERE seq = ?", [.integer(seq)], Self.entry).map { Self.scored($0.entry, settings, now: now) }
        }
    }

    static func scored(_ e: QueueEntry, _ s: DialerSettings, now: Int64) -> QueueEntry {
        var out = Self.asOf(e, now: now)
        out.components = DialScore.components(e, s, now: now)
        out.score = out.components.reduce(0) { $0 + $1.value }
        return out
    }

    /// After a settings change: every entry's key under the new version.
    func rekey(_ settings: DialerSettings) async throws {
        _ = try await database.write { tx in
            for (seq, e) in try tx.query("SELECT seq, entry FROM queue WHERE settings_version != ? AND state != ?",
                [.integer(settings.version), .integer(Int64(EntryState.closed.rawValue))], Self.entry)
            {
                try Self.write(tx, seq: seq, e, settings: settings)
            }
        }
    }

    /// Entries by state, and the waiting ones split into recalls/callbacks and calling hours.
    func counts() async throws -> QueueCounts {
        let now = clock.milliseconds
        return try await database.read { c in
            var counts = QueueCounts()
            // As of now (``asOf``): run-out leases and waits that are over count as ready.
            let due = Self.dueValues(now) + [.integer(Int64(EntryState.ready.rawValue))]
            for (state, n) in try c.query(
                "SELECT CASE WHEN (state = ? AND not_before <= ?) OR (state = ? AND lease_until <= ?) THEN ? ELSE state END AS s, COUNT(*) FROM queue GROUP BY s", due,
                { (EntryState(rawValue: $0.int(0)) ?? .unspecified, $0.int64(1)) })
            {
                switch state {
                case .ready: counts.ready = n
                case .leased: counts.leased = n
                case .waiting: counts.waitingForRecall = n
                case .closed: counts.closed = n
                case .unspecified: break
                }
            }
            // Of the waiting ones, those held only by the lead's calling hours.
            counts.outsideHours = try c.queryFirst(
                "SELECT COUNT(*) FROM queue WHERE state = ? AND outside_hours = 1 AND not_before > ?", [.integer(Int64(EntryState.waiting.rawValue)), .integer(now)]) { $0.int64(0) } ?? 0
            counts.waitingForRecall -= counts.outsideHours
            return counts
        }
    }
}
