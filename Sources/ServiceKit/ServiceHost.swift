import Contracts
import Dispatch
import Foundation
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

    /// Publishes the events committed in `database`'s outbox too (a service that keeps
    /// more than one file): the host relays them to the subscribers like its own.
    public func publishEvents(from database: Database, named name: String) {
        eventSources.add(name, database)
    }

    /// Runs `service` once the host serves, and stops it at shutdown, before the host's
    /// own loops (the relays deliver what it produced until the end).
    public func runInBackground(_ name: String, _ service: any BackgroundService) {
        background.add(name, service)
    }
}

/// The main of every service executable (P1): reads configuration from the
/// environment, opens the service's SQLite file, serves RPC, and on SIGTERM or SIGINT
/// stops taking calls, drains those in flight, checkpoints the WAL and exits 0.
///
/// `<exe> healthcheck` instead connects to the running service, calls Health and exits
/// 0 when it is serving, 1 otherwise: the probe Compose and Kubernetes run.
///
/// Variables (with prefix `P`, e.g. `CONTACTS`): `P_HOST` (127.0.0.1), `P_PORT`,
/// `P_ADMIN_PORT` (the RPC port + 1000; 0 picks one), `P_ADMIN_HOST` (127.0.0.1: the
/// admin port's metrics stay on the machine unless this opens them), `P_DATA_DIR` (./data/<service>),
/// `P_GRACE_SECONDS` (10), `P_SUBSCRIBERS` (where its subscribers listen; what each gets
/// is ``Topology``'s, see ``Subscription``), `P_OUTBOX_RETENTION_HOURS` (168), `P_INBOX_RETENTION_HOURS` (720):
/// see ``EventRetention``.
public enum ServiceHost {
    public static func run(
        service: String, prefix: String, defaultPort: Int, migrations: [Migration],
        setUp: @escaping @Sendable (HostContext) throws -> Void
    ) -> Never {
        let logger = Logger(service: service)
        let environment = ServiceEnvironment(prefix: prefix)
        let host = environment.string("HOST", default: "127.0.0.1")
        // The admin port (metrics, readiness) listens on loopback unless told otherwise,
        // even when the RPC port faces the network (P_HOST=0.0.0.0 in containers).
        let adminHost = environment.string("ADMIN_HOST", default: "127.0.0.1")
        let port: Int
        let adminPort: Int
        let grace: Int
        let subscriptions: [Subscription]
        let retention: EventRetention
        let process = Topology.Process(rawValue: service)
        do {
            subscriptions = try Subscription.parse(
                environment.string("SUBSCRIBERS", default: ""), variable: environment.name("SUBSCRIBERS"), publisher: process)
            port = try environment.int("PORT", default: defaultPort, range: 0...65535)
            adminPort = try environment.int("ADMIN_PORT", default: port == 0 ? 0 : port + 1000, range: 0...65535)
            grace = try environment.int("GRACE_SECONDS", default: 10, range: 0...3600)
            retention = EventRetention(
                outbox: .seconds(3600 * (try environment.int("OUTBOX_RETENTION_HOURS", default: 168, range: 1...87_600))),
                inbox: .seconds(3600 * (try environment.int("INBOX_RETENTION_HOURS", default: 720, range: 24...87_600))))
        } catch {
            fail(logger, "invalid configuration: \(error)")
        }
        if CommandLine.arguments.dropFirst().first == "healthcheck" {
            exit(healthcheck(host: host == "0.0.0.0" ? "127.0.0.1" : host, port: port))
        }
        let dataDirectory = environment.string("DATA_DIR", default: "./data/\(service)")
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            fail(logger, "cannot create \(environment.name("DATA_DIR")) \(dataDirectory): \(error.localizedDescription)")
        }
        let clockFile = environment.string("CLOCK_FILE", default: "")
        let clock = clockFile.isEmpty ? WallClock.system : WallClock.file(clockFile)
        let database: Database
        do {
            var storage = Database.Configuration()
            storage.now = clock.now
            database = try Database(path: "\(dataDirectory)/\(service).sqlite", migrations: migrations, configuration: storage)
        } catch {
            fail(logger, "cannot open the database: \(error)")
        }
        let metrics = Metrics(service: service)
        var configuration = RPCServer.Configuration(host: host, port: port)
        configuration.log = { event, fields in logger.warn(event, fields) }
        configuration.interceptors = [CallPropagation(), MetricsInterceptor(metrics: metrics), CallLogInterceptor(logger: logger)]
        let server = RPCServer(configuration: configuration)
        let inbox = EventInbox(database: database)
        var timerConfiguration = TimerRunner.Configuration()
        // A clock read from a file can jump: look at the timers often enough to notice.
        if clock.jumps { timerConfiguration.maximumWait = .milliseconds(100) }
        let timers = TimerRunner(database: database, logger: logger, clock: clock, configuration: timerConfiguration)
        let serviceLoops = ServiceGroup(logger: logger)
        let extraSources = EventSourceList()
        do {
            try setUp(HostContext(
                environment: environment, database: database, server: server, logger: logger, inbox: inbox, timers: timers, clock: clock,
                dataDirectory: dataDirectory, background: serviceLoops, eventSources: extraSources))
        } catch {
            fail(logger, "\(error)")
        }
        if let process {
            if let disagreement = inbox.disagreement(with: process) { fail(logger, disagreement) }
            // Not fatal: a partial stack (a test, a service run alone) leaves some out.
            for (subscriber, types) in Subscription.missing(from: subscriptions, publisher: process) {
                logger.warn("a subscriber of the topology is not configured: it gets none of these events", [
                    "subscriber": subscriber.rawValue, "types": types.joined(separator: ","), "variable": environment.name("SUBSCRIBERS"),
                ])
            }
        }
        server.register(inbox)
        let sources = ([("main", database)] + extraSources.all).map { name, db in
            EventSource(name: name, database: db, relays: subscriptions.map { OutboxRelay(database: db, subscription: $0, source: service, logger: logger, clock: clock) })
        }
        server.register(EventAdminAPI(sources: sources))
        metrics.add { EventMetrics.render(service: service, sources: sources, now: Int64(clock.now().timeIntervalSince1970 * 1000)) }
        // Started in this order, stopped in reverse: the service's own loops first, the
        // relays last, so what the others commit while stopping still gets a delivery try.
        let group = ServiceGroup(logger: logger)
        for source in sources {
            for relay in source.relays { group.add("relay to \(relay.subscription.subscriber)" + (source.name == "main" ? "" : " (\(source.name))"), relay) }
        }
        group.add("timers", timers)
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
            fail(logger, "cannot listen on \(host):\(port) (\(environment.name("PORT"))): \(error)")
        }
        let admin = AdminServer(host: adminHost, port: adminPort, metrics: metrics, rpc: server)
        do {
            try admin.start()
        } catch {
            fail(logger, "cannot listen on \(adminHost):\(adminPort) (\(environment.name("ADMIN_PORT")), \(environment.name("ADMIN_HOST"))): \(error)")
        }
        announceListening(service: service, host: host, port: server.port, adminPort: admin.port)
        logger.info("started", ["port": "\(server.port)", "admin_port": "\(admin.port)", "data": dataDirectory])
        group.startAll()

        runUntilStopped(logger: logger, grace: grace) {
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
        FileHandle.standardOutput.write(Data("{\"event\":\"listening\",\"service\":\"\(service)\",\"host\":\"\(host)\",\"port\":\(port)\(admin)}\n".utf8))
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
        FileHandle.standardError.write(Data("\(logger.service): \(message)\n".utf8))
        exit(1)
    }

    /// Calls Health on the running service; 0 when serving.
    static func healthcheck(host: String, port: Int) -> Int32 {
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            var configuration = RPCClient.Configuration()
            configuration.connectTimeout = .seconds(2)
            configuration.retry = .none
            let client = RPCClient(endpoint: Endpoint(host: host, port: port), configuration: configuration)
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
        FileHandle.standardError.write(Data("healthcheck \(host):\(port): \(message)\n".utf8))
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
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Int32, String) = (1, "no answer")

    func set(_ code: Int32, _ message: String) {
        lock.lock()
        value = (code, message)
        lock.unlock()
    }

    func get() -> (Int32, String) {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
