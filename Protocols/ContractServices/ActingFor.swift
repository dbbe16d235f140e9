public import Contracts
public import RPC
public import Wire

// G3 in each service itself (issue 24 item 4). The generated registrations pass every
// request through `actingFor`; overload resolution picks the second one, at compile time,
// for requests that say what their caller sees.

/// A request that carries no visibility, as it was sent.
@inlinable
public func actingFor<Request: WireMessage>(_ request: Request, _ context: ServerContext) -> Request {
    request
}

/// A request that does not say what its caller sees takes what the call's principal sees;
/// one that says it (the gateway narrowing, or saying ``Visibility/everything`` on purpose)
/// keeps it. Calls between services carry no principal and see everything, as before.
@inlinable
public func actingFor<Request: WireMessage & VisibilityScoped>(_ request: Request, _ context: ServerContext) -> Request {
    guard request.visibility == nil, let visibility = context.principal?.visibility else { return request }
    var scoped = request
    scoped.visibility = visibility
    return scoped
}

extension ServerContext {
    /// Who the call acts for: the gateway's `principal` metadata; nil for calls between
    /// services. ServiceKit's `PrincipalCheck` has refused a malformed one, and one from
    /// any other caller, before this is read.
    public var principal: Principal? {
        metadata[Principal.metadataKey].flatMap(Principal.init(metadataValue:))
    }

    /// Who did it, as a service records it: `staff:<id>`, `api:<role>`, or `service` for a
    /// call between services.
    public var actor: String {
        principal.map { p in p.staffID.map { "staff:\($0)" } ?? "api:\(p.role)" } ?? "service"
    }
}
