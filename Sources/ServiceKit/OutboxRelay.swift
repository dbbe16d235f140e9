import Contracts
import FoundationEssentials
import Glibc
import RPC
import Storage
import Synchronization
import TLS
import Wire

/// Delivers this service's outbox to one subscriber (P2): at least once, in commit
/// order per aggregate, one batch at a time. While the subscriber is down or busy
/// (unavailable, deadline_exceeded, resource_exhausted) the same batch is retried with
/// jittered backoff for as long as it takes; the position is stored only after the
/// subscriber's answer, so a restart resends the unacknowledged batch and the
/// subscriber's inbox drops what it already has.
///
/// An event the subscriber refuses for its own reasons is parked (kept in
/// `outbox_parked` with the status, message and attempts) and the subscription moves on:
/// later events of the same aggregate are held behind it, other aggregates flow. An
/// admin replays a parked event after a fix (it and those held behind it are sent again,
/// in order) or discards it (those held behind it are sent). A subscriber that refuses
/// a whole batch at once (an older one) is sent the batch one event at a time, so only
/// the event it refuses is parked.
public final class OutboxRelay: BackgroundService {
    public struct Configuration: Sendable {
        public var batchSize = 256
        /// How long one delivery may take before it counts as failed.
        public var callTimeout: Duration = .seconds(10)
        /// Without a commit to wake it, the relay still looks this often.
        public var idleWait: Duration = .seconds(1)
        public var backoff = ConnectionBackoff(initial: .milliseconds(100), maximum: .seconds(30))
        public init() {}
    }

    /// What the relay has done since start and where it stands, for /metrics.
    public struct Progress: Sendable, Equatable {
        public var delivered = 0
        public var refused = 0
        public var held = 0
        public var failedAttempts = 0
        public var pending = 0
        public var oldestPendingMilliseconds: Int64?
        public var parked = 0
    }

    /// An admin's request, run by the relay's loop between batches so it never races a
    /// delivery of the same aggregate.
    private enum Request {
        case replay(Int64)
        case discard(Int64)
    }

    public let subscription: Subscription
    private let database: Database
    private let client: RPCClient
    private let source: String
    private let logger: Logger
    private let configuration: Configuration
    private let clock: WallClock
    private let loop = BackgroundLoop()
    private let state = Mutex(Progress())
    /// Aggregates with events held for this subscriber, and the refused event they wait behind.
    private let blocked = Mutex<[String: String]>([:])
    private let requests = Mutex<[(Request, CheckedContinuation<Result<ReplayOutcome, RPCError>, Never>)]>([])

    public init(
        database: Database, subscription: Subscription, source: String, logger: Logger, security: TLSContext? = nil,
        configuration: Configuration = Configuration(), clock: WallClock = .system
    ) {
        self.database = database
        self.subscription = subscription
        self.source = source
        self.logger = logger
        self.configuration = configuration
        self.clock = clock
        var clientConfiguration = RPCClient.Configuration()
        clientConfiguration.caller = source
        clientConfiguration.retry = .none  // the relay's own loop retries, with its backoff
        clientConfiguration.backoff = ConnectionBackoff(initial: .milliseconds(100), maximum: .seconds(5))
        clientConfiguration.security = security
        // The subscriber's certificate names it: `deals`, `telephony-1`.
        var endpoint = subscription.endpoint
        endpoint.name = subscription.subscriber
        client = RPCClient(endpoint: endpoint, configuration: clientConfiguration)
        database.onCommit { [loop] commit in if commit.appendedEvents { loop.wake() } }
    }

    /// Events the subscriber took since start (for tests and benchmarks).
    public var deliveredCount: Int { state.withLock { $0.delivered } }

    public var progress: Progress { state.withLock { $0 } }

    public func start() {
        loop.start { [self] in await run() }
    }

