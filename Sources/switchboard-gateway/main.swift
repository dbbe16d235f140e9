// The REST gateway (DOMAIN.md G1–G5): external integrations see Switchboard here.
//
// GATEWAY_HOST (127.0.0.1), GATEWAY_PORT (8080), GATEWAY_SERVICES (name=host:port,...
// for contacts and deals; one left out is read from GATEWAY_CONTACTS / GATEWAY_DEALS,
// else 127.0.0.1:7101 / 7102), GATEWAY_API_KEYS (required: key=role,... with roles
// admin, integration, reader, or key=staff:<id> for a staff member's token; keys at
// least 16 characters), GATEWAY_TIMEOUT_MS (5000): each request's time budget,
// GATEWAY_MAX_BODY_BYTES (2 MiB), GATEWAY_RATE_LIMIT (100 requests/s per key) and
// GATEWAY_RATE_BURST (twice the limit), GATEWAY_READ_TIMEOUT_MS (10000): a request's head
// and body must arrive within it (slowloris), GATEWAY_IDLE_TIMEOUT_MS (60000) for
// keep-alive connections, GATEWAY_MAX_CONNECTIONS (1024), GATEWAY_DATA_DIR
// (./data/gateway): where answers to Idempotency-Key POSTs are kept for 24 hours,
// GATEWAY_GRACE_SECONDS (10): on SIGTERM, how long requests in progress may take,
// GATEWAY_REACTORS (2): event-loop threads the connections are spread over,
// GATEWAY_FIRST_BYTE_TIMEOUT_MS (3000): a new connection that sends nothing is closed,
// GATEWAY_MAX_CONNECTIONS_PER_ADDRESS (128), GATEWAY_AUTH_FAILURES_PER_MINUTE (10, burst
// twice that): failed authentications per client address before 429,
// GATEWAY_METRICS_AUTH (admin): who may read /metrics (admin: an admin key; none: anyone),
// GATEWAY_OUTBOUND_ALLOW: ranges integrations' API base URLs may reach despite the outbound
// policy (CIDRs, `loopback`, `private`; empty: public addresses only).
// Webhooks (G2) arrive at /v1/hooks/<integration>; integrations are made over
// /v1/admin/integrations and kept, with every hook, in GATEWAY_DATA_DIR.
// GATEWAY_RECONCILE_HOURS (24; 0: never): how often every Timepad integration's last
// 48 hours are pulled from its API and fed through the hooks' path.
// GATEWAY_TELEPHONY (name=host:port,...: telephony's replicas, T12) and
// GATEWAY_TELEPHONY_SHARDS (16) for /v1/calls; GATEWAY_ROUTE_FALLBACK (empty): the
// destination routing answers when telephony cannot say in time (T9).
// GATEWAY_HOOK_RETENTION_DAYS (30): delivered hooks older than this are deleted
// (pending and failed ones are kept until they are done).
import Contracts
import Dispatch
import Foundation
import FoundationNetworking
import Gateway
import HTTP
import RPC
import ServiceKit
import Sockets
import Storage

let logger = Logger(service: "gateway")
let environment = ServiceEnvironment(prefix: "GATEWAY")

func fail(_ message: String) -> Never {
    ServiceHost.fail(logger, message)
}

