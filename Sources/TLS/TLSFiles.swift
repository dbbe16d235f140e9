/// Where a process finds its TLS material, as PEM files: the cluster CA it trusts, and
/// its own certificate (naming its identity) and private key.
public struct TLSFiles: Sendable, Hashable {
    public var authority: String
    public var certificate: String
    public var key: String

    public init(authority: String, certificate: String, key: String) {
        self.authority = authority
        self.certificate = certificate
        self.key = key
    }

    /// The layout `switchboard up` and the Compose and Kubernetes files use: `ca.crt`,
    /// `<identity>.crt` and `<identity>.key` in one folder.
    public init(directory: String, identity: String) {
        self.init(authority: "\(directory)/ca.crt", certificate: "\(directory)/\(identity).crt", key: "\(directory)/\(identity).key")
    }
}
