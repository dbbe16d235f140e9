/// Names a unary method and the types of its request and response. Contracts declare
/// one per method; servers register handlers and clients make calls through it.
public struct MethodDescriptor<Request: WireMessage, Response: WireMessage>: Sendable {
    /// e.g. `switchboard.contacts.Contacts`.
    public let service: String
    /// e.g. `MatchOrCreate`.
    public let method: String
    /// True when running the call twice has the same effect as once (reads, puts keyed by
    /// the caller): the client may then retry it after `unavailable` even if the request
    /// may have reached the server.
    public let isIdempotent: Bool
    /// `service/method`, the name on the wire.
    public let fullName: String

    public init(service: String, method: String, isIdempotent: Bool = false) {
        self.service = service
        self.method = method
        self.isIdempotent = isIdempotent
        self.fullName = "\(service)/\(method)"
    }
}
