import Wire

/// Runs around every call a server answers, after grpc-swift 2's `ServerInterceptor`:
/// authorisation, call propagation, metrics and call logs are interceptors.
///
/// An interceptor calls `next` to go on (with the context as it came or changed), or
/// returns a failure without calling it to refuse the call before its handler runs. It
/// sees how the call ended: the handler's answer or error, `unimplemented` for a method
/// the server does not have, `deadline_exceeded` when the deadline passed first (the
/// server has already answered the caller then) and `cancelled` when the caller gave up.
/// The first interceptor in ``RPCServer/Configuration/interceptors`` is the outermost.
public protocol ServerInterceptor: Sendable {
    func intercept(
        _ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome
}

/// How a served call ended, as interceptors see it.
public typealias ServerOutcome = Result<ServerResponse, RPCError>

/// A handler's answer, already encoded as the response frame.
public struct ServerResponse: Sendable {
    let frame: [UInt8]
}

extension Result where Success == ServerResponse, Failure == RPCError {
    /// The status the caller is sent.
    public var code: Status.Code {
        switch self {
        case .success: .ok
        case let .failure(error): error.code
        }
    }
}
