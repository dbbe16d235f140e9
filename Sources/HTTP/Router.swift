/// Matches a request's method and path against patterns such as `/v1/contacts/{id}`
/// and gives the route's value (a handler, or a whole route description) with the path
/// parameters.
public struct Router<Handler: Sendable>: Sendable {
    public struct Route: Sendable {
        public let method: String
        public let pattern: String
        /// Each segment: its literal text, or nil for a `{parameter}`.
        let literals: [String?]
        let parameters: [(index: Int, name: String)]
        let handler: Handler
    }

    public private(set) var routes: [Route] = []
    /// Routes by their number of segments: a path is only compared with those.
    private var bySegmentCount: [Int: [Int]] = [:]

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        let segments = pattern.split(separator: "/")
        var literals: [String?] = []
        var parameters: [(index: Int, name: String)] = []
        for (i, segment) in segments.enumerated() {
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                literals.append(nil)
                parameters.append((i, String(segment.dropFirst().dropLast())))
            } else {
                literals.append(String(segment))
            }
        }
        bySegmentCount[segments.count, default: []].append(routes.count)
        routes.append(Route(method: method, pattern: pattern, literals: literals, parameters: parameters, handler: handler))
    }

    public enum Match {
        case found(Handler, [String: String])
        /// The path exists but not for this method; the allowed methods.
        case methodNotAllowed([String])
        case notFound
    }

    /// Literal segments win over parameters, so `/v1/contacts/duplicates` is not `{id}`.
    /// Paths are taken as written: an empty segment (`//v1//contacts`, a trailing `/`)
    /// matches nothing, so one resource has one path. HEAD is answered by the GET route.
    public func match(method: String, path: String) -> Match {
        guard path.hasPrefix("/") else { return .notFound }
        let parts = path.utf8.count == 1 ? [] : path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.contains(where: \.isEmpty) else { return .notFound }
        let wanted = method == "HEAD" ? "GET" : method
        // The most specific pattern that fits the path decides: `/v1/contacts/duplicates`
        // with PATCH is 405 (that path takes GET), not `/v1/contacts/{id}`'s PATCH.
        var candidates: [(route: Route, literals: Int)] = []
        for index in bySegmentCount[parts.count] ?? [] {
            let route = routes[index]
            var literals = 0
            var ok = true
            for (literal, part) in zip(route.literals, parts) {
                guard let literal else { continue }
                guard part == literal else {
                    ok = false
                    break
                }
                literals += 1
            }
            if ok { candidates.append((route, literals)) }
        }
        guard let most = candidates.map(\.literals).max() else { return .notFound }
        let fitting = candidates.filter { $0.literals == most }
        guard let best = fitting.first(where: { $0.route.method == wanted }) else {
            var allowed = fitting.map(\.route.method)
            if allowed.contains("GET") { allowed.append("HEAD") }
            return .methodNotAllowed(allowed)
        }
        // Parameters are decoded for the winner only.
        var parameters: [String: String] = [:]
        for (index, name) in best.route.parameters {
            let part = parts[index]
            parameters[name] = part.utf8.contains(UInt8(ascii: "%")) ? HTTPRequest.percentDecode(String(part)) : String(part)
        }
        return .found(best.route.handler, parameters)
    }
}
