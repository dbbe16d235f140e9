/// Where a server listens, and the stable name it is known by. Rendezvous hashing
/// scores the name, so a replica keeps its keys when its address changes.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Defaults to `host:port`; set it to the replica's identity (e.g. `telephony-0`).
    public var name: String

    public init(host: String, port: Int, name: String? = nil) {
        self.host = host
        self.port = port
        self.name = name ?? "\(host):\(port)"
    }

    /// Parses `host:port`, `[v6]:port`, or `name=host:port`.
    public init?(parsing text: String) {
        var rest = Substring(text)
        var name: String?
        if let eq = rest.firstIndex(of: "=") {
            name = String(rest[..<eq])
            rest = rest[rest.index(after: eq)...]
        }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = rest[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self.init(host: String(host), port: port, name: name)
    }

    public var description: String { name == "\(host):\(port)" ? name : "\(name) (\(host):\(port))" }
}
