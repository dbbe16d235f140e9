import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// The sessions of one shard file (T1, T12). A report is merged in one transaction with
/// its lookup (by provider id, else by number and start time within the window), so two
/// reports of one call arriving together still make one session.
public struct CallStore: Sendable {
    public let shard: Int
    public let database: Database
    /// Closed when the shard is handed to another replica: writes after that are refused.
    let gate = ShardGate()
    let windowMilliseconds: Int64
    let clock: WallClock

    public init(shard: Int, database: Database, windowMilliseconds: Int64 = CallSessionizer.defaultWindowMilliseconds, clock: WallClock = .system) {
        self.shard = shard
        self.database = database
        self.windowMilliseconds = windowMilliseconds
        self.clock = clock
    }

    /// `report.clientNumber` is normalized already.
    public func record(_ report: CallReport) async throws -> RecordCallResponse {
        let now = clock.milliseconds
        let shard = self.shard
        let window = windowMilliseconds
        let gate = self.gate
        return try await database.write { tx in
            // Checked inside the writer: a write that starts after the hand-off is refused,
            // one before it is in the copy.
            if let owner = gate.handedTo { throw RPCError(.failedPrecondition, "shard \(shard) belongs to \(owner) now: route by the replica list") }
            let ids = report.providerCallID.isEmpty ? [] : [report.provider.isEmpty ? report.providerCallID : "\(report.provider):\(report.providerCallID)"]
            var seq = try ids.first.flatMap { id in try tx.queryFirst("SELECT seq FROM call_ids WHERE provider_call_id = ?", [.text(id)]) { $0.int64(0) } }
            if seq == nil, let start = report.legs.map(\.startedAtMilliseconds).min() {
                // T1: no shared id, so the same client number within the window is the same
                // call, whatever ids the PBX gave its legs (a forwarded call's legs each
                // have their own uniqueid at Ringostat): a missed leg and the answered one
                // are one answered call, and only a call nobody answered is missed (T5). A call
                // the other way (the manager calling back at once) is another call.
                seq = try tx.queryFirst(
                    "SELECT seq FROM calls WHERE client_number = ? AND direction = ? AND started_at BETWEEN ? AND ? ORDER BY ABS(started_at - ?) LIMIT 1",
                    [.text(report.clientNumber), .integer(Int64(report.direction.rawValue)), .integer(start - window), .integer(start + window), .integer(start)]
                ) { $0.int64(0) }
            }
            let existing = try seq.flatMap { s in
                try tx.queryFirst("SELECT session FROM calls WHERE seq = ?", [.integer(s)]) { try? CallSession(wireBytes: $0.blob(0)) } ?? nil
            }
            var (session, changed) = CallSessionizer.merge(existing, report, clientNumber: report.clientNumber, now: now)
            // C8: a call whose client was erased stays without their number and recordings,
            // however often its reports come again.
            if let existing, existing.clientNumber.isEmpty { session = session.erased }
            session.shard = Int64(shard)
            if let seq {
                guard changed else { return RecordCallResponse(session: session, created: false, changed: false) }
                try Self.emit(tx, before: existing, after: session)
                try tx.run(
                    "UPDATE calls SET started_at = ?, direction = ?, answered = ?, updated_at = ?, session = ?, recorded = ? WHERE seq = ?",
                    [.integer(session.startedAtMilliseconds), .integer(Int64(session.direction.rawValue)), .integer(session.answered ? 1 : 0),
                     .integer(now), .blob(session.wireBytes()), .integer(RecordingRetention.recorded(session) ? 1 : 0), .integer(seq)])
                try Self.index(tx, seq: seq, session, ids: ids)
                return RecordCallResponse(session: session, created: false, changed: true)
            }
            // The single writer numbers the sessions, so the id is known before the insert.
            let last: Int64? = try tx.queryFirst("SELECT MAX(seq) FROM calls") { $0.optionalInt64(0) } ?? nil
            let newSeq = (last ?? 0) + 1
            session.id = "\(shard)-\(newSeq)"
            try tx.run(
                "INSERT INTO calls (seq, client_number, started_at, direction, answered, updated_at, session, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [.integer(newSeq), .text(session.clientNumber), .integer(session.startedAtMilliseconds), .integer(Int64(session.direction.rawValue)),
                 .integer(session.answered ? 1 : 0), .integer(now), .blob(session.wireBytes()), .integer(RecordingRetention.recorded(session) ? 1 : 0)])
            try Self.index(tx, seq: newSeq, session, ids: ids)
            try Self.emit(tx, before: nil, after: session)
            changed = true
            return RecordCallResponse(session: session, created: true, changed: changed)
        }
    }

    /// The events of a change, in its transaction (P2): `call.recorded` each time the
    /// session gains something (deals keeps one timeline entry per call, T8), and once a
    /// call is over, `call.missed` (T5) or `call.answered` (T6), each once.
    static func emit(_ tx: Transaction, before: CallSession?, after: CallSession) throws {
        let aggregate = "call-\(after.clientNumber)"
        let payload = after.wireBytes()
        try tx.appendEvent(type: Telephony.Event.recorded, aggregateID: aggregate, payload: payload)
        guard after.direction != .internal else { return }
        let wasMissed = before.map { $0.ended && !$0.answered } ?? false
        let wasAnswered = before.map { $0.ended && $0.answered } ?? false
        if after.direction == .inbound, after.ended, !after.answered, !wasMissed {
            try tx.appendEvent(type: Telephony.Event.missed, aggregateID: aggregate, payload: payload)
        }
        if after.ended, after.answered, !wasAnswered {
            try tx.appendEvent(type: Telephony.Event.answered, aggregateID: aggregate, payload: payload)
        }
    }

    /// The provider ids and staff a session is found by.
    static func index(_ tx: Transaction, seq: Int64, _ session: CallSession, ids: [String]) throws {
        for id in ids { try tx.run("INSERT OR IGNORE INTO call_ids (provider_call_id, seq) VALUES (?, ?)", [.text(id), .integer(seq)]) }
        for leg in session.legs {
            guard let staff = leg.staffID else { continue }
            try tx.run(
                """
                INSERT INTO call_staff (seq, staff_id, answered) VALUES (?, ?, ?)
                ON CONFLICT (seq, staff_id) DO UPDATE SET answered = MAX(answered, excluded.answered)
                """, [.integer(seq), .integer(staff), .integer(leg.disposition == .answered ? 1 : 0)])
        }
    }

    public func get(seq: Int64) async throws -> CallSession? {
        try await database.read { c in
            try c.queryFirst("SELECT session FROM calls WHERE seq = ?", [.integer(seq)]) { try? CallSession(wireBytes: $0.blob(0)) } ?? nil
        }
    }

    /// Sessions newest first (by start, then seq), after the (start, seq) position given.
    public func list(_ request: ListCallsRequest, before: (startedAt: Int64, seq: Int64)?, limit: Int) async throws -> [(seq: Int64, session: CallSession)] {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let before {
            conditions.append("(c.started_at < ? OR (c.started_at = ? AND c.seq < ?))")
            values += [.integer(before.startedAt), .integer(before.startedAt), .integer(before.seq)]
        }
        if !request.clientNumber.isEmpty {
            conditions.append("c.client_number = ?")
            values.append(.text(request.clientNumber))
        }
        if let staff = request.staffID {
            conditions.append("c.seq IN (SELECT seq FROM call_staff WHERE staff_id = ?)")
            values.append(.integer(staff))
        }
        if request.direction != .unspecified {
            conditions.append("c.direction = ?")
            values.append(.integer(Int64(request.direction.rawValue)))
        }
        if request.missedOnly { conditions.append("c.answered = 0 AND c.direction = \(CallDirection.inbound.rawValue)") }
        if let from = request.fromMilliseconds {
            conditions.append("c.started_at >= ?")
            values.append(.integer(from))
        }
        if let to = request.toMilliseconds {
            conditions.append("c.started_at < ?")
            values.append(.integer(to))
        }
        if let visibility = request.visibility, visibility.restricted {
            // G3: a staff member sees the calls that rang them or their team.
            let ids = SQLList.integers(visibility.staffIDs)
            conditions.append("c.seq IN (SELECT seq FROM call_staff WHERE staff_id IN (\(ids)))")
        }
        let sql = "SELECT c.seq, c.session FROM calls c" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY c.started_at DESC, c.seq DESC LIMIT ?"
        values.append(.integer(Int64(limit)))
        let bound = values
        return try await database.read { c in
            try c.query(sql, bound) { row in (row.int64(0), (try? CallSession(wireBytes: row.blob(1))) ?? CallSession()) }
        }
    }
}
