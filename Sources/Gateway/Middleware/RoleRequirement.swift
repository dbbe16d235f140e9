import HTTP

/// G3: the key's role is at least the route's; routes that are an integration's alone
/// refuse staff tokens.
struct RoleRequirement: RouteMiddleware {
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? {
        guard let minimum = call.route.access.minimum, let role = call.role else { return nil }
        guard GatewayAPI.rank(role) >= GatewayAPI.rank(minimum) else {
            return Problem.response(
                status: 403, title: "Forbidden", detail: "this needs the \(minimum.rawValue) role; the key has \(role.rawValue)",
                requestID: call.requestID)
        }
        if case .keys = call.route.access, call.staffID != nil {
            return Problem.response(
                status: 403, title: "Forbidden",
                detail: "staff tokens may not do this: it is for an integration's API key (\(call.route.operationID))", requestID: call.requestID)
        }
        return nil
    }
}