    /// Stops after the delivery in progress; what was not acknowledged goes next start.
    public func stop() async {
        await loop.stop()
        for (_, waiter) in requests.withLock({ all -> [(Request, CheckedContinuation<Result<ReplayOutcome, RPCError>, Never>)] in
            defer { all.removeAll() }
            return all
        }) {
            waiter.resume(returning: .failure(RPCError(.unavailable, "the service is stopping")))
        }
        client.shutdown()
    }

    /// Sends a parked event and those held behind it again.
    public func replay(_ parkedID: Int64) async throws(RPCError) -> ReplayOutcome {
        try await submit(.replay(parkedID))
    }

    /// Gives up on a parked event; those held behind it are sent.
    public func discard(_ parkedID: Int64) async throws(RPCError) -> ReplayOutcome {
        try await submit(.discard(parkedID))
    }

    private func submit(_ request: Request) async throws(RPCError) -> ReplayOutcome {
        let result = await withCheckedContinuation { waiter in
            requests.withLock { $0.append((request, waiter)) }
            loop.wake()
        }
        return try result.get()
    }

    private func envelope(_ event: OutboxEvent) -> EventEnvelope {
        EventEnvelope(
            id: event.eventID, type: event.type, aggregateID: event.aggregateID, sequence: event.sequence,
            occurredAtMilliseconds: event.createdAtMilliseconds, source: source, payload: event.payload, traceparent: event.traceparent)
    }

    private func run() async {
        var position: Int64
        do {
            position = try await database.deliveredThrough(subscriber: subscription.subscriber)
            let held = try await database.parkedEvents(subscriber: subscription.subscriber, afterID: 0, limit: 100_000)
            blocked.withLock { b in
                for p in held where p.heldBehind.isEmpty && b[p.event.aggregateID] == nil { b[p.event.aggregateID] = p.event.eventID }
            }
        } catch {
            logger.error("relay cannot read its position", ["subscriber": subscription.subscriber, "error": "\(error)"])
            return
        }
        var backoff = configuration.backoff
        var failing = false
        var singly = false
        var lastGauges = ContinuousClock.now - .seconds(10)
        while !Task.isCancelled {
            await runRequests()
            let page: OutboxPage
            do {
                page = try await database.events(after: position, types: subscription.types, limit: singly ? 1 : configuration.batchSize)
            } catch {
                logger.error("relay cannot read the outbox", ["subscriber": subscription.subscriber, "error": "\(error)"])
                await loop.wait(upTo: backoff.next())
                continue
            }
            guard let last = page.events.last else {
                position = page.scannedThrough
                singly = false
                await updateGauges(position: position)
                lastGauges = .now
                await loop.wait(upTo: configuration.idleWait)
                continue
            }
            if ContinuousClock.now - lastGauges > .seconds(1) {
                await updateGauges(position: position)
                lastGauges = .now
            }
            let blockedNow = blocked.withLock { $0 }
            let held = page.events.filter { blockedNow[$0.aggregateID] != nil }
            let toSend = page.events.filter { blockedNow[$0.aggregateID] == nil }
            do {
                var parked = held.map { event in
                    let behind = blockedNow[event.aggregateID]!
                    return ParkedOutboxEvent(
                        event: event, code: Wire.Status.Code.failedPrecondition.rawValue,
                        message: "not tried: waits behind event \(behind) of \(event.aggregateID)", heldBehind: behind)
                }
                var delivered = 0
                if !toSend.isEmpty {
                    let report = try await client.call(Events.deliver, EventBatch(events: toSend.map(envelope)), options: CallOptions(timeout: configuration.callTimeout))
                    let refused = refusals(report, among: toSend)
                    delivered = toSend.count - refused.count
                    parked += refused
                }
                try await settle(parked, through: last.sequence, delivered: delivered)
                position = last.sequence
                singly = false
                if failing {
                    logger.info("relay delivering again", ["subscriber": subscription.subscriber])
                    failing = false
                }
                backoff.reset()
            } catch let error as RPCError where !error.code.isMomentary {
                // Refused as a whole: find the event it refuses by sending one at a time.
                if toSend.count > 1 {
                    singly = true
                    continue
                }
                do {
                    let refused = toSend.map { ParkedOutboxEvent(event: $0, code: error.code.rawValue, message: error.message) }
                    try await settle(refused, through: last.sequence, delivered: 0)
                    position = last.sequence
                } catch {
                    logger.error("relay cannot park an event", ["subscriber": subscription.subscriber, "error": "\(error)"])
                    await loop.wait(upTo: backoff.next())
                }
            } catch {
                state.withLock { $0.failedAttempts += 1 }
                let delay = backoff.next()
                // One line when a streak starts, not one per attempt: a subscriber down for
                // an hour must not flood the log.
                if !failing {
                    logger.warn("relay delivery failed; retrying with backoff", [
                        "subscriber": subscription.subscriber, "endpoint": subscription.endpoint.description,
                        "first_event": page.events[0].eventID, "error": "\(error)",
                    ])
                    failing = true
                }
                await loop.wait(upTo: delay)
            }
        }
    }

