import Sockets
import Wire

/// Runs around every call a client makes, after grpc-swift 2's `ClientInterceptor`:
/// it may change the call's metadata and deadline, refuse it without sending it, or
/// observe how it ended. It wraps the whole call, retries included. The first
/// interceptor in ``RPCClient/Configuration/interceptors`` is the outermost.
public protocol ClientInterceptor: Sendable {
    func intercept(
        _ call: ClientCall, next: @Sendable (ClientCall) async -> ClientOutcome
    ) async -> ClientOutcome
}

/// One outgoing call as client interceptors see it.
public struct ClientCall: Sendable {
    /// `service/method`.
    public let method: String
    public var metadata: Metadata
    /// When the caller stops waiting; nil waits without bound.
    public var deadline: MonotonicInstant?
    /// The endpoint called, `host:port`.
    public let target: String
}

/// How an outgoing call ended, as client interceptors see it.
public typealias ClientOutcome = Result<ClientResponse, RPCError>

/// An ok answer, not yet decoded.
public struct ClientResponse: Sendable {
    let body: CallBody<ResponseTrailer>
}
