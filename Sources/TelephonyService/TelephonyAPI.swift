import ContractServices
import Contracts
import FoundationEssentials
import Glibc
import RPC
import ServiceKit
import Storage
import Wire

/// The telephony service's RPC face (T1, T2, T11, T12): each handler normalizes, finds
/// the shard, applies a rule and stores.
public struct TelephonyAPI: Telephony.ServiceProtocol {
    public let shards: ShardSet
    /// Who owns a number (C4), for T2 and for the legs' staff.
    let staff: StaffNumbers
    let router: CallRouter
    let dialer: DialerSettingsStore?
    /// C8: the events it keeps, for a person's erasure (the host's; none in unit tests).
    public var events = EventErasure.none

    public init(
        shards: ShardSet, staff: StaffNumbers = StaffNumbers(contacts: nil), router: CallRouter = CallRouter(contacts: nil, fallback: ""),
        dialer: DialerSettingsStore? = nil
    ) {
        self.shards = shards
        self.staff = staff
        self.router = router
        self.dialer = dialer
    }

    public func erasePerson(_ request: ErasePersonRequest, context _: ServerContext) async throws -> ErasureReport {
        try await CallErasure(shards: shards, events: events).erase(request)
    }

    public func recordCall(_ report: CallReport, context _: ServerContext) async throws -> RecordCallResponse {
        try await record(report)
    }

    public func getCall(_ request: GetCallRequest, context _: ServerContext) async throws -> CallSession {
        try await get(request)
    }

    public func listCalls(_ request: ListCallsRequest, context _: ServerContext) async throws -> CallPage {
        try await list(request)
    }

    public func stats(_ request: CallStatsRequest, context _: ServerContext) async throws -> CallStats {
        try await stats(request)
    }

    public func route(_ request: RouteRequest, context _: ServerContext) async throws -> RouteAnswer {
        await router.route(request)
    }

    public func handOffShard(_ request: HandOffRequest, context _: ServerContext) async throws -> ShardCopy {
        try await shards.handOff(Int(request.shard), to: request.toReplica)
    }

    public func readShardChunk(_ request: ShardChunkRequest, context _: ServerContext) async throws -> ShardChunk {
        try shards.chunk(request)
    }

    public func bestEntry(_ request: BestEntryRequest, context _: ServerContext) async throws -> EntryCandidate {
        try await best(request)
    }

    public func claimEntry(_ request: ClaimRequest, context _: ServerContext) async throws -> QueueEntry {
        let (queue, seq) = try entry(request.entryID)
        let s = try settings()
        // Taken meanwhile (orBest): the same shard's next best in the same transaction,
        // else the best of the replica's other shards.
        if let entry = try await queue.claim(seq: seq, operatorID: request.operatorID, settings: s, orBest: request.orBest) { return entry }
        return try await claimBest(for: request.operatorID, settings: s)
    }

    public func recordOutcome(_ request: OutcomeRequest, context _: ServerContext) async throws -> QueueEntry {
        let (queue, seq) = try entry(request.entryID)
        return try await queue.outcome(seq: seq, request, settings: try settings())
    }

    public func getEntry(_ request: GetEntryRequest, context _: ServerContext) async throws -> QueueEntry {
        let (queue, seq) = try entry(request.id)
        guard let found = try await queue.get(seq: seq, settings: try settings()) else { throw RPCError.notFound("queue entry \(request.id) does not exist") }
        return found
    }

    public func markDoNotCall(_ request: DoNotCallEntry, context: ServerContext) async throws -> DoNotCallEntry {
        let (queue, phone) = try doNotCallShard(request.phone)
        var entry = DoNotCallEntry(phone: phone, reason: request.reason.trimming(.spacesAndNewlines))
        entry.source = "api"
        entry.by = context.actor
        entry.atMilliseconds = queue.clock.milliseconds
        return try await queue.markDoNotCall(entry, settings: try settings())
    }

