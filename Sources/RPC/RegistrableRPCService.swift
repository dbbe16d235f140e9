/// A service's RPC face: it registers its methods on a server (after grpc-swift 2's
/// `RegistrableRPCService`). The host registers every service it runs the same way.
public protocol RegistrableRPCService: Sendable {
    func registerMethods(with server: RPCServer)
}

extension RPCServer {
    public func register(_ service: some RegistrableRPCService) {
        service.registerMethods(with: self)
    }
}
