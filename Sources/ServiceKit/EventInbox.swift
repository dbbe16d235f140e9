import ContractServices
import Contracts
import FoundationEssentials
import Glibc
import RPC
import Storage
import Synchronization
import Wire

/// The receiving side of events (P2): serves `Events.Deliver`. Each event of a batch is
/// applied in its own savepoint of one transaction, with its inbox record, so an event
/// delivered twice takes effect once and one bad event does not undo its neighbours.
/// An event its handler refuses for its own reasons is reported back (the sender parks
/// it), and so are the later events of its aggregate in the batch, untried, so order per
/// aggregate holds. A failure that is not the event's (the database busy, a service it
/// needs down) fails the whole batch: the sender sends it again later. Types nobody
/// handles are recorded and ignored: a sender may add events before its subscribers care.
public final class EventInbox: Events.ServiceProtocol {
    /// Applies one event inside the transaction that records it.
    public typealias Handler = @Sendable (EventEnvelope, Transaction) throws -> Void

    private let database: Database
    private let handlers = Mutex<[String: Handler]>([:])
    /// Where an applied event of a sampled trace is recorded as a span (P5).
    private let spans: SpanRecorder?

    public init(database: Database, spans: SpanRecorder? = nil) {
        self.database = database
        self.spans = spans
    }

    /// Handles events of `type`; register before the server starts.
    public func on(_ type: String, _ handler: @escaping Handler) {
        handlers.withLock { $0[type] = handler }
    }

    /// The event types with a handler.
    public var types: Set<String> { Set(handlers.withLock { $0.keys }) }

    /// What is wrong when the handlers are not exactly what the topology sends `process`
    /// (a handler nobody feeds, or events that would be recorded and ignored); nil when
    /// they agree.
    public func disagreement(with process: Topology.Process) -> String? {
        let declared = Set(Topology.takes(process)), handled = types
        guard declared != handled else { return nil }
        var problems: [String] = []
        let unfed = handled.subtracting(declared).sorted(), unhandled = declared.subtracting(handled).sorted()
        if !unfed.isEmpty { problems.append("handles \(unfed.joined(separator: ", ")), which the topology sends it from nobody") }
        if !unhandled.isEmpty { problems.append("has no handler for \(unhandled.joined(separator: ", ")), which the topology sends it") }
        return "\(process.rawValue) " + problems.joined(separator: " and ") + " (Protocols/Contracts/Topology.swift)"
    }

    /// Takes a batch only from the process the topology names as the publisher of every
    /// event in it: a caller's certificate (PROTOCOL.md §1) cannot deliver another
    /// service's events, so `contact.merged` comes from contacts or not at all.
    public func deliver(_ batch: EventBatch, context: ServerContext) async throws -> DeliveryReport {
        if let refusal = Self.refusal(of: batch, from: context.peerIdentity) { throw refusal }
        let started = Date()
        let report = try await apply(batch)
        // P5: each event of a sampled trace is a span of the subscriber, its publisher's span the parent.
        if let spans {
            let refused = Set(report.refused.map(\.eventID))
            for event in batch.events {
                guard let publisher = TraceContext(header: event.traceparent), publisher.sampled else { continue }
                spans.record(Span(
                    name: "apply \(event.type)", kind: .consumer, trace: publisher.child(), parentSpanID: publisher.spanID, start: started, end: Date(),
                    failed: refused.contains(event.id), attributes: ["event.id": event.id, "event.type": event.type, "event.source": event.source]))
            }
        }
        return report
    }

    /// Why `caller` may not deliver `batch`; nil when it may. In-process and plaintext
    /// callers prove no identity, so nothing is checked (the server let them in).
    public static func refusal(of batch: EventBatch, from caller: PeerIdentity) -> RPCError? {
        guard let service = caller.service else { return nil }
        let published = Topology.Process(rawValue: service).map { Set(Topology.publishes($0)) } ?? []
        guard let foreign = batch.events.first(where: { !published.contains($0.type) }) else { return nil }
        return RPCError(.permissionDenied, "\(caller) does not publish \(foreign.type) (Protocols/Contracts/Topology.swift)")
    }

    /// Whether a failure is the moment's (try the batch again) rather than the event's.
    static func isTransient(_ error: any Error) -> Bool {
        if let rpc = error as? RPCError { return rpc.code.isMomentary }
        if let storage = error as? StorageError { return storage.kind == .busy }
        return error is CancellationError
    }

    /// Applies the batch event by event; returns what was refused.
    public func apply(_ batch: EventBatch) async throws -> DeliveryReport {
        let handlers = self.handlers.withLock { $0 }
        return try await database.write { transaction in
            var report = DeliveryReport()
            var blocked: [String: String] = [:]
            for event in batch.events {
                if let behind = blocked[event.aggregateID] {
                    report.refused.append(RefusedEvent(
                        eventID: event.id, code: Int64(Status.Code.failedPrecondition.rawValue),
                        message: "not tried: waits behind event \(behind) of \(event.aggregateID)", heldBehind: behind))
                    continue
                }
                do {
                    guard !event.id.isEmpty else { throw RPCError(.invalidArgument, "an event without an id cannot be deduplicated") }
                    try transaction.savepoint {
                        guard try transaction.recordReceived(eventID: event.id) else { return }
                        try handlers[event.type]?(event, transaction)
                    }
                } catch where Self.isTransient(error) {
                    throw error
                } catch {
                    let rpc = (error as? RPCError) ?? (error as? any RPCErrorConvertible)?.rpcError
                    report.refused.append(RefusedEvent(
                        eventID: event.id, code: Int64((rpc?.code ?? .invalidArgument).rawValue), message: rpc?.message ?? "\(error)"))
                    blocked[event.aggregateID] = event.id
                }
            }
            return report
        }
    }
}
