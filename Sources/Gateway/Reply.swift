import HTTP
import JSON

/// JSON answers.
enum Reply {
    /// `secret` answers (a new URL token) are not cached.
    static func json(_ status: Int, _ value: some JSONWritable, secret: Bool = false) -> HTTPResponse {
        var response = json(status, value.jsonBytes)
        if secret { response.headers.append(("Cache-Control", "no-store")) }
        return response
    }

    static func json(_ status: Int, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: bytes)
    }

    /// 201 with where the new thing lives; `secret` answers (a key, a URL token) are not cached.
    static func created(_ value: some JSONWritable, at location: String, secret: Bool = false) -> HTTPResponse {
        var response = json(201, value)
        response.headers.append(("Location", location))
        if secret { response.headers.append(("Cache-Control", "no-store")) }
        return response
    }
}
