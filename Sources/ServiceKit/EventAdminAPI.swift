import ContractServices
import Contracts
import RPC
import Storage
import Wire

/// Every service's `EventAdmin` (P2): its parked events listed from its databases (its
/// own and any other it publishes from, each an ``EventSource``); replays and discards
/// handed to the relay of the event's subscriber, which runs them between deliveries.
public struct EventAdminAPI: EventAdmin.ServiceProtocol {
    let sources: [EventSource]
    /// The service's name, as its events' `source`.
    let service: String

    public init(sources: [EventSource], service: String = "") {
        self.sources = sources
        self.service = service
    }

    public init(database: Database, relays: [OutboxRelay]) {
        self.init(sources: [EventSource(name: "main", database: database, relays: relays)])
    }

    public func tail(_ request: TailRequest, context _: ServerContext) async throws -> TailPage {
        guard request.limit >= 0 && request.limit <= 1000 else {
            throw RPCError.invalidArgument("limit is 1...1000", details: [FieldViolation(field: "limit", description: "is \(request.limit)")])
        }
        var page = TailPage()
        guard request.cursors.count == sources.count else {
            for source in sources { page.cursors.append(try await source.database.lastOutboxSequence()) }
            return page
        }
        let types = request.types.isEmpty ? nil : Set(request.types)
        var room = request.limit == 0 ? 200 : Int(request.limit)
        for (source, cursor) in zip(sources, request.cursors) {
            guard room > 0 else {
                page.cursors.append(cursor)
                continue
            }
            let found = try await source.database.events(after: cursor, types: types, limit: room)
            room -= found.events.count
            page.events += found.events.map {
                EventEnvelope(
                    id: $0.eventID, type: $0.type, aggregateID: $0.aggregateID, sequence: $0.sequence,
                    occurredAtMilliseconds: $0.createdAtMilliseconds, source: service, payload: $0.payload)
            }
            // Full: continue after the last event taken, not after what was scanned past it.
            page.cursors.append(room == 0 ? (found.events.last?.sequence ?? cursor) : max(cursor, found.scannedThrough))
        }
        return page
    }

    var subscribers: Set<String> { Set(sources.flatMap { $0.relays.map(\.subscription.subscriber) }) }

    public func listParked(_ request: ListParkedRequest, context _: ServerContext) async throws -> ParkedEventList {
        try await list(request)
    }

    public func replayParked(_ request: ParkedEventRequest, context _: ServerContext) async throws -> ReplayOutcome {
        let (relay, local, source) = try await relay(for: request.id)
        return Self.global(try await relay.replay(local), source: source)
    }

    public func discardParked(_ request: ParkedEventRequest, context _: ServerContext) async throws -> ReplayOutcome {
        let (relay, local, source) = try await relay(for: request.id)
        return Self.global(try await relay.discard(local), source: source)
    }

    static func global(_ outcome: ReplayOutcome, source: Int) -> ReplayOutcome {
        var out = outcome
        out.stillParked = out.stillParked.map { var e = $0; e.id = EventSource.globalID(source: source, local: e.id); return e }
        return out
    }

    func list(_ request: ListParkedRequest) async throws -> ParkedEventList {
        if !request.subscriber.isEmpty, !subscribers.contains(request.subscriber) {
            throw RPCError.invalidArgument(
                "this service has no subscriber \(request.subscriber)",
                details: [FieldViolation(field: "subscriber", description: "is not one of: \(subscribers.sorted().joined(separator: ", "))")])
        }
        let page = try PageRequest(size: request.pageSize, cursor: request.cursor, default: 100, maximum: 500)
        let (startSource, startLocal) = EventSource.split(page.afterID)
        var fetched: [ParkedEvent] = []
        // Source by source, each in id order: one global order that a cursor continues.
        for (index, source) in sources.enumerated() where index >= startSource && fetched.count <= page.limit {
            let after = index == startSource ? startLocal : 0
            let rows = try await source.database.parkedEvents(subscriber: request.subscriber, afterID: after, limit: page.limit + 1 - fetched.count)
            fetched += rows.map { p in
                var e = OutboxRelay.parkedMessage(p)
                e.id = EventSource.globalID(source: index, local: p.id)
                return e
            }
        }
        let (items, next) = page.page(fetched, id: \.id)
        return ParkedEventList(events: items, nextCursor: next)
    }

    /// The relay of the subscriber the event is parked for, the event's id in its file, and the file.
    func relay(for id: Int64) async throws -> (OutboxRelay, Int64, Int) {
        let (index, local) = EventSource.split(id)
        guard sources.indices.contains(index), let parked = try await sources[index].database.parkedEvent(id: local) else {
            throw RPCError.notFound("parked event \(id) does not exist")
        }
        guard let relay = sources[index].relays.first(where: { $0.subscription.subscriber == parked.subscriber }) else {
            throw RPCError(.failedPrecondition, "parked event \(id) is for \(parked.subscriber), no longer a subscriber of this service; configure it again to replay")
        }
        return (relay, local, index)
    }
}
