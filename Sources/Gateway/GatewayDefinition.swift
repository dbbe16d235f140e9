import Contracts
import WebhookHub
import Foundation
import HTTP
import RPC
import ServiceKit
import Sockets
import Storage

/// The REST gateway as a process the host runs (DOMAIN.md G1–G5): the settings it reads,
/// declared once (Compose/README.md's table is written from them), and how it starts —
/// its ledger and credentials, the webhook hub, the clients of the services, the HTTP
/// server — and stops. Its executable is `ServiceHost.run(GatewayDefinition())`; a test
/// hosts it in-process with ``ServiceHost/start(_:environment:logger:)``.
public struct GatewayDefinition: HostedProcess {
    public let service = "gateway"
    public let prefix = "GATEWAY"

    public init() {}

    static let host = Setting.text("HOST", fallback: "127.0.0.1", "address the REST API listens on (`0.0.0.0` in containers)")
    static let port = Setting.integer("PORT", fallback: 8080, range: 0...65535, "the REST API's port; `0` picks a free one (printed on stdout)")
    static let services = Setting.text(
        "SERVICES", shown: "each service's default port on 127.0.0.1",
        """
        the services to route to, `contacts=host:port,deals=host:port,scheduling=...,billing=...,notifications=...`; one left out \
        is read from its own variable below, else its default. `/readyz` waits for scheduling, billing and notifications only \
        when they are named
        """)
    static let apiKeys = Setting.text(
        "API_KEYS", shown: "none (required)",
        """
        `key=role,...` with roles `admin`, `integration`, `reader`, or `key=staff:<id>` for a staff member's token; keys of 16+ \
        characters, compared in constant time, never logged
        """)
    static let timeout = Setting.integer(
        "TIMEOUT_MS", fallback: 5000, range: 10...600_000,
        "each request's budget, carried into its RPCs: a service that is down answers 503 with `Retry-After` within it, a slow one 504")
    static let maxBody = Setting.integer(
        "MAX_BODY_BYTES", fallback: 2 * 1024 * 1024, range: 1024...64 * 1024 * 1024, shown: "2 MiB", "larger request bodies get 413")
    static let rateLimit = Setting.integer(
        "RATE_LIMIT", fallback: 100, range: 1...1_000_000, "requests per second per key; past it 429 with `Retry-After`")
    static let rateBurst = Setting.integer(
        "RATE_BURST", fallback: 200, range: 1...10_000_000, shown: "twice `GATEWAY_RATE_LIMIT`", "requests a key may send at once")
    static let readTimeout = Setting.integer(
        "READ_TIMEOUT_MS", fallback: 10_000, range: 100...600_000,
        "a request's head and body must arrive within it, else 408 and the connection closes (slowloris)")
    static let idleTimeout = Setting.integer(
        "IDLE_TIMEOUT_MS", fallback: 60_000, range: 100...3_600_000, "idle keep-alive connections are closed after it")
    static let maxConnections = Setting.integer(
        "MAX_CONNECTIONS", fallback: 1024, range: 1...1_000_000, "open connections; past it a new one gets 503 problem+json with `Retry-After`")
    static let maxPerAddress = Setting.integer(
        "MAX_CONNECTIONS_PER_ADDRESS", fallback: 128, range: 1...1_000_000,
        "open connections from one address; raise it behind a proxy, where every client has the proxy's address")
    static let firstByteTimeout = Setting.integer(
        "FIRST_BYTE_TIMEOUT_MS", fallback: 3000, range: 100...600_000, "a new connection that sends nothing within it is closed")
    static let dataDirectory = Setting.text(
        "DATA_DIR", fallback: "./data/gateway",
        """
        where the gateway's file lives: answers to POSTs with an `Idempotency-Key` (kept 24 hours, so a retry after a restart \
        gets the first answer), credentials made over the API, integrations and every webhook received (G2)
        """)
    static let grace = Setting.integer(
        "GRACE_SECONDS", fallback: 10, range: 0...3600, "on SIGTERM the gateway stops accepting and answers the requests in progress within it")
    static let reactors = Setting.integer(
        "REACTORS", fallback: 2, range: 1...64, "event-loop threads the connections are spread over, each with its own connections to the services")
    static let authFailures = Setting.integer(
        "AUTH_FAILURES_PER_MINUTE", fallback: 10, range: 1...1_000_000,
        """
        failed authentications per client address (burst twice that); past it every request from the address that needs a key \
        gets 429 with `Retry-After`, a correct key included, so keys cannot be guessed at speed
        """)
    static let metricsAuth = Setting.text(
        "METRICS_AUTH", fallback: "admin", "who may read `/metrics`: `admin` (an admin key) or `none` (anyone)")
    static let reconcileHours = Setting.integer(
        "RECONCILE_HOURS", fallback: 24, range: 0...8760,
        "how often every Timepad and Ringostat integration's last 48 hours are pulled from its API (first at start) and fed through the hooks' path; `0`: never")
    static let hookRetention = Setting.integer(
        "HOOK_RETENTION_DAYS", fallback: 30, range: 1...3650, "delivered hooks older than this are deleted (pending and failed ones are kept)")
    static let auditRetention = Setting.integer(
        "AUDIT_RETENTION_DAYS", fallback: 730, range: 30...36_500,
        "audit entries older than this are deleted, oldest first, with an entry saying so (P5)")
    static let audit = Setting.text(
        "AUDIT", fallback: "on", "`off` stops recording the audit log (P5): only to measure what it costs, never in production")
    static let traceRatio = Setting.integer(
        "TRACE_PERCENT", fallback: 0, range: 0...100,
        "the share of requests, in percent, whose trace is recorded when the caller's `traceparent` does not ask for it (P5)")
    static let telephony = Setting.text(
        "TELEPHONY", shown: "none (`/v1/calls` answers 503)",
        "telephony's replicas (T12), `telephony-0=host:port,...` with the names and in the order the replicas were given")
    static let telephonyShards = Setting.integer(
        "TELEPHONY_SHARDS", fallback: CallShard.defaultCount, range: 1...4096, "the number of call shards, as the replicas' (T12)")
    static let routeFallback = Setting.text(
        "ROUTE_FALLBACK", shown: "none",
        "the destination `GET /v1/calls/route` answers at once when telephony or contacts cannot say in time (T9)")
    static let routeTimeout = Setting.integer(
        "ROUTE_TIMEOUT_MS", fallback: 40, range: 1...10_000,
        "how long `GET /v1/calls/route` waits for telephony and contacts before it answers the fallback: the caller is ringing (T9)")
    static let dialerReplicaWait = Setting.integer(
        "DIALER_REPLICA_WAIT_MS", fallback: 300, range: 1...10_000,
        "how long `POST /v1/dialer/next` waits for each telephony replica's best entry: a replica slower than that only leaves its entries out (T10)")

