import FoundationEssentials
import Glibc
import Sockets
import Storage

/// Everything that makes a service one: its name and prefix, its default port, its
/// database's migrations, the settings it reads and how it sets itself up on a host.
/// Declared in the service's library, so its executable is one line
/// (`ServiceHost.run(.contacts)`) and a test can host it in-process
/// (``ServiceHost/start(_:environment:logger:)``).
public struct ServiceDefinition: HostedProcess {
    public let service: String
    /// Its settings' prefix, `CONTACTS` for `CONTACTS_PORT`.
    public let prefix: String
    public let defaultPort: Int
    public let migrations: [Migration]
    /// What it reads besides the host's own (``ServiceHost/settings``).
    public let settings: [Setting]
    /// The setting naming this process among its service's replicas (telephony's
    /// `REPLICA`): its identity, the name its certificate carries. nil: the service's name.
    public let identity: Setting?
    /// Registers its handlers, event handlers, timers and loops; runs before it serves.
    public let setUp: @Sendable (HostContext) async throws -> Void

    public init(
        service: String, prefix: String, defaultPort: Int, migrations: [Migration], settings: [Setting], identity: Setting? = nil,
        setUp: @escaping @Sendable (HostContext) async throws -> Void
    ) {
        self.identity = identity
        self.service = service
        self.prefix = prefix
        self.defaultPort = defaultPort
        self.migrations = migrations
        self.settings = settings
        self.setUp = setUp
    }

    public var declaredSettings: [Setting] { ServiceHost.settings + settings + [.defaultCountry, .timeZone] }

    /// The name its certificate carries (``identity``).
    public func identity(in environment: ServiceEnvironment) -> String {
        identity.map { environment.string($0) } ?? service
    }

    public func start(_ environment: ServiceEnvironment, logger: Logger) async throws -> RunningService {
        try await ServiceHost.serve(self, environment: environment, logger: logger)
    }

    public func healthcheck(_ environment: ServiceEnvironment) -> Int32 {
        let host = environment.string(ServiceHost.host)
        do {
            let port = try environment.int(ServiceHost.port, fallback: defaultPort)
            let security = try TransportSecurity.load(environment, identity: identity(in: environment), logger: Logger(service: service, write: { _ in }))
            return ServiceHost.healthcheck(host: host == "0.0.0.0" ? "127.0.0.1" : host, port: port, security: security)
        } catch {
            StandardStream.error.write("\(service) healthcheck: invalid configuration: \(error)\n")
            return 1
        }
    }
}
