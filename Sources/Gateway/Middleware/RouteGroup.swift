/// The middleware each group of routes runs through, in order, by who may call them:
/// open routes (health, the document, provider webhooks, which authenticate themselves)
/// only have their body's media type checked; every keyed route has its key, limits,
/// role and query checked and honours Idempotency-Key. A new kind of caller (a console
/// session) is a new group here.
enum RouteGroup {
    static let open: [any RouteMiddleware] = [JSONBodyOnly()]
    static let keyed: [any RouteMiddleware] = [
        JSONBodyOnly(), KeyAuthentication(), KeyRateLimit(), RoleRequirement(), DeclaredQueryOnly(), IdempotencyKeys(),
    ]

    /// CardDAV (issue 29): a phone sends its member's token as Basic's password; its XML
    /// bodies are the handler's to read, and no query is declared.
    static let member: [any RouteMiddleware] = [MemberAuthentication(), KeyRateLimit()]

    /// The chain `route` runs through: its group's steps that apply to it. /metrics is
    /// open only when configured so (GATEWAY_METRICS_AUTH=none).
    static func middleware(for route: Route, metricsNeedAdmin: Bool) -> [any RouteMiddleware] {
        if route.access == .member { return member }
        let group = route.access.minimum != nil && (route.operationID != "metrics" || metricsNeedAdmin) ? keyed : open
        return group.filter { $0.applies(to: route) }
    }
}
