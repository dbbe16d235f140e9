/// A process ``ServiceHost`` runs: a service (``ServiceDefinition``) or the gateway.
/// Each declares the variables it reads, so the host refuses an undeclared read and
/// Compose/README.md's table of settings is written from the same declarations.
public protocol HostedProcess: Sendable {
    /// Its name in logs and in the readiness line: `contacts`, `gateway`.
    var service: String { get }
    /// Its settings' prefix, `CONTACTS` for `CONTACTS_PORT`.
    var prefix: String { get }
    /// The variables the table lists under its prefix.
    var settings: [Setting] { get }
    /// Every variable it may read: its own and any the host reads for it.
    var declaredSettings: [Setting] { get }
    /// Serves once this returns, configured from `environment`; throws ``StartFailure``
    /// naming what stopped it.
    func start(_ environment: ServiceEnvironment, logger: Logger) async throws -> RunningService
    /// `<exe> healthcheck`: asks the running process whether it serves; 0 when it does.
    func healthcheck(_ environment: ServiceEnvironment) -> Int32
}

extension HostedProcess {
    /// `values` read as this process's environment, reads of undeclared variables refused.
    public func environment(_ values: [String: String]) -> ServiceEnvironment {
        ServiceEnvironment(prefix: prefix, values: values, declared: Set(declaredSettings))
    }
}
