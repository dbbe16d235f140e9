import Contracts
import Digest
import WebhookHub
import Foundation
import ServiceKit
import HTTP
import JSON
import RPC
import Sockets
import Storage
import Synchronization
import Wire

/// The REST face of Switchboard (G1, G3, G4, G5): translates /v1 JSON into contract
/// calls and back. It holds no business rules: beyond the schema of each request
/// (generated from Protocols/Schemas), validation, matching and merging happen in the
/// services. Every route is declared once (``Route``): the router and /v1/openapi.json
/// are built from the same list.
public final class GatewayAPI: Sendable {
    public struct Configuration: Sendable {
        /// The time budget of a request, carried into its RPCs as their deadline.
        public var requestTimeout: Duration = .seconds(5)
        /// Most rows a CSV export returns.
        public var maxExportRows = 100_000
        /// The business's time zone (SWITCHBOARD_TIME_ZONE): reports by hour and weekday.
        public var timeZone = "UTC"
        /// Requests a second per API key, on average and at once.
        public var rateLimit: Double = 100
        public var rateBurst: Double = 200
        /// Failed authentications a minute per client address (burst: twice that);
        /// past them every request from that address that needs a key is answered 429
        /// until Retry-After, a correct key included, so keys cannot be guessed at speed.
        public var authFailuresPerMinute: Double = 10
        /// The share of requests without a sampled `traceparent` whose trace is recorded (P5).
        public var traceRatio: Double = 0
        /// /metrics needs an admin key (else anyone who reaches the port reads it).
        public var metricsNeedAdmin = true
        /// T9: where a caller goes when telephony cannot say in time, and how long it may take.
        public var routeFallback = ""
        public var routeTimeout: Duration = .milliseconds(40)
        /// T10: how long dialer next waits for each replica's best entry.
        public var dialerReplicaWait: Duration = .milliseconds(300)
        /// G6: how long console sessions and invite links last.
        public var sessionPolicy = SessionPolicy()
        /// G6: the scrypt cost of new passwords (tests lower it).
        public var passwordCost = PasswordHash.standard
        /// G6: live streams one person (or key) may hold open at once.
        public var liveStreamsPerPerson = 5
        /// G6: how often the live feed asks the services what happened.
        public var livePoll: Duration = .seconds(1)

        public init() {}
    }

    /// Every route the gateway serves, in the order /v1/openapi.json lists them: a new
    /// service adds its module here.
    static let routeList: [Route] = SystemRoutes.all + ConsoleRoutes.all + SessionRoutes.all + StreamRoutes.all + AdminRoutes.all + EventAdminRoutes.all + HookRoutes.all + ContactsRoutes.all + ErasureRoutes.all + DealsRoutes.all + CallsRoutes.all + DialerRoutes.all + ReportRoutes.all + SchedulingRoutes.all + BillingRoutes.all + NotificationsRoutes.all + ConversationRoutes.all + ImportRoutes.all + AuditRoutes.all + CardDAVRoutes.all

    let services: ServiceClients
    let keyring: APIKeyring
    let configuration: Configuration
    /// Answers to idempotent POSTs that outlive the process; nil keeps them in memory only.
    let ledger: IdempotencyLedger?
    /// Credentials admins make over the API; nil: only those from configuration.
    let credentials: CredentialStore?
    /// Integrations and their webhooks (G2); nil: the gateway takes none.
    let webhooks: Webhooks?
    /// Telephony's replicas (T12); nil: no telephony configured.
    let telephony: TelephonyReplicas?
    /// People's console sessions (G6); nil: nobody signs in (no data folder).
    let sessions: PersonSessions?
    let passwords: PasswordHashing
    /// What the console's live streams send (G6); fed by ``LiveTail``.
    let live: LiveFeed
    /// Imports and their files (G7); nil: no data folder, no imports.
    let imports: ImportJobs?
    /// Runs the imports in the background (G7).
    let importRunner: ImportRunner?
    /// People's erasures (C8); nil: no data folder, nobody is erased.
    let erasures: PersonErasures?
    /// Runs the erasures in the background (C8).
    let erasureRunner: ErasureRunner?
    /// Who changed or exported what (P5); nil: no data folder, nothing recorded.
    let audit: AuditLog?
    /// Where the spans of sampled traces go (P5).
    let spans: SpanRecorder
    /// The address books answered with a sync token, for phones' next syncs (issue 29).
    let addressBooks = AddressBookStates()
    let counters = RequestCounters()
    let logger: Logger
    let staffScopes = StaffScopeCache()
    let limiter: Mutex<RateLimiter>
    private let authFailures: Mutex<RateLimiter>
    let idempotency = Mutex(IdempotencyStore())
    private let router: Router
    /// The routes by the number the router gives, each behind one reference.
    private let routeBoxes: [RouteBox]
    /// For an admin's change, a deletion or a merge of one thing, the GET route of that
    /// thing (`/v1/contacts/{id}` for `/v1/contacts/{id}/merge`): what the audit log reads
    /// before and after the change (P5).
    private let readBacks: [Int?]
    /// What each route is about, for the audit log (``RequestAudit/entity(of:)``).
    private let auditEntities: [String]

