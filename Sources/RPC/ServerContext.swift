import Sockets
import Wire

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// `service/method` as the client sent it.
    public let method: String
    public let metadata: Metadata
    /// When the caller stops waiting; nil if it set no deadline. Pass it on to the calls
    /// the handler makes (``CallOptions/deadline``) so the budget travels with the work.
    public let deadline: MonotonicInstant?
    /// The client's address, `host:port`.
    public let peer: String
    public let requestID: UInt32
    /// Who the connection proved to be (TLS), or that it is in this process.
    public let peerIdentity: PeerIdentity
    /// The identities the method names as its callers; nil for a method the server does
    /// not have. Filled in by the server before the interceptors run.
    public internal(set) var declaredCallers: Set<String>?

    public init(
        method: String, metadata: Metadata, deadline: MonotonicInstant?, peer: String, requestID: UInt32,
        peerIdentity: PeerIdentity = .inProcess, declaredCallers: Set<String>? = nil
    ) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.requestID = requestID
        self.peerIdentity = peerIdentity
        self.declaredCallers = declaredCallers
    }

    /// Time left before the deadline, nil without one.
    public var remainingTime: Duration? {
        deadline.map { MonotonicInstant.now().duration(until: $0) }
    }
}

/// An error type that knows which status it means, so handlers can throw domain or
/// storage errors and the client still gets the right code.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
