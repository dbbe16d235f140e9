import CEpoll
import ContractServices
import Contracts
import Dispatch
import FoundationEssentials
import Glibc
import RPC
import Sockets
import Storage
import Synchronization
import Wire

/// What a service's setup gets from the host.
public struct HostContext: Sendable {
    public let environment: ServiceEnvironment
    public let database: Database
    public let server: RPCServer
    public let logger: Logger
    /// Its identity and TLS: every client it makes calls with them.
    public let security: TransportSecurity
    /// Register handlers for other services' events here (P2).
    public let inbox: EventInbox
    /// Register handlers for this service's durable timers here.
    public let timers: TimerRunner
    /// The time of day for the service's rules; tests give a hand-set one.
    public let clock: WallClock
    /// `P_DATA_DIR`: where the service's database lives (and any other files it keeps).
    public let dataDirectory: String
    let background: ServiceGroup
    let eventSources: EventSourceList
    let subscribers: [(name: String, types: Set<String>?)]

    /// C8: the events this service keeps, for a person's erasure.
    public var eventErasure: EventErasure {
        let (main, extra) = (database, eventSources)
        return EventErasure(databases: { [main] + extra.all.map(\.database) }, subscribers: subscribers)
    }

    /// Publishes the events committed in `database`'s outbox too (a service that keeps
    /// more than one file): the host relays them to the subscribers like its own.
    public func publishEvents(from database: Database, named name: String) {
        eventSources.add(name, database)
    }

    /// A client for another process at `endpoint`, whose ``Endpoint/name`` is the
    /// identity its certificate must carry; calling with this process's certificate,
    /// reconnecting within two seconds once that process is back.
    public func client(_ endpoint: Endpoint) -> RPCClient {
        var configuration = RPCClient.Configuration()
        configuration.caller = logger.service
        configuration.security = security.client
        configuration.backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(2))
        return RPCClient(endpoint: endpoint, configuration: configuration)
    }

    /// A client for `identity` (`contacts`), at the address `setting` holds (`host:port`).
    public func client(_ setting: Setting, serving identity: String) throws(ConfigurationError) -> RPCClient {
        var endpoint = try environment.endpoint(setting)
        endpoint.name = identity
        return client(endpoint)
    }

    /// Deals, asked whether a deal exists and the call's principal sees it (G3, issue 24),
    /// at the address `setting` names; nil when it says `none` (a deployment that checks
    /// nothing, the benchmarks), logged as a warning naming what goes unchecked.
    public func dealReferences(_ setting: Setting, unchecked: String) throws(ConfigurationError) -> DealReferences? {
        guard environment.string(setting) != "none" else {
            logger.warn("\(unchecked) are not checked against deals: any deal id is taken", ["variable": environment.name(of: setting)])
            return nil
        }
        return DealReferences(deals: try client(setting, serving: "deals"))
    }

    /// Runs `service` once the host serves, and stops it at shutdown, before the host's
    /// own loops (the relays deliver what it produced until the end).
    public func runInBackground(_ name: String, _ service: any BackgroundService) {
        background.add(name, service)
    }
}

/// A service started by ``ServiceHost/start(_:environment:logger:)``: serving until
/// ``stop()``.
public final class RunningService: Sendable {
    /// `P_HOST`: the address it listens on.
    public let host: String
    public let port: Int
    public let adminPort: Int
    /// `P_GRACE_SECONDS`: how long calls in flight may take once stopping.
    public let grace: Int
    /// The service's RPC server, for callers in the same process (nil for the gateway,
    /// which serves HTTP).
    public let rpcServer: RPCServer?
    private let stopping: @Sendable () async -> Void
    private let stopped = OnceFlag()

    /// `stopping` runs at the first ``stop()``.
    public init(
        host: String, port: Int, adminPort: Int, grace: Int, rpcServer: RPCServer? = nil, stopping: @escaping @Sendable () async -> Void
    ) {
        self.host = host
        self.port = port
        self.adminPort = adminPort
        self.grace = grace
        self.rpcServer = rpcServer
        self.stopping = stopping
    }

    /// A client of this service from the same process (``RPCClient/init(inProcess:name:configuration:)``):
    /// no port, the wire's bytes. Only for a service hosted here.
    public func inProcessClient(name: String, configuration: RPCClient.Configuration = .init()) -> RPCClient {
        guard let rpcServer else { preconditionFailure("\(name) serves no RPC in this process") }
        return RPCClient(inProcess: rpcServer, name: name, configuration: configuration)
    }

