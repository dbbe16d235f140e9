import HTTP

/// G1: a query parameter the operation does not declare is refused like an unknown
/// field (a misspelt filter never answers the whole list).
struct DeclaredQueryOnly: RouteMiddleware {
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? {
        if let unknown = call.route.undeclaredQuery(call.request) {
            return Problem.response(for: unknown, requestID: call.requestID)
        }
        return nil
    }
}
