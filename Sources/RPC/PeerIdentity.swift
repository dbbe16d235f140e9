/// Who is at the other end of a served call's connection.
public enum PeerIdentity: Sendable, Equatable, CustomStringConvertible {
    /// The identity in the certificate the peer proved with mutual TLS (`gateway`,
    /// `telephony-0`).
    case certificate(String)
    /// A client in this process (the in-process transport): nobody outside can be it.
    case inProcess
    /// A plaintext connection: nothing was proved (only with the plaintext setting).
    case unauthenticated

    /// The caller identity methods declare (`Service.Method.callers`): the certificate's
    /// name without a replica's `-<number>` (`telephony-0` calls as `telephony`).
    public var service: String? {
        guard case let .certificate(name) = self else { return nil }
        guard let dash = name.lastIndex(of: "-"), name.index(after: dash) < name.endIndex,
            name[name.index(after: dash)...].allSatisfy(\.isASCII), name[name.index(after: dash)...].allSatisfy(\.isNumber)
        else { return name }
        return String(name[..<dash])
    }

    public var description: String {
        switch self {
        case let .certificate(name): name
        case .inProcess: "in-process"
        case .unauthenticated: "unauthenticated"
        }
    }
}
