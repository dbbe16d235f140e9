import HTTP

/// 415 for a body in anything but JSON (UTF-8), before anything else looks at it.
struct JSONBodyOnly: RouteMiddleware {
    func handle(_ call: RouteCall, in api: GatewayAPI, next: (RouteCall) async -> HTTPResponse) async -> HTTPResponse {
        if call.route.body != nil, let refusal = GatewayAPI.unsupportedMediaType(call.request, requestID: call.requestID) { return refusal }
        return await next(call)
    }
}
