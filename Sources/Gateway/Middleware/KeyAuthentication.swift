import HTTP

/// G3: a valid key (or staff token) in `Authorization: Bearer`, from an address not
/// locked out for guessing; 401 otherwise, and a wrong key counts as a guess.
struct KeyAuthentication: RouteMiddleware {
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? {
        let address = call.request.remoteAddress
        if let refusal = api.lockedOut(address, requestID: call.requestID) { return refusal }
        guard let presented = GatewayAPI.bearerToken(call.request), let found = api.keyring.credential(for: presented) else {
            // Only a key presented and wrong counts as a guess; a request without one is not.
            if call.request.header("Authorization") != nil { api.authenticationFailed(address) }
            return Problem.response(
                status: 401, title: "Unauthorized", detail: "send Authorization: Bearer <api key>", requestID: call.requestID,
                headers: [("WWW-Authenticate", "Bearer")])
        }
        call.role = found.identity.role
        call.credentialID = found.credentialID
        if case let .staff(id) = found.identity { call.staffID = id }
        call.scope = String(IdempotencyStore.fingerprint(method: "key", path: presented, body: []), radix: 16)
        return nil
    }
}
