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
    /// The identities that may call it (`gateway`, `deals`, ...; `*`: anyone), as the
    /// schema declares them: the one source for who may call what (PROTOCOL.md, "Callers").
    public let callers: Set<String>

    /// `callers` defaults to anyone, for the descriptors diagnostics and tests make by hand.
    public init(service: String, method: String, isIdempotent: Bool = false, callers: Set<String> = ["*"]) {
        self.service = service
        self.method = method
        self.isIdempotent = isIdempotent
        self.callers = callers
        self.fullName = "\(service)/\(method)"
    }
}
