import Contracts
import RPC
import Storage
import Wire

/// Every service's `EventAdmin` (P2): its parked events listed from its database;
/// replays and discards handed to the relay of the event's subscriber, which runs them
/// between its deliveries.
public struct EventAdminAPI: RegistrableRPCService {
    let database: Database
    let relays: [String: OutboxRelay]

    public init(database: Database, relays: [OutboxRelay]) {
        self.database = database
        self.relays = Dictionary(relays.map { ($0.subscription.subscriber, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func registerMethods(with server: RPCServer) {
        server.register(EventAdmin.listParked) { request, _ in try await list(request) }
        server.register(EventAdmin.replayParked) { request, _ in try await relay(for: request.id).replay(request.id) }
        server.register(EventAdmin.discardParked) { request, _ in try await relay(for: request.id).discard(request.id) }
    }

    func list(_ request: ListParkedRequest) async throws -> ParkedEventList {
        if !request.subscriber.isEmpty, relays[request.subscriber] == nil {
            throw RPCError.invalidArgument(
                "this service has no subscriber \(request.subscriber)",
                details: [FieldViolation(field: "subscriber", description: "is not one of: \(relays.keys.sorted().joined(separator: ", "))")])
        }
        let page = try PageRequest(size: request.pageSize, cursor: request.cursor, default: 100, maximum: 500)
        let fetched = try await database.parkedEvents(subscriber: request.subscriber, afterID: page.afterID, limit: page.limit + 1)
        let (items, next) = page.page(fetched, id: \.id)
        return ParkedEventList(events: items.map(OutboxRelay.parkedMessage), nextCursor: next)
    }

    /// The relay of the subscriber the event is parked for.
    func relay(for id: Int64) async throws -> OutboxRelay {
        guard let parked = try await database.parkedEvent(id: id) else { throw RPCError.notFound("parked event \(id) does not exist") }
        guard let relay = relays[parked.subscriber] else {
            throw RPCError(.failedPrecondition, "parked event \(id) is for \(parked.subscriber), no longer a subscriber of this service; configure it again to replay")
        }
        return relay
    }
}
