/// Matches a request's method and path against patterns such as `/v1/contacts/{id}`
/// and gives the route's number (the caller keeps what it means: a handler, a whole
/// route description) with the path parameters. Not generic, so matching a request
/// costs no generic metadata lookups across modules.
public struct Router: Sendable {
    public typealias Handler = Int

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
        var most = -1
        var best: Int?
        var fitting: [Int] = []
        for index in bySegmentCount[parts.count] ?? [] {
            var literals = 0
            var ok = true
            for (literal, part) in zip(routes[index].literals, parts) {
                guard let literal else { continue }
                guard part == literal else {
                    ok = false
                    break
                }
                literals += 1
            }
            guard ok, literals >= most else { continue }
            if literals > most {
                most = literals
                best = nil
                fitting.removeAll(keepingCapacity: true)
            }
            fitting.append(index)
            if best == nil && routes[index].method == wanted { best = index }
        }
        guard !fitting.isEmpty else { return .notFound }
        guard let bestIndex = best else {
            var allowed = fitting.map { routes[$0].method }
            if allowed.contains("GET") { allowed.append("HEAD") }
            return .methodNotAllowed(allowed)
        }
        let winner = routes[bestIndex]
        // Parameters are decoded for the winner only.
        var parameters: [String: String] = [:]
        for (index, name) in winner.parameters {
            let part = parts[index]
            parameters[name] = part.utf8.contains(UInt8(ascii: "%")) ? HTTPRequest.percentDecode(String(part)) : String(part)
        }
        return .found(winner.handler, parameters)
    }
}
