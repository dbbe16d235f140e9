import Foundation
import HTTP

/// CardDAV's sign-in (issue 29): a phone's account sends its member's staff token as HTTP
/// Basic's password (RFC 7617; the user name is not looked at), or as Bearer. A wrong one
/// counts as a guess, as a wrong key does (G3); 401 asks for Basic, which is what a phone
/// then shows its person.
struct MemberAuthentication: RouteMiddleware {
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? {
        let address = call.request.remoteAddress
        if let refusal = api.lockedOut(address, requestID: call.requestID) { return refusal }
        guard let presented = Self.basicPassword(call.request) ?? GatewayAPI.bearerToken(call.request),
            let found = api.keyring.credential(for: presented)
        else {
            if call.request.header("Authorization") != nil { api.authenticationFailed(address) }
            return Problem.response(
                status: 401, title: "Unauthorized", detail: "sign in with your staff token as the password", requestID: call.requestID,
                headers: [("WWW-Authenticate", #"Basic realm="Switchboard", charset="UTF-8""#)])
        }
        call.role = found.identity.role
        call.credentialID = found.credentialID
        if case let .staff(id) = found.identity { call.staffID = id }
        call.scope = String(IdempotencyStore.fingerprint(method: "key", path: presented, body: []), radix: 16)
        return nil
    }

    /// The password of `Authorization: Basic base64(user:password)`.
    static func basicPassword(_ request: HTTPRequest) -> String? {
        guard let header = request.header("Authorization") else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic", parts[1].utf8.count <= 1024,
            let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        let password = String(text[text.index(after: colon)...])
        return password.isEmpty ? nil : password
    }
}