    /// The events of `sent` the report refused, as parked events.
    private func refusals(_ report: DeliveryReport, among sent: [OutboxEvent]) -> [ParkedOutboxEvent] {
        let byID = Dictionary(sent.map { ($0.eventID, $0) }, uniquingKeysWith: { a, _ in a })
        return report.refused.compactMap { r in
            byID[r.eventID].map { ParkedOutboxEvent(event: $0, code: Int(r.code), message: r.message, heldBehind: r.heldBehind) }
        }
    }

    /// Parks what was refused or held, then stores the position.
    private func settle(_ parked: [ParkedOutboxEvent], through sequence: Int64, delivered: Int) async throws {
        try await database.park(subscriber: subscription.subscriber, parked, now: clock.now())
        for p in parked where p.heldBehind.isEmpty {
            logger.warn("event parked", [
                "subscriber": subscription.subscriber, "event": p.event.eventID, "type": p.event.type, "aggregate": p.event.aggregateID,
                "code": Wire.Status.Code(rawValue: p.code)?.name ?? "\(p.code)", "message": p.message,
            ])
        }
        blocked.withLock { b in
            for p in parked where b[p.event.aggregateID] == nil { b[p.event.aggregateID] = p.heldBehind.isEmpty ? p.event.eventID : p.heldBehind }
        }
        try await database.markDelivered(subscriber: subscription.subscriber, through: sequence)
        let refused = parked.filter { $0.heldBehind.isEmpty }.count
        state.withLock { s in
            s.delivered += delivered
            s.refused += refused
            s.held += parked.count - refused
        }
    }

    private func updateGauges(position: Int64) async {
        guard let pending = try? await database.pending(after: position, types: subscription.types),
            let parked = try? await database.parkedCount(subscriber: subscription.subscriber)
        else { return }
        state.withLock { s in
            s.pending = pending.count
            s.oldestPendingMilliseconds = pending.oldestMilliseconds
            s.parked = parked
        }
    }

    // MARK: Replays and discards