    public func unmarkDoNotCall(_ request: DoNotCallRequest, context _: ServerContext) async throws -> DoNotCallEntry {
        let (queue, phone) = try doNotCallShard(request.phone)
        guard let removed = try await queue.unmarkDoNotCall(phone) else { throw RPCError.notFound("\(phone) is not on the do-not-call list") }
        return removed
    }

    public func listDoNotCall(_ request: ListDoNotCallRequest, context _: ServerContext) async throws -> DoNotCallPage {
        let limit = try PageRequest(size: request.pageSize, default: 100, maximum: 500).limit
        var phone: String?
        var shards = self.shards.owned
        if !request.phone.isEmpty {
            guard let number = self.shards.numbers.normalize(request.phone) else {
                throw RPCError.invalidArgument("phone is not a phone number", details: [FieldViolation(field: "phone", description: "is \"\(request.phone)\"")])
            }
            phone = number
            shards = shards.filter { $0 == self.shards.shards.of(number) }
        }
        var found: [DoNotCallEntry] = []
        for shard in shards { found += try await self.shards.queue(shard).doNotCall(after: request.cursor, limit: limit + 1, phone: phone) }
        found.sort { $0.phone < $1.phone }
        let more = found.count > limit
        let page = Array(found.prefix(limit))
        return DoNotCallPage(entries: page, nextCursor: more ? page.last?.phone ?? "" : "")
    }

    /// The queue of the shard owning the number (E.164), with the number.
    func doNotCallShard(_ raw: String) throws -> (QueueStore, String) {
        guard let phone = shards.numbers.normalize(raw) else {
            throw RPCError.invalidArgument("phone is not a phone number", details: [FieldViolation(field: "phone", description: "is \"\(raw)\"")])
        }
        return (try shards.queue(shards.shards.of(phone)), phone)
    }

    public func getDialerSettings(_: DialerSettingsRequest, context _: ServerContext) async throws -> DialerSettings {
        try settings()
    }

    public func setDialerSettings(_ request: SetDialerSettingsRequest, context _: ServerContext) async throws -> DialerSettings {
        guard let dialer else { throw RPCError(.unimplemented, "this replica has no dialer") }
        let stored = try await dialer.set(request.settings, by: request.by, expectedVersion: request.expectedVersion)
        for shard in shards.owned { try await shards.queue(shard).rekey(stored) }
        return stored
    }

    public func queueCounts(_: DialerSettingsRequest, context _: ServerContext) async throws -> QueueCounts {
        var total = QueueCounts(replica: shards.replica, settingsVersion: try settings().version)
        for shard in shards.owned {
            let c = try await shards.queue(shard).counts()
            total.ready += c.ready
            total.leased += c.leased
            total.waitingForRecall += c.waitingForRecall
            total.outsideHours += c.outsideHours
            total.closed += c.closed
        }
        return total
    }

