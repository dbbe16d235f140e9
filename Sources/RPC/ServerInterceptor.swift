/// Runs around every call a server answers (after grpc-swift's server interceptors):
/// metrics, call logs. It is told how each call ended: answered by its handler, or by
/// the server when the deadline passed or the caller went away first.
public protocol ServerInterceptor: Sendable {
    func callFinished(_ call: RPCServer.CallRecord)
}
