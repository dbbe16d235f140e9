import Contracts
import RPC
import Wire

/// Only the gateway names the person a call acts for (G3, issue 24 item 4): `principal`
/// metadata from any other certificate is `permission_denied`, and a malformed one is
/// `invalid_argument`, before the handler runs, so a service never reads a principal it
/// should not trust or one it cannot understand as "nobody in particular".
public struct PrincipalCheck: ServerInterceptor {
    public init() {}

    public func intercept(
        _ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome {
        if let refusal = Self.refusal(context) { return .failure(refusal) }
        return await next(context)
    }

    public static func refusal(_ context: ServerContext) -> RPCError? {
        guard let text = context.metadata[Principal.metadataKey] else { return nil }
        if case .certificate = context.peerIdentity, context.peerIdentity.service != "gateway" {
            return RPCError(.permissionDenied, "only the gateway says whom a call acts for; \(context.peerIdentity) sent a principal")
        }
        guard Principal(metadataValue: text) != nil else {
            return .invalidArgument("the principal metadata \"\(text.prefix(200))\" is not role=...;sees=... (PROTOCOL.md, Metadata)")
        }
        return nil
    }
}