let host = environment.string("HOST", default: "127.0.0.1")
let port: Int
let timeout: Int
let maxBody: Int
let rateLimit: Int
let rateBurst: Int
let readTimeout: Int
let idleTimeout: Int
let maxConnections: Int
let grace: Int
let reactorCount: Int
let firstByteTimeout: Int
let maxPerAddress: Int
let authFailures: Int
let reconcileHours: Int
let hookRetentionDays: Int
do {
    port = try environment.int("PORT", default: 8080, range: 0...65535)
    timeout = try environment.int("TIMEOUT_MS", default: 5000, range: 10...600_000)
    maxBody = try environment.int("MAX_BODY_BYTES", default: 2 * 1024 * 1024, range: 1024...64 * 1024 * 1024)
    rateLimit = try environment.int("RATE_LIMIT", default: 100, range: 1...1_000_000)
    rateBurst = try environment.int("RATE_BURST", default: 2 * rateLimit, range: 1...10_000_000)
    readTimeout = try environment.int("READ_TIMEOUT_MS", default: 10_000, range: 100...600_000)
    idleTimeout = try environment.int("IDLE_TIMEOUT_MS", default: 60_000, range: 100...3_600_000)
    maxConnections = try environment.int("MAX_CONNECTIONS", default: 1024, range: 1...1_000_000)
    grace = try environment.int("GRACE_SECONDS", default: 10, range: 0...3600)
    reactorCount = try environment.int("REACTORS", default: 2, range: 1...64)
    firstByteTimeout = try environment.int("FIRST_BYTE_TIMEOUT_MS", default: 3000, range: 100...600_000)
    maxPerAddress = try environment.int("MAX_CONNECTIONS_PER_ADDRESS", default: 128, range: 1...1_000_000)
    authFailures = try environment.int("AUTH_FAILURES_PER_MINUTE", default: 10, range: 1...1_000_000)
    reconcileHours = try environment.int("RECONCILE_HOURS", default: 24, range: 0...8760)
    hookRetentionDays = try environment.int("HOOK_RETENTION_DAYS", default: 30, range: 1...3650)
} catch {
    fail("invalid configuration: \(error)")
}
if CommandLine.arguments.dropFirst().first == "healthcheck" {
    exit(httpHealth(port: port) ? 0 : 1)
}
// The services to route to: GATEWAY_SERVICES=name=host:port,... and, for each service
// it leaves out, the older GATEWAY_<NAME> variable or the service's default port.
var endpoints: [String: Endpoint] = [:]
var configured = Set(ServiceBinding.all.filter { !$0.optional }.map(\.id))
for entry in environment.string("SERVICES", default: "").split(separator: ",") {
    let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
    guard parts.count == 2, let binding = ServiceBinding.all.first(where: { $0.name == parts[0] }), let endpoint = Endpoint(parsing: parts[1]) else {
        fail("\(environment.name("SERVICES")): \"\(entry)\" is not name=host:port with a name of \(ServiceBinding.all.map(\.name).joined(separator: ", "))")
    }
    endpoints[binding.id] = endpoint
    configured.insert(binding.id)
}
for binding in ServiceBinding.all where endpoints[binding.id] == nil {
    if !environment.string(binding.legacyVariable, default: "").isEmpty { configured.insert(binding.id) }
    guard let endpoint = Endpoint(parsing: environment.string(binding.legacyVariable, default: binding.defaultEndpoint)) else {
        fail("\(environment.name(binding.legacyVariable)) must be host:port")
    }
    endpoints[binding.id] = endpoint
}
// Telephony's replicas (T12): GATEWAY_TELEPHONY=telephony-0=host:port,... in the order
// and with the names the replicas were given; GATEWAY_TELEPHONY_SHARDS as theirs.
let telephonyEndpoints: [(name: String, endpoint: Endpoint)]?
let telephonyShards: Int
do {
    let text = environment.string("TELEPHONY", default: "")
    telephonyEndpoints = text.isEmpty ? nil : TelephonyReplicas.parse(text)
    if !text.isEmpty && telephonyEndpoints == nil { fail("\(environment.name("TELEPHONY")) must be name=host:port,... with distinct names") }
    telephonyShards = try environment.int("TELEPHONY_SHARDS", default: CallShard.defaultCount, range: 1...4096)
} catch {
    fail("invalid configuration: \(error)")
}
let metricsAuth = environment.string("METRICS_AUTH", default: "admin")
guard ["admin", "none"].contains(metricsAuth) else { fail("\(environment.name("METRICS_AUTH")) must be admin or none") }
let keyring: APIKeyring
do {
    keyring = try APIKeyring(parsing: environment.string("API_KEYS", default: ""))
} catch {
    fail("\(environment.name("API_KEYS")): \(error)")
}

let dataDirectory = environment.string("DATA_DIR", default: "./data/gateway")
let gatewayDatabase: Database
do {
    try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
    gatewayDatabase = try Database(path: "\(dataDirectory)/gateway.sqlite", migrations: GatewaySchema.migrations)
} catch {
    fail("cannot open \(dataDirectory)/gateway.sqlite (\(environment.name("DATA_DIR"))): \(error)")
}
let ledger = IdempotencyLedger(database: gatewayDatabase)
let credentials = CredentialStore(database: gatewayDatabase)
// Credentials made over the API earlier are in force from the first request. (Read
// with a wait, not a top-level await: that would make this main async, and dispatchMain
// below must run on the plain main thread.)
let loading = DispatchSemaphore(value: 0)
let loadFailure = ResultFlag()
Task.detached {
    do {
        for (digest, credential) in try await credentials.active() { keyring.admit(credential, digest: digest) }
    } catch {
        logger.error("cannot read the credentials", ["error": "\(error)"])
        loadFailure.set(true)
    }
    loading.signal()
}
loading.wait()
if loadFailure.value { fail("cannot read the credentials in \(dataDirectory)/gateway.sqlite") }
let housekeeping = PeriodicJob("pruning idempotency answers", every: .seconds(3600), logger: logger) { _ = try await ledger.prune() }
housekeeping.start()

