import HTTP

/// G6: the console's session travels in one cookie, `sb_session`: HttpOnly (scripts never
/// read it), SameSite=Strict (no other site's page sends it), Path=/, and Secure when the
/// browser reached the gateway over https (a proxy says so with X-Forwarded-Proto).
enum SessionCookie {
    static let name = "sb_session"

    /// The session token a request carries, if any (the first `sb_session`).
    static func token(in request: HTTPRequest) -> String? {
        guard let header = request.header("Cookie") else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == name, !parts[1].isEmpty { return parts[1] }
        }
        return nil
    }

    /// The Set-Cookie header that gives the browser `token` for `seconds`.
    static func setting(_ token: String, seconds: Int, request: HTTPRequest) -> (name: String, value: String) {
        ("Set-Cookie", "\(name)=\(token); Path=/; Max-Age=\(seconds); HttpOnly; SameSite=Strict" + (secure(request) ? "; Secure" : ""))
    }

    /// The Set-Cookie header that makes the browser forget the session.
    static func clearing(_ request: HTTPRequest) -> (name: String, value: String) {
        ("Set-Cookie", "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure(request) ? "; Secure" : ""))
    }

    static func secure(_ request: HTTPRequest) -> Bool {
        request.header("X-Forwarded-Proto")?.lowercased() == "https"
    }
}
