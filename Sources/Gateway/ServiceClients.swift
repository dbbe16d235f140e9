import Contracts
import WebhookHub
import RPC

/// A service the gateway routes to: its name in configuration (`GATEWAY_SERVICES=
/// contacts=host:port,...`), its contract's service id, where it listens by default,
/// and the variable earlier configurations named it by.
public struct ServiceBinding: Sendable {
    public let name: String
    public let id: String
    public let defaultEndpoint: String
    public let legacyVariable: String
    /// Newer services a deployment may not run yet: /readyz waits for one only when it is
    /// configured (named in GATEWAY_SERVICES or its own variable); its routes answer 503 until it is there.
    public var optional = false

    /// Every service with routes in the gateway: a new service adds its line here and
    /// its routes module.
    public static let all = [
        ServiceBinding(name: "contacts", id: Contacts.service, defaultEndpoint: "127.0.0.1:7101", legacyVariable: "CONTACTS"),
        ServiceBinding(name: "deals", id: Deals.service, defaultEndpoint: "127.0.0.1:7102", legacyVariable: "DEALS"),
        ServiceBinding(name: "scheduling", id: Scheduling.service, defaultEndpoint: "127.0.0.1:7104", legacyVariable: "SCHEDULING", optional: true),
        ServiceBinding(name: "billing", id: Billing.service, defaultEndpoint: "127.0.0.1:7105", legacyVariable: "BILLING", optional: true),
        ServiceBinding(name: "notifications", id: Notifications.service, defaultEndpoint: "127.0.0.1:7106", legacyVariable: "NOTIFICATIONS", optional: true),
    ]
}

/// The RPC clients of the services, one per reactor the HTTP server spreads connections
/// over, so a handler's calls never change threads.
public final class ServiceClients: Sendable {
    private let clients: [String: [RPCClient]]
    private let awaited: Set<String>

    /// `clients`: by service id, one per reactor (the first serves other threads);
    /// `awaited`: the ids readiness asks (nil: all).
    public init(_ clients: [String: [RPCClient]], awaited: Set<String>? = nil) {
        precondition(clients.values.allSatisfy { !$0.isEmpty }, "every service needs a client")
        self.clients = clients
        self.awaited = awaited ?? Set(clients.keys)
    }

    /// The client for `service` on the current reactor.
    func client(for service: String) -> RPCClient {
        guard let list = clients[service] else { preconditionFailure("no client for \(service): add it to ServiceBinding.all") }
        return list.first { $0.reactor.isCurrent } ?? list[0]
    }

    /// The client for the service configured as `name` (`deals`), for methods every
    /// service serves (EventAdmin).
    func client(named name: String) -> RPCClient? {
        ServiceBinding.all.first { $0.name == name }.map { client(for: $0.id) }
    }

    /// The client for the service configured as `name`, nil when this deployment does not
    /// run it (an optional service not named, which the gateway still has a client for).
    func configured(named name: String) -> RPCClient? {
        guard let binding = ServiceBinding.all.first(where: { $0.name == name }), clients[binding.id] != nil, awaited.contains(binding.id) else { return nil }
        return client(for: binding.id)
    }

    /// Every service with the client to ask for its health.
    var services: [(id: String, client: RPCClient)] { clients.keys.sorted().filter(awaited.contains).map { ($0, clients[$0]![0]) } }
}

extension HookTargets {
    /// The webhook hub's targets: the gateway's own clients, on the current reactor.
    init(_ services: ServiceClients, _ telephony: TelephonyReplicas?) {
        self.init(
            service: { services.client(for: $0) },
            telephony: telephony.map { replicas in
                Telephony(numbers: replicas.numbers) { number in
                    let owner = replicas.owner(ofNumber: number)
                    return (replicas.names[owner], replicas.client(owner))
                }
            })
    }
}
