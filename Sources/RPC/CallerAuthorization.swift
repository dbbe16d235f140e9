import Wire

/// Refuses, before the handler runs, a call from an identity the method does not name
/// among its callers (``MethodDescriptor/callers``, declared once in the schema):
/// `permission_denied`, the same answer whether or not the caller's request made sense.
///
/// A caller proves its identity with its TLS certificate. A client in the same process
/// is trusted. A plaintext connection is refused unless the server runs without TLS on
/// purpose (the debugging setting), when there is nothing to check.
public struct CallerAuthorization: ServerInterceptor {
    public let allowsUnauthenticated: Bool

    public init(allowsUnauthenticated: Bool = false) {
        self.allowsUnauthenticated = allowsUnauthenticated
    }

    public func intercept(
        _ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome {
        if let refusal = refusal(context) { return .failure(refusal) }
        return await next(context)
    }

    /// Why `context`'s caller may not make its call, nil when it may.
    public func refusal(_ context: ServerContext) -> RPCError? {
        // A method the server does not have answers unimplemented, whoever asks.
        guard let callers = context.declaredCallers else { return nil }
        switch context.peerIdentity {
        case .inProcess:
            return nil
        case .unauthenticated:
            return allowsUnauthenticated ? nil : RPCError(.permissionDenied, "\(context.method) needs a client certificate")
        case .certificate:
            if callers.contains("*") { return nil }
            if let service = context.peerIdentity.service, callers.contains(service) { return nil }
            return RPCError(.permissionDenied, "\(context.peerIdentity) may not call \(context.method)")
        }
    }
}