    public convenience init(
        contacts: RPCClient, deals: RPCClient, keyring: APIKeyring, ledger: IdempotencyLedger? = nil,
        configuration: Configuration = Configuration()
    ) {
        self.init(services: ServiceClients([Contacts.service: [contacts], Deals.service: [deals]]), keyring: keyring, ledger: ledger, configuration: configuration)
    }

    public init(
        services: ServiceClients, keyring: APIKeyring, ledger: IdempotencyLedger? = nil, credentials: CredentialStore? = nil,
        webhooks: Webhooks? = nil, telephony: TelephonyReplicas? = nil, sessions: PersonSessions? = nil, imports: ImportJobs? = nil,
        audit: AuditLog? = nil, spans: SpanRecorder? = nil, erasures: PersonErasures? = nil, configuration: Configuration = Configuration(),
        logger: Logger = Logger(service: "gateway")
    ) {
        self.audit = audit
        self.erasures = erasures
        erasureRunner = erasures.map {
            ErasureRunner(
                erasures: $0, services: services, telephony: telephony, own: GatewayErasure(database: $0.database, audit: audit, imports: imports), logger: logger)
        }
        self.spans = spans ?? SpanRecorder(logger: logger)
        self.sessions = sessions
        self.imports = imports
        importRunner = imports.map { ImportRunner(jobs: $0, contacts: services.client(for: Contacts.service), deals: services.client(for: Deals.service), logger: logger) }
        passwords = PasswordHashing(cost: configuration.passwordCost)
        live = LiveFeed(perPerson: configuration.liveStreamsPerPerson)
        self.logger = logger
        self.services = services
        self.webhooks = webhooks
        self.telephony = telephony
        self.ledger = ledger
        self.credentials = credentials
        self.keyring = keyring
        self.configuration = configuration
        limiter = Mutex(RateLimiter(rate: configuration.rateLimit, burst: configuration.rateBurst))
        authFailures = Mutex(RateLimiter(rate: configuration.authFailuresPerMinute / 60, burst: configuration.authFailuresPerMinute * 2))
        var router = Router()
        for (i, route) in Self.routeList.enumerated() { router.add(route.method, route.path, i) }
        self.router = router
        routeBoxes = Self.routeList.map { RouteBox($0, middleware: RouteGroup.middleware(for: $0, metricsNeedAdmin: configuration.metricsNeedAdmin)) }
        auditEntities = Self.routeList.map { RequestAudit.entity(of: $0.path) }
        readBacks = Self.routeList.map { route in
            // P5: admin changes (permissions among them), deletions and merges.
            // Not an erasure: its entry would copy the very person it erases (C8).
            guard route.method != "GET", !route.path.hasSuffix("/erase"),
                route.access.minimum == .admin || route.method == "DELETE" || route.path.hasSuffix("/merge"),
                let id = route.path.range(of: "{id}")
            else { return nil }
            let thing = String(route.path[..<id.upperBound])
            return Self.routeList.firstIndex { $0.method == "GET" && $0.path == thing }
        }
    }

    /// Every (method, path pattern) served, for the OpenAPI agreement test.
    public var routes: [(method: String, pattern: String)] { router.routes.map { ($0.method, $0.pattern) } }

    /// The OpenAPI document, as served at /v1/openapi.json.
    public static var openAPIDocument: [String: Any] { OpenAPIDocument.build(routes: routeList) }

    // MARK: Pipeline

