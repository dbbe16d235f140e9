import Synchronization
import Wire

/// Calls a service that runs as several endpoints. Round-robin spreads calls for
/// stateless services; rendezvous hashing sends every call for one key (a client's
/// phone number for telephony) to the same replica, and a down replica makes only its
/// own keys unavailable: they are never silently served by another.
public final class RPCChannel: Sendable {
    public enum Balancing: Sendable {
        case roundRobin
        case rendezvous
    }

    public let endpoints: [Endpoint]
    public let balancing: Balancing
    public let clients: [RPCClient]
    private let next = Atomic<Int>(0)

    public init(endpoints: [Endpoint], balancing: Balancing, configuration: RPCClient.Configuration = .init()) {
        precondition(!endpoints.isEmpty, "a channel needs at least one endpoint")
        self.endpoints = endpoints
        self.balancing = balancing
        self.clients = endpoints.map { RPCClient(endpoint: $0, configuration: configuration) }
    }

    /// The client that serves `key` (rendezvous) or the next in turn (round-robin).
    public func client(forKey key: String? = nil) -> RPCClient {
        switch balancing {
        case .roundRobin:
            let n = next.wrappingAdd(1, ordering: .relaxed).oldValue
            return clients[(n % clients.count + clients.count) % clients.count]
        case .rendezvous:
            precondition(key != nil, "a rendezvous channel needs a key for every call")
            return clients[RendezvousHash.pick(key: key!, names: endpoints.map(\.name))!]
        }
    }

    public func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, key: String? = nil,
        options: CallOptions = CallOptions()
    ) async throws(RPCError) -> Response {
        try await client(forKey: key).call(method, request, options: options)
    }

    public func shutdown() {
        for client in clients { client.shutdown() }
    }
}
