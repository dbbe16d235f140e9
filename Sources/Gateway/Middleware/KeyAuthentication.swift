import Digest
import HTTP

/// G3: a valid key (or staff token) in `Authorization: Bearer`, from an address not
/// locked out for guessing; 401 otherwise, and a wrong key counts as a guess. Without
/// one, a person's console session (G6): the `sb_session` cookie of a session that holds,
/// and on every write the session's token in `X-CSRF-Token` from a page of this origin.
struct KeyAuthentication: RouteMiddleware {
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? {
        if let refusal = api.lockedOut(call.request.remoteAddress, requestID: call.requestID) { return refusal }
        if call.request.header("Authorization") == nil, let token = SessionCookie.token(in: call.request), let sessions = api.sessions {
            return session(token, &call, sessions)
        }
        let requestID = call.requestID
        return Self.admit(GatewayAPI.bearerToken(call.request), &call, in: api) {
            Problem.response(
                status: 401, title: "Unauthorized", detail: "send Authorization: Bearer <api key>", requestID: requestID,
                headers: [("WWW-Authenticate", "Bearer")])
        }
    }

    /// The caller `presented` (a key or staff token) names, set on `call`; else the
    /// `refusal`, and a key presented and wrong counts as a guess (a request without one
    /// does not). Shared by every way a key arrives (Bearer, a phone's Basic password).
    static func admit(_ presented: String?, _ call: inout RouteCall, in api: GatewayAPI, refusal: () -> HTTPResponse) -> HTTPResponse? {
        guard let presented, let found = api.keyring.credential(for: presented) else {
            if call.request.header("Authorization") != nil { api.authenticationFailed(call.request.remoteAddress) }
            return refusal()
        }
        call.role = found.identity.role
        call.credentialID = found.credentialID
        if case let .staff(id) = found.identity { call.staffID = id }
        call.scope = String(IdempotencyStore.fingerprint(method: "key", path: presented, body: []), radix: 16)
        return nil
    }

    /// A cookie of a session that ended (signed out, timed out, a password changed) is not
    /// a guess: the token is 256 random bits, and counting it would lock out the person.
    private func session(_ token: String, _ call: inout RouteCall, _ sessions: PersonSessions) -> HTTPResponse? {
        guard let session = sessions.session(for: token) else {
            return Problem.response(
                status: 401, title: "Unauthorized", detail: "your session has ended; sign in again", code: "session_ended",
                requestID: call.requestID, headers: [("WWW-Authenticate", "Bearer"), SessionCookie.clearing(call.request)])
        }
        if !["GET", "HEAD"].contains(call.request.method) {
            if let refusal = Self.crossSite(call.request) {
                return Problem.response(status: 403, title: "Forbidden", detail: refusal, code: "csrf", requestID: call.requestID)
            }
            let presented = call.request.header("X-CSRF-Token") ?? ""
            guard ConstantTime.equals(Array(presented.utf8), Array(session.csrfToken.utf8)) else {
                return Problem.response(
                    status: 403, title: "Forbidden", detail: "a write from a session must carry the session's X-CSRF-Token (GET /v1/session gives it)",
                    code: "csrf", requestID: call.requestID)
            }
        }
        call.role = session.role == .admin ? .admin : .integration
        call.staffID = session.staffID
        call.session = PersonSessions.Held(token: token, live: session)
        call.scope = "session:\(session.id)"
        return nil
    }

    /// Why a write did not come from a page of this origin (the browser says where it did
    /// come from in Sec-Fetch-Site and Origin); nil when it did or the browser said nothing.
    static func crossSite(_ request: HTTPRequest) -> String? {
        if let site = request.header("Sec-Fetch-Site"), !["same-origin", "none"].contains(site.lowercased()) {
            return "a write from a session must come from the console's own pages (Sec-Fetch-Site: \(site.prefix(20)))"
        }
        if let origin = request.header("Origin"), let host = request.header("Host") {
            let bare = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? ""
            if origin == "null" || bare.lowercased() != host.lowercased() {
                return "a write from a session must come from the console's own pages (Origin: \(origin.prefix(100)))"
            }
        }
        return nil
    }
}