    /// The HTTP handler: request id, trace, auth, budget, routing, errors as problem+json.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let requestID = Self.requestID(from: request)
        // P5: the caller's trace continues here (a new span), or one starts.
        let caller = request.header("traceparent").flatMap(TraceContext.init(header:))
        let trace = caller?.child() ?? TraceContext.start(sampled: configuration.traceRatio > 0 && Double.random(in: 0..<1) < configuration.traceRatio)
        let scope = CallPropagation.Inherited(requestID: requestID, trace: trace, parentSpanID: caller?.spanID, deadline: nil)
        return await CallPropagation.$inherited.withValue(scope) {
            await Database.$trace.withValue(trace.header) { await self.handle(request, requestID: requestID, trace: trace, parent: caller?.spanID) }
        }
    }

    private func handle(_ request: HTTPRequest, requestID: String, trace: TraceContext, parent: String?) async -> HTTPResponse {
        let started = MonotonicInstant.now()
        let startedAt = Date()
        var response = await route(request, requestID: requestID)
        response.headers.append(("X-Request-Id", requestID))
        counters.record(status: response.status)
        if trace.sampled {
            spans.record(Span(
                name: "\(request.method) \(request.path)", kind: .server, trace: trace, parentSpanID: parent, start: startedAt, end: Date(),
                failed: response.status >= 500, attributes: ["http.method": request.method, "http.status_code": "\(response.status)", "request_id": requestID]))
        }
        // Failed requests are logged with the id the services log too, so one request
        // can be followed across every hop. Successes only count (at 10k+/s a line each
        // would cost more than the request).
        if response.status >= 400 {
            logger.log(response.status >= 500 ? .error : .warn, "request failed", [
                "method": request.method, "path": request.path, "status": "\(response.status)", "request_id": requestID,
                "duration_us": "\(started.duration(until: .now()).microsecondsClamped)",
            ])
        }
        return response
    }

    private func route(_ request: HTTPRequest, requestID: String) async -> HTTPResponse {
        // WebDAV names collections with a final slash (`/dav/7/contacts/`); their routes are
        // written without one, as every other route is.
        var path = request.path
        if path.hasPrefix("/dav/") && path.hasSuffix("/") { path.removeLast() }
        // RFC 6764: the well-known address sends a client's PROPFIND on to /dav/ as it does a GET.
        let method = path == "/.well-known/carddav" && request.method == "PROPFIND" ? "GET" : request.method
        switch router.match(method: method, path: path) {
        case .notFound:
            return Problem.response(status: 404, title: "Not Found", detail: "no route for \(request.path); see /v1/openapi.json", requestID: requestID)
        case let .methodNotAllowed(methods):
            return Problem.response(
                status: 405, title: "Method Not Allowed", detail: "\(request.method) is not allowed on \(request.path)",
                requestID: requestID, headers: [("Allow", methods.joined(separator: ", "))])
        case let .found(index, parameters):
            if let name = routeBoxes[index].refused(parameters) {
                return Problem.response(
                    status: 404, title: "Not Found", detail: "no \(name) is written \"\((parameters[name] ?? "").prefix(100))\" (see /v1/openapi.json)", requestID: requestID)
            }
            return await endpoint(index, request, parameters, requestID: requestID)
        }
    }

    /// Runs the route through its group's middleware (``RouteGroup``): every check, then
    /// the steps that wrap the handler, then the handler.
    private func endpoint(_ index: Int, _ request: HTTPRequest, _ parameters: [String: String], requestID: String) async -> HTTPResponse {
        let box = routeBoxes[index]
        var call = RouteCall(route: box.route, request: request, parameters: parameters, requestID: requestID)
        for step in box.checks {
            if let refusal = step.check(&call, in: self) {
                record(index, call, refusal)
                return refusal
            }
        }
        // P5: a change to something readable is recorded with its fields before and after.
        let readBack = audit == nil ? nil : readBacks[index]
        var before: [UInt8]?
        if let readBack { before = await read(readBack, call) }
        let response = await around(box.wrappers[...], call)
        var changed: (before: String, after: String) = ("", "")
        if let readBack, let before, response.status < 400 {
            let after = request.method == "DELETE" ? response.body : (await read(readBack, call) ?? [])
            changed = RequestAudit.changedFields(before: before, after: after)
        }
        record(index, call, response, changed: changed)
        return response
    }

    /// The body of route `index`'s GET with the caller's own headers, when it answers 200.
    private func read(_ index: Int, _ call: RouteCall) async -> [UInt8]? {
        var request = call.request
        request.method = "GET"
        request.body = []
        request.target = call.request.path
        let answer = await endpoint(index, request, call.parameters, requestID: call.requestID)
        return answer.status == 200 ? answer.body : nil
    }

    /// Appends what `call` did to the audit log, when it is something the log keeps. A
    /// failure to record is logged, not the caller's: their change is already made.
    private func record(_ index: Int, _ call: RouteCall, _ response: HTTPResponse, changed: (before: String, after: String) = ("", "")) {
        guard let audit else { return }
        let facts = RequestAudit(
            pattern: call.route.path, request: call.request, parameters: call.parameters, status: response.status, responseHeaders: response.headers)
        guard let action = facts.action else { return }
        let entry = AuditEntry(
            action: action, credentialID: call.credentialID, role: call.role?.rawValue ?? "", staffID: call.staffID ?? call.session?.live.staffID,
            address: call.request.remoteAddress, method: call.request.method, route: call.route.path, path: call.request.path,
            entity: auditEntities[index], entityID: facts.entityID, status: Int64(response.status), requestID: call.requestID,
            before: changed.before, after: changed.after)
        audit.record(entry)
    }

    private func around(_ wrappers: ArraySlice<any RouteMiddleware>, _ call: RouteCall) async -> HTTPResponse {
        guard let first = wrappers.first else {
            return await run(call)
        }
        return await first.handle(call, in: self) { next in await self.around(wrappers.dropFirst(), next) }
    }

    /// The token of `Authorization: Bearer <token>`; the scheme's case does not matter
    /// (RFC 9110 §11.1).
    static func bearerToken(_ request: HTTPRequest) -> String? {
        guard let header = request.header("Authorization") else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// A body in anything but JSON (UTF-8) is refused with 415 before anything else
    /// looks at it; `application/jsonp` or `charset=latin1` are not JSON.
    static func unsupportedMediaType(_ request: HTTPRequest, requestID: String) -> HTTPResponse? {
        guard let type = request.header("Content-Type") else { return nil }
        let parameters = type.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var ok = parameters.first == "application/json"
        for parameter in parameters.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0] == "charset" {
                ok = ok && ["utf-8", "\"utf-8\"", "utf8"].contains(pair[1])
            }
        }
        // A GET with a stray Content-Type and no body is not refused for it.
        guard !ok, !request.body.isEmpty || request.method == "POST" || request.method == "PATCH" || request.method == "PUT" else { return nil }
        return Problem.response(
            status: 415, title: "Unsupported Media Type", detail: "send the body as Content-Type: application/json (UTF-8), not \(type)",
            requestID: requestID, headers: [("Accept", "application/json")])
    }

    static func seconds() -> Double { Double(MonotonicInstant.now().nanoseconds) / 1e9 }

    /// The 429 (with Retry-After) for `address` while it waits after too many failed
    /// authentications — keys, hook signatures, URL tokens and unsubscribe links alike;
    /// nil when it may try.
    func lockedOut(_ address: String, requestID: String) -> HTTPResponse? {
        guard let wait = authFailures.withLock({ $0.wait(key: address, now: Self.seconds()) }) else { return nil }
        return Problem.response(
            status: 429, title: "Too Many Requests",
            detail: "too many failed authentications from \(address.isEmpty ? "this client" : address); wait \(wait) s", code: "resource_exhausted",
            requestID: requestID, headers: [("Retry-After", "\(wait)")])
    }

    /// Counts a failed authentication from `address`.
    func authenticationFailed(_ address: String) {
        _ = authFailures.withLock { $0.take(key: address, now: Self.seconds()) }
    }

    private func run(_ call: RouteCall) async -> HTTPResponse {
        let (route, request, parameters, requestID) = (call.route, call.request, call.parameters, call.requestID)
        var metadata = Metadata()
        metadata[Metadata.Key.requestID] = requestID
        metadata[Metadata.Key.caller] = "gateway"
        let options = CallOptions(deadline: .now() + configuration.requestTimeout, metadata: metadata, retry: nil)
        let context = RequestContext(
            api: self, request: request, parameters: parameters, requestID: requestID, options: options, role: call.role, staffID: call.staffID,
            credentialID: call.credentialID, session: call.session)
        do {
            // G6: an admin's session holds only while its member is an admin: a role changed
            // through another replica ends it here too, on routes the gateway answers alone as well.
            if call.session != nil, route.access.minimum == .admin, let staffID = call.staffID {
                _ = try await visibility(staffID: staffID, context)
            }
            return try await route.handler(context)
        } catch let refusal as UnacceptableValues {
            return Problem.response(
                status: 422, title: "Unprocessable Content", detail: refusal.error.message, code: refusal.error.code.name,
                violations: refusal.error.details, requestID: requestID)
        } catch let error as RPCError {
            return Problem.response(for: error, requestID: requestID)
        } catch {
            logger.error("route failed", ["error": "\(error)", "request_id": requestID])
            return Problem.response(for: RPCError(.internal, "\(error)"), requestID: requestID)
        }
    }

    static func rank(_ role: APIKeyring.Role) -> Int {
        switch role {
        case .reader: 0
        case .integration: 1
        case .admin: 2
        }
    }

    /// The caller's X-Request-Id when it is sane, else a new one.
    static func requestID(from request: HTTPRequest) -> String {
        if let given = request.header("X-Request-Id"), (1...128).contains(given.count),
            given.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 })
        {
            return given
        }
        return RequestIDGenerator.next()
    }

}

/// Requests answered, by status class, for /metrics.
final class RequestCounters: Sendable {
    private let counts = Mutex<[Int: UInt64]>([:])

    func record(status: Int) {
        counts.withLock { $0[status, default: 0] += 1 }
    }

    func render() -> String {
        var out = "# HELP switchboard_gateway_requests_total Requests answered, by HTTP status.\n# TYPE switchboard_gateway_requests_total counter\n"
        for (status, count) in counts.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            out += "switchboard_gateway_requests_total{status=\"\(status)\"} \(count)\n"
        }
        return out
    }
}
