import HTTP

/// G3: requests a second per key, answered 429 with Retry-After past them.
struct KeyRateLimit: RouteMiddleware {
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? {
        if let scope = call.scope, let wait = api.limiter.withLock({ $0.take(key: scope, now: GatewayAPI.seconds()) }) {
            return Problem.response(
                status: 429, title: "Too Many Requests",
                detail: "this API key is over its limit of \(Int(api.configuration.rateLimit)) requests a second", code: "resource_exhausted",
                requestID: call.requestID, headers: [("Retry-After", "\(wait)")])
        }
        return nil
    }
}
