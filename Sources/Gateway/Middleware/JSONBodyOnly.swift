import HTTP

/// 415 for a body in anything but JSON (UTF-8), before anything else looks at it.
struct JSONBodyOnly: RouteMiddleware {
    func applies(to route: Route) -> Bool { route.body != nil }

    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? {
        GatewayAPI.unsupportedMediaType(call.request, requestID: call.requestID)
    }
}
