import Foundation
import HTTP
import RPC
import Wire

/// One operation of the REST API, declared once: the router serves it and
/// /v1/openapi.json describes it from this same value, so the two cannot disagree.
/// Bodies, answers and query strings name contract messages whose JSON code and
/// schemas are generated from Protocols/Schemas.
struct Route: Sendable {
    typealias Handler = @Sendable (RequestContext) async throws -> HTTPResponse

    /// Who may call it: anyone, a key or staff token with at least this role, or only
    /// API keys with at least this role (what a PBX or another system does, never a person:
    /// call intake, routing).
    enum Access: Sendable, Equatable {
        case open
        case role(APIKeyring.Role)
        case keys(APIKeyring.Role)
        /// A staff member's own token, as HTTP Basic's password (what a phone's CardDAV
        /// account sends) or Bearer; keys that are no member are refused by the route.
        case member

        /// The least role it needs; nil when open.
        var minimum: APIKeyring.Role? {
            switch self {
            case .open: nil
            case let .role(role), let .keys(role): role
            case .member: .integration
            }
        }

        /// Who may call it, in words (the document states it on every operation).
        var description: String {
            switch self {
            case .open: "Anyone (authenticated by the route itself where it says so)."
            case .role(.admin): "Admin keys only."
            case .role(.integration): "Integration and admin keys, and staff tokens (as their member, G3)."
            case .role(.reader): "Every key and staff token (staff tokens see their member's view, G3)."
            case let .keys(role): "\(role == .admin ? "Admin" : "Integration and admin") API keys only; staff tokens are refused (403)."
            case .member: "A staff member, with their staff token as HTTP Basic's password (any user name) or as Bearer; only their own book."
            }
        }
    }

    /// What an answer's body is.
    enum Content: Sendable, Equatable {
        case none
        /// A message's generated output schema (or a hand-written component) by name.
        case schema(String)
        case csv
        /// An iCalendar document (RFC 5545).
        case calendar
        case text
        /// A page a person reads in a browser.
        case html
        /// The OpenAPI document itself.
        case document
        /// A static file of one of these media types (the console's).
        case file([String])
        /// Server-Sent Events (`text/event-stream`), written as things happen.
        case eventStream
    }

    struct Answer: Sendable {
        let status: Int
        let description: String
        let content: Content
        /// Response headers it carries besides X-Request-Id (`Location`).
        var headers: [String] = []
    }

    /// What a path parameter other than an id may be.
    enum PathParameter: Sendable {
        case choice([String])
        /// Text matching a pattern (ECMA-262), with what it is.
        case text(pattern: String, description: String)
    }

    /// A query parameter that is not a field of the query message (`mine`).
    struct QueryParameter: Sendable {
        /// `reason`: a person's words, 1 to 1,000 characters, not only spaces; `choice`: one of the names.
        enum Kind: Sendable { case boolean, string, positiveInteger, reason, choice([String]) }
        let name: String
        let kind: Kind
        let description: String
        var required = false
    }

    /// An OpenAPI link from this operation's answer to another operation.
    struct Link: Sendable {
        let name: String
        let operationID: String
        /// Parameter name -> runtime expression (`$response.body#/id`).
        let parameters: [String: String]
    }

    let method: String
    let path: String
    /// Path parameters that are not ids (`{service}`, `{integration}`), with what they may be.
    var pathParameters: [String: PathParameter] = [:]
    let operationID: String
    let access: Access
    let summary: String
    /// The query message's parameters (component names), then the extra ones.
    var query: [String] = []
    var extraQuery: [QueryParameter] = []
    /// The input schema of the body, if it takes one.
    var body: String? = nil
    var bodyRequired = true
    /// Takes the body as it comes, in any media type (webhooks): stored, not parsed.
    var rawBody = false
    /// Takes a file as its body in one of these media types (an import's NDJSON or CSV),
    /// read by the handler, not as JSON.
    var upload: [String] = []
    /// A body the operation accepts, as JSON: shown in the document, and where testing
    /// tools start.
    var example: String? = nil
    var answers: [Answer]
    /// Problem statuses it can answer besides those every secured route can (401, 403,
    /// 415, 429, 503, 504) and 400 for any route with input.
    var errors: [Int] = []
    /// POSTs that create: a retry with the same Idempotency-Key gets the first answer.
    var idempotencyKey = false
    var links: [Link] = []
    let handler: Handler
}

extension Route {
    /// The query parameters it declares (their names in the document).
    var declaredQuery: Set<String> {
        Set(query.map { String($0.split(separator: ".").last ?? "") } + extraQuery.map(\.name))
    }

    /// A query parameter the document does not declare for this operation is refused,
    /// as an unknown body field is (a misspelt filter would otherwise be silently ignored
    /// and the whole list answered). Routes a provider calls with its own query take it as it comes.
    func undeclaredQuery(_ request: HTTPRequest) -> RPCError? {
        guard !rawBody, access.minimum != nil else { return nil }
        let declared = declaredQuery
        let unknown = request.query.keys.filter { !declared.contains($0) }.sorted()
        guard !unknown.isEmpty else { return nil }
        return .invalidArgument(
            "the query has \(unknown.count) parameter(s) this operation does not take; see /v1/openapi.json",
            details: unknown.map { FieldViolation(field: $0.isEmpty ? "(a parameter without a name)" : $0, description: "is not a parameter of this operation") })
    }

    static func answer(_ status: Int, _ description: String, _ output: any RESTOutput.Type, headers: [String] = []) -> Answer {
        Answer(status: status, description: description, content: .schema(output.openAPIOutputSchema), headers: headers)
    }
}

/// A route behind one reference (the router's value).
final class RouteBox: Sendable {
    let route: Route
    /// What the route runs through before its handler (``RouteGroup``): the checks, and
    /// the steps that wrap the handler.
    let checks: [any RouteMiddleware]
    let wrappers: [any RouteMiddleware]
    /// G1 (issue 22 item 32): each declared path parameter's rule, compiled once; a value
    /// outside it names nothing, as the document says (`/v1/calls/011-1` is no call).
    private let rules: [(name: String, allows: @Sendable (String) -> Bool)]

    init(_ route: Route, middleware: [any RouteMiddleware]) {
        self.route = route
        checks = middleware.filter { !$0.wrapsHandler }
        wrappers = middleware.filter(\.wrapsHandler)
        rules = route.pathParameters.map { name, parameter in
            switch parameter {
            case let .choice(names):
                let allowed = Set(names)
                return (name, { allowed.contains($0) })
            case let .text(pattern, _):
                // A pattern that does not compile is a programming error the document test catches.
                let expression = try! NSRegularExpression(pattern: pattern)
                // The whole value: ICU's `$` also matches before a final line break.
                return (name, { value in
                    let whole = NSRange(value.startIndex..., in: value)
                    return expression.firstMatch(in: value, range: whole)?.range == whole
                })
            }
        }
    }

    /// The first path parameter whose value the route does not take (nil: all are taken).
    func refused(_ parameters: [String: String]) -> String? {
        rules.first { name, allows in !allows(parameters[name] ?? "") }?.name
    }
}