    static let sessionIdle = Setting.integer(
        "SESSION_IDLE_MINUTES", fallback: 30, range: 1...1440, "a person's console session unused this long ends (G6)")
    static let sessionHours = Setting.integer(
        "SESSION_HOURS", fallback: 12, range: 1...720, "a person's console session ends this long after sign-in, used or not (G6)")
    static let passwordCost = Setting.integer(
        "PASSWORD_LOG_N", fallback: 15, range: 10...20,
        """
        the scrypt cost of passwords set from now on, log2 N (r = 8, p = 1; 15: 32 MiB and tens of milliseconds): each step \
        doubles what a guess costs an attacker, and a sign-in; below 15 only for tests
        """)
    static let inviteHours = Setting.integer(
        "INVITE_HOURS", fallback: 72, range: 1...720, "an invite link to the console works once, within this (G6)")

    public var settings: [Setting] {
        [
            Self.host, Self.port, Self.services, Self.apiKeys, Self.timeout, Self.maxBody, Self.auditRetention, Self.rateLimit, Self.rateBurst, Self.readTimeout,
            Self.idleTimeout, Self.maxConnections, Self.maxPerAddress, Self.firstByteTimeout, Self.dataDirectory, Self.grace, Self.reactors,
            Self.authFailures, Self.metricsAuth, Self.reconcileHours, Self.hookRetention, Self.telephony, Self.telephonyShards, Self.routeFallback,
            Self.routeTimeout, Self.dialerReplicaWait, Self.sessionIdle, Self.sessionHours, Self.inviteHours, Self.passwordCost, Self.traceRatio, Self.audit,
            .outboundAllow, .otlpEndpoint,
        ] + ServiceBinding.all.map(\.setting) + TransportSecurity.settings
    }

