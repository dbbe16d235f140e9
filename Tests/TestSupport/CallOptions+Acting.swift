import Contracts
import RPC
import Wire

extension CallOptions {
    /// A call acting for `principal` as the gateway sends it (G3, issue 24): the services'
    /// per-principal tests call with it; nil acts for nobody (a call between services).
    public static func acting(for principal: Principal?) -> CallOptions {
        var metadata = Metadata()
        if let principal { metadata[Principal.metadataKey] = principal.metadataValue }
        return CallOptions(metadata: metadata)
    }
}