    public func record(_ input: CallReport) async throws -> RecordCallResponse {
        var report = input
        var violations: [FieldViolation] = []
        guard let client = shards.numbers.normalize(report.clientNumber) else {
            throw RPCError.invalidArgument("clientNumber is not a phone number or extension", details: [FieldViolation(field: "clientNumber", description: "is \"\(input.clientNumber)\"")])
        }
        report.clientNumber = client
        if !report.staffNumber.isEmpty {
            if let staff = shards.numbers.normalize(report.staffNumber) { report.staffNumber = staff } else {
                violations.append(FieldViolation(field: "staffNumber", description: "is \"\(input.staffNumber)\", not a phone number or extension"))
            }
        }
        if !report.trackingNumber.isEmpty {
            if let tracking = shards.numbers.normalize(report.trackingNumber) { report.trackingNumber = tracking } else {
                violations.append(FieldViolation(field: "trackingNumber", description: "is \"\(input.trackingNumber)\", not a phone number"))
            }
        }
        if report.direction == .unspecified { violations.append(FieldViolation(field: "direction", description: "is required")) }
        let now = shards.clock.milliseconds
        for (i, leg) in report.legs.enumerated() {
            // C1: a leg's number in the one form, so it meets the staff member's mobile.
            if let number = shards.numbers.normalize(leg.destination) { report.legs[i].destination = number }
            if leg.disposition == .unspecified { violations.append(FieldViolation(field: "legs[\(i)].disposition", description: "is required")) }
            if leg.startedAtMilliseconds <= 0 { violations.append(FieldViolation(field: "legs[\(i)].startedAt", description: "is required")) }
            // G1: a call is reported once it has started (a provider's clock a little ahead aside).
            if leg.startedAtMilliseconds > now + Horizon.skewMilliseconds {
                violations.append(FieldViolation(field: "legs[\(i)].startedAt", description: "is in the future"))
            }
            if leg.talkSeconds > leg.durationSeconds && leg.durationSeconds > 0 {
                violations.append(FieldViolation(field: "legs[\(i)].talkSeconds", description: "is longer than the leg (\(leg.durationSeconds) s)"))
            }
        }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the call has \(violations.count) invalid field(s)", details: violations) }
        // T2: two staff numbers make an internal call; a leg that rang a staff number names them.
        var staffOf: [String: Int64] = [:]
        for number in [report.clientNumber, report.staffNumber] + report.legs.map(\.destination) where !number.isEmpty && staffOf[number] == nil {
            if let id = try await staff.staffID(of: number) { staffOf[number] = id }
        }
        if report.direction != .internal,
            InternalCallRule.isInternal(clientNumber: report.clientNumber, staffNumber: report.staffNumber, staffNumbers: Set(staffOf.keys))
        {
            report.direction = .internal
        }
        // T4: the caller of an outbound call is the staff member on its legs.
        let caller = report.direction == .outbound ? staffOf[report.staffNumber] : nil
        for i in report.legs.indices where report.legs[i].staffID == nil {
            report.legs[i].staffID = staffOf[report.legs[i].destination] ?? caller
        }
        return try await shards.store(shards.shards.of(client)).record(report)
    }

    func settings() throws(RPCError) -> DialerSettings {
        guard let dialer else { throw RPCError(.unimplemented, "this replica has no dialer") }
        return dialer.settings
    }

    /// A queue entry's shard and sequence from its id (`<shard>-q<seq>`).
    func entry(_ id: String) throws -> (QueueStore, Int64) {
        let parts = id.split(separator: "-")
        guard parts.count == 2, let shard = Int(parts[0]), parts[1].hasPrefix("q"), let seq = Int64(parts[1].dropFirst()) else {
            throw RPCError.notFound("queue entry \(id) does not exist")
        }
        return (try shards.queue(shard), seq)
    }

    /// The best of this replica's shards, leased: shards in the order of their best
    /// candidates, each picking and leasing in one transaction.
    func claimBest(for operatorID: Int64, settings s: DialerSettings) async throws -> QueueEntry {
        var candidates: [(score: Int64, shard: Int)] = []
        for shard in shards.owned {
            let c = try await shards.queue(shard).best(for: operatorID, settings: s)
            if c.found { candidates.append((c.score, shard)) }
        }
        for (_, shard) in candidates.sorted(by: { $0.score > $1.score }) {
            if let entry = try await shards.queue(shard).claimBest(for: operatorID, settings: s) { return entry }
        }
        throw RPCError.notFound("no entry is ready on \(shards.replica) for this operator")
    }

    /// This replica's best entry for the operator, over its shards.
    func best(_ request: BestEntryRequest) async throws -> EntryCandidate {
        let s = try settings()
        var best = EntryCandidate()
        for shard in shards.owned {
            let candidate = try await shards.queue(shard).best(for: request.operatorID, settings: s)
            if candidate.held { return candidate }
            if candidate.found, !best.found || candidate.score > best.score { best = candidate }
        }
        return best
    }