    /// Stops taking calls, drains those in flight within the grace, stops the loops
    /// (relays last) and checkpoints the database. A second call does nothing.
    public func stop() async {
        guard stopped.setOnce() else { return }
        await stopping()
    }
}

/// Why a service could not start: the message names the variable or the cause.
public struct StartFailure: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// The host of every service (P1): reads configuration from the environment, opens the
/// service's SQLite file, serves RPC and its admin port, runs its loops and relays.
/// ``run(_:)`` is the main of every service executable: on SIGTERM or SIGINT it stops
/// taking calls, drains those in flight, checkpoints the WAL and exits 0.
/// ``start(_:environment:logger:)`` hosts a service in the calling process (tests).
///
/// `<exe> healthcheck` instead connects to the running service, calls Health and exits
/// 0 when it is serving, 1 otherwise: the probe Compose and Kubernetes run.
public enum ServiceHost {
    static let host = Setting.text("HOST", fallback: "127.0.0.1", "address to listen on (`0.0.0.0` in containers)")
    static let port = Setting.integer("PORT", fallback: 0, range: 0...65535, shown: "per service", "RPC port; `0` picks a free one (printed on stdout)")
    static let adminPort = Setting.integer(
        "ADMIN_PORT", fallback: 0, range: 0...65535, shown: "RPC port + 1000", "HTTP: `/livez`, `/readyz`, `/metrics`")
    static let adminHost = Setting.text(
        "ADMIN_HOST", fallback: "127.0.0.1",
        "where the admin port listens: loopback unless you open it (e.g. `0.0.0.0` for a Prometheus in the same network), whatever `P_HOST` is")
    static let dataDirectory = Setting.text("DATA_DIR", shown: "`./data/<service>`", "where the SQLite file lives")
    static let grace = Setting.integer("GRACE_SECONDS", fallback: 10, range: 0...3600, "on SIGTERM, how long calls in flight may take to finish")
    static let subscribers = Setting.text(
        "SUBSCRIBERS",
        """
        where this service's subscribers listen: `deals@deals:7102;notifications@notifications:7106` (telephony's replicas \
        as `telephony-0@...`). What each gets is declared once in `Protocols/Contracts/Topology.swift`; a subscriber the \
        topology names but the variable leaves out is logged at start. Any other subscriber (an audit sink) lists its types: \
        `audit@host:port=type,type` (`*`: all)
        """)
    static let outboxRetention = Setting.integer(
        "OUTBOX_RETENTION_HOURS", fallback: 168, range: 1...87_600, "sent events every subscriber acknowledged are deleted after this")
    static let inboxRetention = Setting.integer(
        "INBOX_RETENTION_HOURS", fallback: 720, range: 24...87_600,
        "how long a received event id is remembered (redeliveries within it change nothing)")
    static let clockFile = Setting.text(
        "CLOCK_FILE", shown: "none (the system clock)",
        """
        for rehearsals and scripted tests only: the service's business time (callbacks, leases, calling hours, retention, \
        and the time every event and received event is stamped with) is read from this file, UTC milliseconds as text; \
        never set it in production
        """)
    static let parentPID = Setting.text(
        ParentWatch.variable,
        """
        (no prefix) the supervisor that started the service; once that process is gone (killed with -9, crashed) the \
        service stops as on SIGTERM within a second. `switchboard up` and the tests set it; Compose and Kubernetes need not
        """, scope: .shared)

    /// What every service reads, before its own ``ServiceDefinition/settings``.
    public static let settings: [Setting] = [
        host, port, adminPort, adminHost, dataDirectory, grace, subscribers, outboxRetention, inboxRetention, clockFile, parentPID,
        .otlpEndpoint, .outboundAllow,
    ] + TransportSecurity.settings

    /// Runs `process` as this process until SIGTERM or SIGINT; never returns.
    public static func run(_ process: some HostedProcess) -> Never {
        host(process)
    }

