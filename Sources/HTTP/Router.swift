/// Matches a request's method and path against patterns such as `/v1/contacts/{id}`
/// and hands the path parameters to the route's handler.
public struct Router: Sendable {
    public typealias Handler = @Sendable (HTTPRequest, [String: String]) async -> HTTPResponse

    public struct Route: Sendable {
        public let method: String
        public let pattern: String
        let segments: [Substring]
        let handler: Handler
    }

    public private(set) var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, pattern: pattern, segments: pattern.split(separator: "/"), handler: handler))
    }

    public enum Match {
        case found(Handler, [String: String])
        /// The path exists but not for this method; the allowed methods.
        case methodNotAllowed([String])
        case notFound
    }

    /// Literal segments win over parameters, so `/v1/contacts/duplicates` is not `{id}`.
    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/")
        var allowed: [String] = []
        var best: (Route, [String: String], literals: Int)?
        for route in routes where route.segments.count == parts.count {
            var params: [String: String] = [:]
            var literals = 0
            var ok = true
            for (segment, part) in zip(route.segments, parts) {
                if segment.hasPrefix("{") && segment.hasSuffix("}") {
                    params[String(segment.dropFirst().dropLast())] = part.contains("%") ? HTTPRequest.percentDecode(String(part)) : String(part)
                } else if segment == part {
                    literals += 1
                } else {
                    ok = false
                    break
                }
            }
            guard ok else { continue }
            guard route.method == method else {
                allowed.append(route.method)
                continue
            }
            if best == nil || literals > best!.literals { best = (route, params, literals) }
        }
        if let best { return .found(best.0.handler, best.1) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed)
    }
}
