import HTTP
import JSON

/// JSON answers.
enum Reply {
    static func json(_ status: Int, _ value: some JSONWritable) -> HTTPResponse {
        json(status, value.jsonBytes)
    }

    static func json(_ status: Int, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: bytes)
    }
}