    // `any`, not `some`: Swift 6.3.1's release build specialized this for
    // ServiceDefinition and the specialized closure below handed `start` a corrupt copy of
    // the definition, so every release service crashed at start (the debug build, and
    // the tests, were right). `.ci/release-smoke` starts release builds to hold this.
    private static func host(_ process: any HostedProcess) -> Never {
        let logger = Logger(service: process.service)
        let environment = process.environment(ProcessInfo.processInfo.environment)
        if CommandLine.arguments.dropFirst().first == "healthcheck" { exit(process.healthcheck(environment)) }
        let running: RunningService
        do {
            running = try waitFor { try await process.start(environment, logger: logger) }
        } catch {
            fail(logger, "\(error)")
        }
        // Opening and migrating every file freed most of what it allocated, spread over
        // the threads that did it; glibc keeps such pages inside its per-thread arenas
        // unless told to give them back (telephony's 17 files: ~5 MB, issue 30).
        _ = cepoll_malloc_trim()
        announceListening(service: process.service, host: running.host, port: running.port, adminPort: running.adminPort)
        runUntilStopped(logger: logger, grace: running.grace) { await running.stop() }
    }

    /// Runs the service `definition` as this process (`ServiceHost.run(.contacts)`).
    public static func run(_ definition: ServiceDefinition) -> Never {
        host(definition)
    }

    /// Hosts `process` in this process with the variables in `values`: it serves once
    /// this returns. Throws ``StartFailure`` naming what stopped it.
    public static func start(
        _ process: some HostedProcess, environment values: [String: String] = ProcessInfo.processInfo.environment, logger: Logger? = nil
    ) async throws -> RunningService {
        try await begin(process, values, logger)
    }

    private static func begin(_ process: any HostedProcess, _ values: [String: String], _ logger: Logger?) async throws -> RunningService {
        try await process.start(process.environment(values), logger: logger ?? Logger(service: process.service))
    }

    /// Hosts the service `definition` in this process (`ServiceHost.start(.contacts)`).
    public static func start(
        _ definition: ServiceDefinition, environment values: [String: String] = ProcessInfo.processInfo.environment, logger: Logger? = nil
    ) async throws -> RunningService {
        try await begin(definition, values, logger)
    }