    private func runRequests() async {
        while let (request, waiter) = requests.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            do throws(RPCError) {
                waiter.resume(returning: .success(try await perform(request)))
            } catch {
                waiter.resume(returning: .failure(error))
            }
        }
    }

    private func perform(_ request: Request) async throws(RPCError) -> ReplayOutcome {
        let id: Int64
        let discard: Bool
        switch request {
        case let .replay(i): (id, discard) = (i, false)
        case let .discard(i): (id, discard) = (i, true)
        }
        do {
            guard var group = try await database.parkedAggregate(of: id), let target = group.first(where: { $0.id == id }) else {
                throw RPCError.notFound("parked event \(id) does not exist")
            }
            var outcome = ReplayOutcome()
            if discard {
                guard target.heldBehind.isEmpty else {
                    throw RPCError(.failedPrecondition, "parked event \(id) was not refused: it waits behind event \(target.heldBehind); replay or discard that one")
                }
                try await database.unpark(ids: [id])
                logger.warn("parked event discarded", ["subscriber": subscription.subscriber, "event": target.event.eventID, "type": target.event.type])
                group.removeAll { $0.id == id }
            }
            let aggregate = target.event.aggregateID
            // Until nothing is held for the aggregate, or the subscriber refuses again.
            while !group.isEmpty {
                let report = try await deliverInOrder(group.map(\.event))
                let refused = Set(report.refused.map(\.eventID))
                let taken = group.filter { !refused.contains($0.event.eventID) }
                try await database.unpark(ids: taken.map(\.id))
                outcome.delivered += Int64(taken.count)
                state.withLock { $0.delivered += taken.count }
                let again = refusals(report, among: group.map(\.event))
                if !again.isEmpty {
                    try await database.park(subscriber: subscription.subscriber, again, now: clock.now())
                    let first = again.first { $0.heldBehind.isEmpty }?.event.eventID ?? again[0].heldBehind
                    blocked.withLock { $0[aggregate] = first }
                    outcome.stillParked = (try await database.parkedAggregate(of: id) ?? []).map(Self.parkedMessage)
                    return outcome
                }
                group = try await database.parkedEvents(subscriber: subscription.subscriber, afterID: 0, limit: 100_000)
                    .filter { $0.event.aggregateID == aggregate }
            }
            blocked.withLock { $0[aggregate] = nil }
            loop.wake()
            return outcome
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.unavailable, "\(error)")
        }
    }

    /// Sends events of one aggregate and reports what was refused. A subscriber that
    /// refuses a whole batch (an older one) is sent them one at a time, up to the first
    /// it refuses; the rest wait behind that one. Failures of the moment are thrown.
    private func deliverInOrder(_ events: [OutboxEvent]) async throws(RPCError) -> DeliveryReport {
        let options = CallOptions(timeout: configuration.callTimeout)
        do {
            return try await client.call(Events.deliver, EventBatch(events: events.map(envelope)), options: options)
        } catch where !error.code.isMomentary && events.count > 1 {
            for (i, event) in events.enumerated() {
                do {
                    _ = try await client.call(Events.deliver, EventBatch(events: [envelope(event)]), options: options)
                } catch where !error.code.isMomentary {
                    var report = DeliveryReport()
                    report.refused.append(RefusedEvent(eventID: event.eventID, code: Int64(error.code.rawValue), message: error.message))
                    for later in events[(i + 1)...] {
                        report.refused.append(RefusedEvent(
                            eventID: later.eventID, code: Int64(Wire.Status.Code.failedPrecondition.rawValue),
                            message: "not tried: waits behind event \(event.eventID) of \(event.aggregateID)", heldBehind: event.eventID))
                    }
                    return report
                }
            }
            return DeliveryReport()
        } catch where !error.code.isMomentary {
            return DeliveryReport(refused: [RefusedEvent(eventID: events[0].eventID, code: Int64(error.code.rawValue), message: error.message)])
        }
    }

    static func parkedMessage(_ p: ParkedOutboxEvent) -> ParkedEvent {
        ParkedEvent(
            id: p.id, subscriber: p.subscriber, eventID: p.event.eventID, type: p.event.type, aggregateID: p.event.aggregateID,
            sequence: p.event.sequence, code: p.heldBehind.isEmpty ? (Wire.Status.Code(rawValue: p.code)?.name ?? "\(p.code)") : "waiting",
            message: p.message, attempts: Int64(p.attempts), parkedAtMilliseconds: p.parkedAtMilliseconds,
            lastAttemptAtMilliseconds: p.lastAttemptAtMilliseconds, heldBehind: p.heldBehind)
    }
}
