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
    var scope: String? = nil
}

/// One step around a route's handler, after Hummingbird's `RouterMiddleware`: it answers
/// the request itself (a refusal, a stored answer) or hands it on to `next`.
protocol RouteMiddleware: Sendable {
    func handle(_ call: RouteCall, in api: GatewayAPI, next: (RouteCall) async -> HTTPResponse) async -> HTTPResponse
}