    public func get(_ request: GetCallRequest) async throws -> CallSession {
        let parts = request.id.split(separator: "-")
        guard parts.count == 2, let shard = Int(parts[0]), let seq = Int64(parts[1]) else {
            throw RPCError.notFound("call \(request.id) does not exist")
        }
        guard let session = try await shards.store(shard).get(seq: seq), Self.sees(request.visibility, session) else {
            throw RPCError.notFound("call \(request.id) does not exist")
        }
        return session
    }

    /// G3: a restricted caller sees a call that rang one of its staff.
    static func sees(_ visibility: Visibility?, _ session: CallSession) -> Bool {
        guard let visibility, visibility.restricted else { return true }
        return session.legs.contains { $0.staffID.map(visibility.staffIDs.contains) ?? false }
    }

    public func list(_ input: ListCallsRequest) async throws -> CallPage {
        try Self.checkPeriod(from: input.fromMilliseconds, to: input.toMilliseconds)
        var request = input
        if !request.clientNumber.isEmpty {
            guard let number = shards.numbers.normalize(request.clientNumber) else {
                throw RPCError.invalidArgument("phone is not a phone number or extension", details: [FieldViolation(field: "phone", description: "is \"\(input.clientNumber)\"")])
            }
            request.clientNumber = number
        }
        let page = try PageRequest(size: request.pageSize, default: 50, maximum: 500)
        var cursor: CallCursor?
        if !request.cursor.isEmpty {
            guard let c = CallCursor(encoded: request.cursor) else {
                throw RPCError.invalidArgument("cursor was not issued by this service", details: [FieldViolation(field: "cursor", description: "is not a cursor this list gave")])
            }
            cursor = c
        }
        // A number lives on one shard: ask only it; else every shard this replica owns.
        let candidates = request.clientNumber.isEmpty ? shards.owned : [shards.shards.of(request.clientNumber)].filter(shards.owned.contains)
        var found: [(CallCursor, CallSession)] = []
        for shard in candidates {
            let rows = try await shards.store(shard).list(request, before: cursor?.bound(for: shard), limit: page.limit + 1)
            found += rows.map { (CallCursor(startedAt: $0.session.startedAtMilliseconds, shard: shard, seq: $0.seq), $0.session) }
        }
        found.sort { $0.0 > $1.0 }
        let shown = Array(found.prefix(page.limit))
        var out = CallPage(calls: shown.map(\.1))
        if found.count > page.limit, let last = shown.last { out.nextCursor = last.0.encoded }
        return out
    }

    /// A period that runs backwards is refused, as every other list's is (G1).
    static func checkPeriod(from: Int64?, to: Int64?) throws {
        if let from, let to, from > to {
            throw RPCError.invalidArgument("the period runs backwards", details: [FieldViolation(field: "to", description: "is before from")])
        }
    }

    public func stats(_ request: CallStatsRequest) async throws -> CallStats {
        try Self.checkPeriod(from: request.fromMilliseconds, to: request.toMilliseconds)
        let zoneName = request.timeZone.isEmpty ? "UTC" : request.timeZone
        guard let zone = ZoneRules.named(zoneName) else {
            throw RPCError.invalidArgument("timeZone is not a time zone", details: [FieldViolation(field: "timeZone", description: "\"\(zoneName)\" is not an IANA time zone (such as Asia/Dubai)")])
        }
        var total = CallStats(timeZone: zoneName)
        for shard in shards.owned {
            var listing = ListCallsRequest(fromMilliseconds: request.fromMilliseconds, toMilliseconds: request.toMilliseconds, visibility: request.visibility)
            listing.pageSize = 0
            var sessions: [CallSession] = []
            var before: (startedAt: Int64, seq: Int64)?
            // Page through the shard so memory stays bounded by the period, not the file.
            while true {
                let rows = try await shards.store(shard).list(listing, before: before, limit: 5000)
                sessions += rows.map(\.session)
                guard rows.count == 5000, let last = rows.last else { break }
                before = (last.session.startedAtMilliseconds, last.seq)
            }
            total = total.adding(CallStatistics.of(sessions, in: zone))
        }
        return total
    }
}
