import Foundation
import HTTP

/// CardDAV's sign-in (issue 29): a phone's account sends its member's staff token as HTTP
/// Basic's password (RFC 7617; the user name is not looked at), or as Bearer. A wrong one
/// counts as a guess, as a wrong key does (G3); 401 asks for Basic, which is what a phone
/// then shows its person.
struct MemberAuthentication: RouteMiddleware {
    func check(_ call: inout RouteCall, in api: GatewayAPI) -> HTTPResponse? {
        if let refusal = api.lockedOut(call.request.remoteAddress, requestID: call.requestID) { return refusal }
        let requestID = call.requestID
        return KeyAuthentication.admit(Self.basicPassword(call.request) ?? GatewayAPI.bearerToken(call.request), &call, in: api) {
            Problem.response(
                status: 401, title: "Unauthorized", detail: "sign in with your staff token as the password", requestID: requestID,
                headers: [("WWW-Authenticate", #"Basic realm="Switchboard", charset="UTF-8""#)])
        }
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
