import HTTP

/// G1: a query parameter the operation does not declare is refused like an unknown
/// field (a misspelt filter never answers the whole list).
struct DeclaredQueryOnly: RouteMiddleware {
    func handle(_ call: RouteCall, in api: GatewayAPI, next: (RouteCall) async -> HTTPResponse) async -> HTTPResponse {
        if let unknown = call.route.undeclaredQuery(call.request) {
            return Problem.response(for: unknown, requestID: call.requestID)
        }
        return await next(call)
    }
}