    /// Serves `definition` configured from `environment`: its database, RPC server,
    /// admin port, inbox, timers, relays and loops.
    static func serve(_ definition: ServiceDefinition, environment: ServiceEnvironment, logger: Logger) async throws -> RunningService {
        let service = definition.service
        let host = environment.string(Self.host)
        // The admin port (metrics, readiness) listens on loopback unless told otherwise,
        // even when the RPC port faces the network (P_HOST=0.0.0.0 in containers).
        let adminHost = environment.string(Self.adminHost)
        let port: Int
        let adminPort: Int
        let grace: Int
        let subscriptions: [Subscription]
        let retention: EventRetention
        let process = Topology.Process(rawValue: service)
        do {
            subscriptions = try Subscription.parse(
                environment.string(Self.subscribers), variable: environment.name(of: Self.subscribers), publisher: process)
            port = try environment.int(Self.port, fallback: definition.defaultPort)
            adminPort = try environment.int(Self.adminPort, fallback: port == 0 ? 0 : port + 1000)
            grace = try environment.int(Self.grace)
            retention = EventRetention(
                outbox: .seconds(3600 * (try environment.int(outboxRetention))), inbox: .seconds(3600 * (try environment.int(inboxRetention))))
        } catch {
            throw StartFailure(description: "invalid configuration: \(error)")
        }
        let dataDirectory = environment.string(Self.dataDirectory, fallback: "./data/\(service)")
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw StartFailure(description: "cannot create \(environment.name(of: Self.dataDirectory)) \(dataDirectory): \(error)")
        }
        // Before the database: a process without its certificate stops with nothing to close.
        let security = try TransportSecurity.load(environment, identity: definition.identity(in: environment), logger: logger)
        let clockFile = environment.string(Self.clockFile)
        let clock = clockFile.isEmpty ? WallClock.system : WallClock.file(clockFile)
        let database: Database
        do {
            var storage = Database.Configuration()
            storage.now = clock.now
            database = try Database(path: "\(dataDirectory)/\(service).sqlite", migrations: definition.migrations, configuration: storage)
        } catch {
            throw StartFailure(description: "cannot open the database: \(error)")
        }
        let spans: SpanRecorder
        do {
            spans = SpanRecorder(logger: logger, exporter: try OTLPExporter.configured(environment, service: service, logger: logger))
        } catch {
            try? await database.close()
            throw StartFailure(description: "invalid configuration: \(error)")
        }
        let metrics = Metrics(service: service)
        var configuration = RPCServer.Configuration(host: host, port: port)
        configuration.log = { event, fields in logger.warn(event, fields) }
        configuration.security = security.server
        // Who may call what is checked first: a refused call costs nothing else.
        configuration.interceptors = [
            CallerAuthorization(allowsUnauthenticated: security.isPlaintext), PrincipalCheck(), CallPropagation(), TraceScope(), MetricsInterceptor(metrics: metrics),
            CallLogInterceptor(logger: logger, spans: spans),
        ]
        let server = RPCServer(configuration: configuration)
        let inbox = EventInbox(database: database, spans: spans)
        var timerConfiguration = TimerRunner.Configuration()
        // A clock read from a file can jump: look at the timers often enough to notice.
        if clock.jumps { timerConfiguration.maximumWait = .milliseconds(100) }
        let timers = TimerRunner(database: database, logger: logger, clock: clock, configuration: timerConfiguration)
        let serviceLoops = ServiceGroup(logger: logger)
        let extraSources = EventSourceList()
        func refuse(_ message: String) async -> StartFailure {
            server.setHealth(.notServing)
            await server.shutdown(gracePeriod: .zero)
            for (_, other) in extraSources.all { try? await other.close() }
            try? await database.close()
            return StartFailure(description: message)
        }
        do {
            try await definition.setUp(HostContext(
                environment: environment, database: database, server: server, logger: logger, security: security, inbox: inbox, timers: timers, clock: clock,
                dataDirectory: dataDirectory, background: serviceLoops, eventSources: extraSources, subscribers: subscriptions.map { ($0.subscriber, $0.types) }))
        } catch {
            throw await refuse("\(error)")
        }
        if let process {
            if let disagreement = inbox.disagreement(with: process) { throw await refuse(disagreement) }
            // Not fatal: a partial stack (a test, a service run alone) leaves some out.
            for (subscriber, types) in Subscription.missing(from: subscriptions, publisher: process) {
                logger.warn("a subscriber of the topology is not configured: it gets none of these events", [
                    "subscriber": subscriber.rawValue, "types": types.joined(separator: ","), "variable": environment.name(of: Self.subscribers),
                ])
            }
        }
        server.register(inbox)
        let sources = ([("main", database)] + extraSources.all).map { name, db in
            EventSource(name: name, database: db, relays: subscriptions.map {
                OutboxRelay(database: db, subscription: $0, source: service, logger: logger, security: security.client, clock: clock)
            })
        }
        server.register(EventAdminAPI(sources: sources, service: service))
        metrics.add { EventMetrics.render(service: service, sources: sources, now: Int64(clock.now().timeIntervalSince1970 * 1000)) }
        // Started in this order, stopped in reverse: the service's own loops first, the
        // relays last, so what the others commit while stopping still gets a delivery try.
        let group = ServiceGroup(logger: logger)
        for source in sources {
            for relay in source.relays { group.add("relay to \(relay.subscription.subscriber)" + (source.name == "main" ? "" : " (\(source.name))"), relay) }
        }
        group.add("timers", timers)
        if let exporter = spans.exporter { group.add("span export", exporter) }
        group.add("event pruning", PeriodicJob("pruning events", every: .seconds(3600), logger: logger) {
            for source in sources {
                let removed = try await retention.prune(source.database, subscribers: subscriptions.map(\.subscriber), now: clock.now())
                if removed.outbox + removed.inbox > 0 {
                    logger.info("pruned events", ["source": source.name, "outbox": "\(removed.outbox)", "inbox": "\(removed.inbox)"])
                }
            }
        })
        for member in serviceLoops.all { group.add(member.name, member.service) }
        do {
            try server.start()
        } catch {
            throw await refuse("cannot listen on \(host):\(port) (\(environment.name(of: Self.port))): \(error)")
        }
        let admin = AdminServer(host: adminHost, port: adminPort, metrics: metrics, rpc: server)
        do {
            try admin.start()
        } catch {
            throw await refuse(
                "cannot listen on \(adminHost):\(adminPort) (\(environment.name(of: Self.adminPort)), \(environment.name(of: Self.adminHost))): \(error)")
        }
        logger.info("started", ["port": "\(server.port)", "admin_port": "\(admin.port)", "data": dataDirectory])
        group.startAll()
        return RunningService(host: host, port: server.port, adminPort: admin.port, grace: grace, rpcServer: server) {
            let deadline = ContinuousClock.now + .seconds(grace)
            await server.shutdown(gracePeriod: .seconds(grace))
            admin.http.shutdown()
            // Whatever the calls left of the grace, and a moment even when they took it all.
            await group.stopAll(by: max(deadline, .now + .milliseconds(500)))
            // The other files it published from, after their relays stopped.
            for source in sources.dropFirst() { try? await source.database.close() }
            do {
                try await database.close()
            } catch {
                logger.error("checkpoint failed", ["error": "\(error)"])
            }
        }
    }

    /// The readiness line on stdout the local runner and the tests wait for.
    public static func announceListening(service: String, host: String, port: Int, adminPort: Int? = nil) {
        let admin = adminPort.map { ",\"admin_port\":\($0)" } ?? ""
        StandardStream.output.write("{\"event\":\"listening\",\"service\":\"\(service)\",\"host\":\"\(host)\",\"port\":\(port)\(admin)}\n")
    }

    /// Serves until SIGTERM or SIGINT, then runs `stop` once (it stops taking work and
    /// finishes what is in flight within `grace`) and exits 0. Never returns: the main
    /// thread runs Dispatch's main loop.
    public static func runUntilStopped(logger: Logger, grace: Int, stop: @escaping @Sendable () async -> Void) -> Never {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stopping = OnceFlag()
        let onSignal: @Sendable () -> Void = {
            guard stopping.setOnce() else { return }
            logger.info("stopping", ["grace_seconds": "\(grace)"])
            // Work that ignores cancellation (a provider's request hanging) must not keep
            // the process alive past its grace: everything committed is durable already.
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(grace + 5)) {
                logger.error("did not stop within the grace; exiting", ["grace_seconds": "\(grace)"])
                exit(1)
            }
            _ = Task.detached {
                await stop()
                logger.info("stopped")
                exit(0)
            }
        }
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler(handler: onSignal)
            source.resume()
            return source
        }
        let parentWatch = ParentWatch.start { parent in
            logger.warn("the process that started this one is gone; stopping", ["parent_pid": "\(parent)"])
            onSignal()
        }
        withExtendedLifetime((sources, parentWatch)) { dispatchMain() }
    }

    /// Refuses to start: the reason in the log and on stderr, exit 1.
    public static func fail(_ logger: Logger, _ message: String) -> Never {
        logger.error("start failed", ["error": message])
        StandardStream.error.write("\(logger.service): \(message)\n")
        exit(1)
    }

    /// Calls Health on the running service; 0 when serving.
    static func healthcheck(host: String, port: Int, security: TransportSecurity) -> Int32 {
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            var configuration = RPCClient.Configuration()
            configuration.connectTimeout = .seconds(2)
            configuration.retry = .none
            // It asks as the service itself, with its own certificate (Health answers anyone who proves one).
            configuration.security = security.client
            let client = RPCClient(endpoint: Endpoint(host: host, port: port, name: security.identity), configuration: configuration)
            do {
                let reply = try await client.call(Health.check, HealthCheckRequest(), options: CallOptions(timeout: .seconds(3)))
                result.set(reply.status == .serving ? 0 : 1, reply.status == .serving ? "serving" : "not serving (\(reply.status))")
            } catch {
                result.set(1, "\(error)")
            }
            done.signal()
        }
        done.wait()
        let (code, message) = result.get()
        StandardStream.error.write("healthcheck \(host):\(port): \(message)\n")
        return code
    }
}

/// Set once; reports whether this call was the one that set it (the first stop signal).
final class OnceFlag: Sendable {
    private let set = Atomic<Bool>(false)

    func setOnce() -> Bool {
        !set.exchange(true, ordering: .relaxed)
    }
}

/// Carries the healthcheck's answer out of its task.
final class ResultBox: Sendable {
    private let value = Mutex<(Int32, String)>((1, "no answer"))

    func set(_ code: Int32, _ message: String) {
        value.withLock { $0 = (code, message) }
    }

    func get() -> (Int32, String) {
        value.withLock { $0 }
    }
}
