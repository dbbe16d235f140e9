import HTTP

/// A request on its way to its route's handler, as middleware see it and pass it on.
struct RouteCall: Sendable {
    let route: Route
    let request: HTTPRequest
    let parameters: [String: String]
    let requestID: String
    /// Who is calling, once ``KeyAuthentication`` has checked the key: its role, its
    /// staff member (a staff token, G3), and the key as a scope for limits and
    /// Idempotency-Keys. Nil on open routes.
    var role: APIKeyring.Role? = nil
    var staffID: Int64? = nil
    /// The credential's id when the key was made over the API (the principal says it).
    var credentialID: Int64? = nil
    var scope: String? = nil
    /// The console session, when a person's session authenticated the call (G6).
    var session: PersonSessions.Held? = nil
}

/// One step before a route's handler, after Hummingbird's `RouterMiddleware`: it answers
/// the request itself (a refusal, a stored answer) or lets it on. Most only look and
/// refuse (``check(_:in:)``, no suspension on the hot path); one that must run around the
/// handler (Idempotency-Key's stored answers) says so with ``wrapsHandler``.
protocol RouteMiddleware: Sendable {
    /// Whether it has anything to do for `route`, decided once when the gateway starts
    /// (the media type of routes without a body is not looked at).
    func applies(to route: Route) -> Bool
    /// Before the handler: a refusal, or nil to let the call on (perhaps with who is
    /// calling added).
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse?
    /// True for a step that runs around the handler (``handle(_:in:next:)``).
    var wrapsHandler: Bool { get }
    /// Around the handler, after every check has let the call on.
    func handle(_ call: RouteCall, in api: GatewayAPI, next: (RouteCall) async -> HTTPResponse) async -> HTTPResponse
}

extension RouteMiddleware {
    func applies(to route: Route) -> Bool { true }
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? { nil }
    var wrapsHandler: Bool { false }
    func handle(_ call: RouteCall, in api: GatewayAPI, next: (RouteCall) async -> HTTPResponse) async -> HTTPResponse { await next(call) }
}