var clientConfiguration = RPCClient.Configuration()
clientConfiguration.caller = "gateway"
// A restarted service should be reachable again within a second, not after minutes.
clientConfiguration.backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(2))
var apiConfiguration = GatewayAPI.Configuration()
apiConfiguration.requestTimeout = .milliseconds(timeout)
apiConfiguration.rateLimit = Double(rateLimit)
apiConfiguration.rateBurst = Double(rateBurst)
apiConfiguration.authFailuresPerMinute = Double(authFailures)
apiConfiguration.metricsNeedAdmin = metricsAuth == "admin"
apiConfiguration.routeFallback = environment.string("ROUTE_FALLBACK", default: "")
// Connections are spread over the reactors; each has its own clients to the services.
var reactors = [Reactor.shared]
do {
    for i in 1..<reactorCount { reactors.append(try Reactor(name: "gateway-\(i)")) }
} catch {
    fail("cannot start \(reactorCount) reactors (\(environment.name("REACTORS"))): \(error)")
}
let services = ServiceClients(endpoints.mapValues { endpoint in
    reactors.map { RPCClient(endpoint: endpoint, configuration: clientConfiguration, reactor: $0) }
}, awaited: configured)
let callNumbers: CallNumber
do {
    callNumbers = try environment.callNumbers()
} catch {
    fail("\(error)")
}
let telephony = telephonyEndpoints.map { replicas in
    TelephonyReplicas(
        names: replicas.map(\.name),
        clients: replicas.map { replica in reactors.map { RPCClient(endpoint: replica.endpoint, configuration: clientConfiguration, reactor: $0) } },
        shards: CallShard(count: telephonyShards), numbers: callNumbers)
}
// G2: integrations and their stored hooks live in the same file; the relay hands the
// hooks to their services.
let outbound: OutboundPolicy
do {
    outbound = try OutboundPolicy.from(environment)
} catch {
    fail("\(error)")
}
let webhooks = Webhooks(database: gatewayDatabase, services: services, telephony: telephony, logger: logger, pullTimeout: .milliseconds(timeout), outbound: outbound)
let loadingHooks = DispatchSemaphore(value: 0)
Task.detached {
    do {
        try await webhooks.load()
    } catch {
        logger.error("cannot read the integrations", ["error": "\(error)"])
        loadFailure.set(true)
    }
    loadingHooks.signal()
}
loadingHooks.wait()
if loadFailure.value { fail("cannot read the integrations in \(dataDirectory)/gateway.sqlite") }
let api = GatewayAPI(
    services: services, keyring: keyring, ledger: ledger, credentials: credentials, webhooks: webhooks, telephony: telephony,
    configuration: apiConfiguration)

var httpConfiguration = HTTPServer.Configuration(host: host, port: port)
httpConfiguration.limits.maxBodyBytes = maxBody
httpConfiguration.requestReadTimeout = .milliseconds(readTimeout)
httpConfiguration.idleTimeout = .milliseconds(idleTimeout)
httpConfiguration.maxConnections = maxConnections
httpConfiguration.maxConnectionsPerAddress = maxPerAddress
httpConfiguration.firstByteTimeout = .milliseconds(firstByteTimeout)
httpConfiguration.errorResponse = { status, reason, headers in
    Problem.response(status: status, title: HTTPResponse.reason(status), detail: reason, requestID: RequestIDGenerator.next(), headers: headers)
}
httpConfiguration.extraReactors = Array(reactors.dropFirst())
let server = HTTPServer(configuration: httpConfiguration) { request in await api.handle(request) }
do {
    try server.start()
} catch {
    fail("cannot listen on \(host):\(port) (\(environment.name("PORT"))): \(error)")
}
webhooks.delivery.start()
let reconciliation = reconcileHours > 0 ? webhooks.scheduledReconciliation(every: .seconds(3600 * reconcileHours), logger: logger) : nil
reconciliation?.start()
let hookPruning = PeriodicJob("pruning delivered hooks", every: .seconds(3600), logger: logger) {
    let removed = try await webhooks.prune(olderThan: TimeInterval(hookRetentionDays) * 86_400)
    if removed > 0 { logger.info("pruned delivered hooks", ["removed": "\(removed)"]) }
}
hookPruning.start()
ServiceHost.announceListening(service: "gateway", host: host, port: server.port)
logger.info("started", ["port": "\(server.port)", "services": endpoints.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")])

// Requests in progress get their answers (up to the grace period); then exit.
ServiceHost.runUntilStopped(logger: logger, grace: grace) {
    if await !server.drain(within: .seconds(grace)) {
        logger.warn("connections still open after the grace period; closing them")
    }
    await hookPruning.stop()
    await reconciliation?.stop()
    await webhooks.delivery.stop()
    await housekeeping.stop()
    try? await gatewayDatabase.close()
}

/// GET /healthz on our own port: the probe for Compose and Kubernetes.
func httpHealth(port: Int) -> Bool {
    let url = URL(string: "http://127.0.0.1:\(port)/healthz")!
    let done = DispatchSemaphore(value: 0)
    let ok = ResultFlag()
    let task = URLSession.shared.dataTask(with: url) { _, response, _ in
        ok.set((response as? HTTPURLResponse)?.statusCode == 200)
        done.signal()
    }
    task.resume()
    _ = done.wait(timeout: .now() + 3)
    return ok.value
}

final class ResultFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set(_ value: Bool) { lock.lock(); flag = value; lock.unlock() }
    var value: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}
