import HTTP

/// G5: a keyed POST with an `Idempotency-Key` runs once per (key, Idempotency-Key);
/// a repeat gets the first answer (`Idempotent-Replayed: true`), across restarts when the
/// gateway keeps a ledger; the same key with another request is 422, one still running 409.
struct IdempotencyKeys: RouteMiddleware {
    func applies(to route: Route) -> Bool { route.idempotencyKey }
    var wrapsHandler: Bool { true }

    func handle(_ call: RouteCall, in api: GatewayAPI, next: (RouteCall) async -> HTTPResponse) async -> HTTPResponse {
        guard let key = call.request.header("Idempotency-Key"), let scope = call.scope else { return await next(call) }
        return await idempotent(call.request, key: key, scope: scope, requestID: call.requestID, api: api) { await next(call) }
    }

    /// Runs `work` once per (caller, Idempotency-Key); repeats get the stored answer.
    private func idempotent(
        _ request: HTTPRequest, key: String, scope: String, requestID: String, api: GatewayAPI, work: () async -> HTTPResponse
    ) async -> HTTPResponse {
        // At least 8 characters: short keys (1, 2, 3...) collide between a client's requests.
        guard (8...255).contains(key.utf8.count), key.utf8.allSatisfy({ (33...126).contains($0) }) else {
            return Problem.response(
                status: 400, title: "Bad Request", detail: "Idempotency-Key must be 8 to 255 visible ASCII characters without spaces (a UUID is best)",
                requestID: requestID)
        }
        let fingerprint = IdempotencyStore.fingerprint(method: request.method, path: request.target, body: request.body)
        switch api.idempotency.withLock({ $0.begin(scope: scope, key: key, fingerprint: fingerprint, now: GatewayAPI.seconds()) }) {
        case .proceed:
            if let ledger = api.ledger {
                let saved: (fingerprint: UInt64, response: HTTPResponse)?
                do {
                    saved = try await ledger.find(scope: scope, key: key)
                } catch {
                    api.idempotency.withLock { $0.abandon(scope: scope, key: key) }
                    api.logger.error("idempotency ledger unreadable", ["error": "\(error)", "request_id": requestID])
                    return Problem.response(status: 503, title: "Service Unavailable", detail: "cannot check the Idempotency-Key now; retry", requestID: requestID, headers: [("Retry-After", "1")])
                }
                if let saved {
                    api.idempotency.withLock { $0.finish(scope: scope, key: key, fingerprint: saved.fingerprint, response: saved.response, now: GatewayAPI.seconds()) }
                    guard saved.fingerprint == fingerprint else {
                        return Problem.response(
                            status: 422, title: "Unprocessable Content", detail: "this Idempotency-Key was used with a different request", requestID: requestID)
                    }
                    var response = saved.response
                    response.headers.append(("Idempotent-Replayed", "true"))
                    return response
                }
            }
            let response = await work()
            do {
                try await api.ledger?.record(scope: scope, key: key, fingerprint: fingerprint, response: response)
            } catch {
                // The work is done; only a retry after a restart could repeat it. Say so in the log.
                api.logger.error("idempotency answer not stored", ["error": "\(error)", "request_id": requestID])
            }
            api.idempotency.withLock { $0.finish(scope: scope, key: key, fingerprint: fingerprint, response: response, now: GatewayAPI.seconds()) }
            return response
        case var .replay(response):
            response.headers.append(("Idempotent-Replayed", "true"))
            return response
        case .inProgress:
            return Problem.response(
                status: 409, title: "Conflict", detail: "a request with this Idempotency-Key is still running; retry shortly",
                requestID: requestID, headers: [("Retry-After", "1")])
        case .mismatch:
            return Problem.response(
                status: 422, title: "Unprocessable Content", detail: "this Idempotency-Key was used with a different request",
                requestID: requestID)
        }
    }
}