    public var declaredSettings: [Setting] { settings + [.defaultCountry, .timeZone] }

    public func healthcheck(_ environment: ServiceEnvironment) -> Int32 {
        do {
            let port = try environment.int(Self.port)
            let client = HTTPClient()
            let status = try waitFor {
                try await client.send("GET", host: "127.0.0.1", port: port, target: "/healthz", timeout: .seconds(3)).get().status
            }
            client.shutdown()
            return status == 200 ? 0 : 1
        } catch {
            FileHandle.standardError.write(Data("gateway healthcheck: \(error)\n".utf8))
            return 1
        }
    }

    public func start(_ environment: ServiceEnvironment, logger: Logger) async throws -> RunningService {
        let configuration = try GatewayConfiguration(environment)
        // Before the database: a gateway without its certificate stops with nothing to close.
        let security = try TransportSecurity.load(environment, identity: service, logger: logger)
        let dataDirectory = configuration.dataDirectory
        let database: Database
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            database = try Database(path: "\(dataDirectory)/gateway.sqlite", migrations: GatewaySchema.migrations)
        } catch {
            throw StartFailure(description: "cannot open \(dataDirectory)/gateway.sqlite (\(environment.name(of: Self.dataDirectory))): \(error)")
        }
        // Connections are spread over the reactors; each has its own clients to the services.
        var reactors = [Reactor.shared]
        do {
            for i in 1..<configuration.reactorCount { reactors.append(try Reactor(name: "gateway-\(i)")) }
        } catch {
            try? await database.close()
            throw StartFailure(description: "cannot start \(configuration.reactorCount) reactors (\(environment.name(of: Self.reactors))): \(error)")
        }
        var clientConfiguration = RPCClient.Configuration()
        clientConfiguration.caller = service
        clientConfiguration.security = security.client
        // A restarted service should be reachable again within a second, not after minutes.
        clientConfiguration.backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(2))
        let clients = configuration.endpoints.mapValues { endpoint in
            reactors.map { RPCClient(endpoint: endpoint, configuration: clientConfiguration, reactor: $0) }
        }
        let telephonyClients = configuration.telephony.map { replicas in
            replicas.map { replica in reactors.map { RPCClient(endpoint: replica.endpoint, configuration: clientConfiguration, reactor: $0) } }
        }
        let allClients = clients.values.flatMap { $0 } + (telephonyClients ?? []).flatMap { $0 }
        let services = ServiceClients(clients, awaited: configuration.awaited)
        let telephony = configuration.telephony.map { replicas in
            TelephonyReplicas(
                names: replicas.map(\.name), clients: telephonyClients ?? [], shards: CallShard(count: configuration.telephonyShards),
                numbers: configuration.callNumbers)
        }
        func refuse(_ message: String) async -> StartFailure {
            for client in allClients { client.shutdown() }
            try? await database.close()
            return StartFailure(description: message)
        }
        let ledger = IdempotencyLedger(database: database)
        let audit = AuditLog(database: database, logger: logger)
        let spans: SpanRecorder
        do {
            spans = SpanRecorder(logger: logger, exporter: try OTLPExporter.configured(environment, service: "gateway", logger: logger))
        } catch {
            throw await refuse("\(error)")
        }
        let credentials = CredentialStore(database: database)
        let sessions = PersonSessions(database: database, policy: configuration.api.sessionPolicy)
        // G2: integrations and their stored hooks live in the same file; the relay hands
        // the hooks to their services.
        let webhooks = Webhooks(
            database: database, targets: HookTargets(services, telephony), logger: logger, pullTimeout: .milliseconds(configuration.timeout),
            outbound: configuration.outbound)
        do {
            // Credentials made over the API earlier are in force from the first request.
            for (digest, credential) in try await credentials.active() { configuration.keyring.admit(credential, digest: digest) }
            try await webhooks.load()
            try await sessions.load()
        } catch {
            throw await refuse("cannot read the credentials, integrations and sessions in \(dataDirectory)/gateway.sqlite: \(error)")
        }
        let api = GatewayAPI(
            services: services, keyring: configuration.keyring, ledger: ledger, credentials: credentials, webhooks: webhooks, telephony: telephony,
            sessions: sessions, imports: ImportJobs(database: database, directory: "\(dataDirectory)/imports"), audit: configuration.audits ? audit : nil, spans: spans,
            erasures: PersonErasures(database: database), configuration: configuration.api, logger: logger)
        var http = configuration.http
        http.extraReactors = Array(reactors.dropFirst())
        let server = HTTPServer(configuration: http) { request in await api.handle(request) }
        do {
            try server.start()
        } catch {
            throw await refuse("cannot listen on \(http.host):\(http.port) (\(environment.name(of: Self.port))): \(error)")
        }
        let loops = ServiceGroup(logger: logger)
        loops.add("idempotency pruning", PeriodicJob("pruning idempotency answers", every: .seconds(3600), logger: logger) { _ = try await ledger.prune() })
        loops.add("hook delivery", webhooks.delivery)
        if configuration.awaited.contains(Deals.service) { loops.add("push-back", webhooks.pushing) }
        // G6: the console's live feed follows the services that have something to show people.
        var liveSources: [LiveTail.Source] = []
        for (service, types) in LiveEvent.followed where service != Telephony.service && configuration.awaited.contains(service) {
            if let list = clients[service] { liveSources.append(LiveTail.Source(name: service, client: list[0], types: types)) }
        }
        for (i, replica) in (telephonyClients ?? []).enumerated() {
            liveSources.append(LiveTail.Source(name: configuration.telephony?[i].name ?? "telephony-\(i)", client: replica[0], types: LiveEvent.followed[Telephony.service] ?? []))
        }
        loops.add("live feed", LiveTail(sources: liveSources, feed: api.live, interval: configuration.api.livePoll, logger: logger))
        if let runner = api.importRunner { loops.add("imports", runner) }
        if let runner = api.erasureRunner { loops.add("erasures", runner) }
        loops.add("session upkeep", PeriodicJob("keeping sessions' idle clocks", every: .seconds(60), logger: logger) { try await sessions.flush() })
        if configuration.reconcileHours > 0 {
            loops.add("reconciliation", webhooks.scheduledReconciliation(every: .seconds(3600 * configuration.reconcileHours), logger: logger))
        }
        let retentionDays = configuration.hookRetentionDays
        loops.add("hook pruning", PeriodicJob("pruning delivered hooks", every: .seconds(3600), logger: logger) {
            let removed = try await webhooks.prune(olderThan: TimeInterval(retentionDays) * 86_400)
            if removed > 0 { logger.info("pruned delivered hooks", ["removed": "\(removed)"]) }
        })
        if let exporter = spans.exporter { loops.add("span export", exporter) }
        let auditDays = configuration.auditRetentionDays
        loops.add("audit pruning", PeriodicJob("pruning the audit log", every: .seconds(3600), logger: logger) {
            let removed = try await audit.prune(olderThan: audit.now().addingTimeInterval(-TimeInterval(auditDays) * 86_400))
            if removed > 0 { logger.info("pruned the audit log", ["removed": "\(removed)"]) }
        })
        loops.startAll()
        logger.info("started", [
            "port": "\(server.port)", "services": configuration.endpoints.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ","),
        ])
        let grace = configuration.grace
        // The admin endpoints (/healthz, /readyz, /metrics) are on the API's own port.
        return RunningService(host: http.host, port: server.port, adminPort: server.port, grace: grace) {
            let deadline = ContinuousClock.now + .seconds(grace)
            // Requests in progress get their answers (up to the grace period).
            if await !server.drain(within: .seconds(grace)) {
                logger.warn("connections still open after the grace period; closing them")
            }
            server.shutdown()
            await loops.stopAll(by: max(deadline, .now + .milliseconds(500)))
            for client in allClients { client.shutdown() }
            // The audit entries of the last answers are written before the file closes.
            await audit.flush()
            do {
                try await database.close()
            } catch {
                logger.error("checkpoint failed", ["error": "\(error)"])
            }
        }
    }
}

extension ServiceBinding {
    /// The service's own address variable, read when `GATEWAY_SERVICES` leaves it out.
    var setting: Setting {
        .address(legacyVariable, fallback: defaultEndpoint, "the \(name) service's address when `GATEWAY_SERVICES` leaves it out")
    }
}
