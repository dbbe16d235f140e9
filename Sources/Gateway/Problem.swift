import Foundation
import HTTP
import Wire

/// Errors as RFC 9457 problem documents (`application/problem+json`), with the field
/// details of `invalid_argument` and the request id, so a caller can fix its input or
/// quote the id to support.
public enum Problem {
    /// The HTTP status for each RPC status (ENGINEERING.md).
    public static func httpStatus(for code: Status.Code) -> Int {
        switch code {
        case .ok: 200
        case .invalidArgument, .outOfRange: 400
        case .failedPrecondition, .aborted, .alreadyExists: 409
        case .notFound: 404
        case .unauthenticated: 401
        case .permissionDenied: 403
        case .resourceExhausted: 429
        case .unavailable: 503
        case .deadlineExceeded: 504
        case .unimplemented: 501
        case .cancelled: 499
        case .internal, .unknown, .dataLoss: 500
        }
    }

    public static func response(
        status: Int, title: String, detail: String, code: String? = nil, violations: [FieldViolation] = [],
        requestID: String, headers: [(name: String, value: String)] = [], extensions: [String: Any] = [:]
    ) -> HTTPResponse {
        var document: [String: Any] = [
            "type": "about:blank", "title": title, "status": status, "detail": detail, "requestId": requestID,
        ]
        if let code { document["code"] = code }
        // RFC 9457 extension members (a clash's alternatives).
        for (name, value) in extensions { document[name] = value }
        if !violations.isEmpty {
            document["errors"] = violations.map { ["field": $0.field, "detail": $0.description] }
        }
        return HTTPResponse(status: status, headers: [("Content-Type", "application/problem+json")] + headers, body: JSONWriter.encode(document))
    }

    /// The problem for a failed RPC. A service that is down says when to retry.
    public static func response(for error: RPCError, requestID: String) -> HTTPResponse {
        let status = httpStatus(for: error.code)
        let retry: [(name: String, value: String)] = error.code == .unavailable ? [("Retry-After", "1")] : []
        let detail = error.code == .internal ? "internal error; quote the request id to support" : error.message
        return response(
            status: status, title: HTTPResponse.reason(status), detail: detail, code: error.code.name,
            violations: error.details, requestID: requestID, headers: retry)
    }
}
