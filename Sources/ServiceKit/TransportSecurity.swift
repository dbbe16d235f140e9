import FoundationEssentials
import Glibc
import RPC
import TLS

/// How a process's RPC is secured (PROTOCOL.md §1): mutual TLS with the certificate that
/// names its identity, the same for the port it serves and the calls it makes; or
/// plaintext, only when ``plaintext`` says so, for debugging, and loudly logged.
public struct TransportSecurity: Sendable {
    /// The identity its certificate names: the service, or a telephony replica's name.
    public let identity: String
    /// Serves with it (requires a client certificate); nil in plaintext.
    public let server: TLSContext?
    /// Calls with it (presents the certificate, checks the server's name); nil in plaintext.
    public let client: TLSContext?

    public var isPlaintext: Bool { server == nil }

    static let directory = Setting.text(
        "SWITCHBOARD_TLS_DIR", fallback: "./data/pki",
        """
        (no prefix) where the cluster's certificates are: `ca.crt`, and `<identity>.crt` with `<identity>.key` per \
        process (`switchboard up` makes them on first start and renews them; Compose/README.md says how to bring your own CA)
        """, scope: .shared)
    static let authority = Setting.text("TLS_CA", shown: "`$SWITCHBOARD_TLS_DIR/ca.crt`", "the CA certificate every peer's must chain to (PEM)")
    static let certificate = Setting.text(
        "TLS_CERTIFICATE", shown: "`$SWITCHBOARD_TLS_DIR/<identity>.crt`",
        "this process's certificate (PEM), its identity as common name and DNS name; read again when the file changes")
    static let key = Setting.text("TLS_KEY", shown: "`$SWITCHBOARD_TLS_DIR/<identity>.key`", "the certificate's private key (PEM)")
    static let plaintext = Setting.text(
        "SWITCHBOARD_PLAINTEXT_RPC", shown: "unset (mutual TLS)",
        """
        (no prefix) `true` turns TLS off for debugging: any process that reaches a port may then call every method. \
        Every process of the system must agree; each logs a warning at start. Never in production
        """, scope: .shared)

    /// What every process reads to secure its RPC.
    public static let settings = [directory, authority, certificate, key, plaintext]

    init(identity: String, server: TLSContext?, client: TLSContext?) {
        self.identity = identity
        self.server = server
        self.client = client
    }

    /// Reads the settings and the files: throws naming the variable and the file when
    /// something is missing or unreadable, so a process never falls back to plaintext.
    public static func load(_ environment: ServiceEnvironment, identity: String, logger: Logger) throws(StartFailure) -> TransportSecurity {
        switch environment.string(plaintext) {
        case "":
            break
        case "true":
            logger.warn("RPC IN PLAINTEXT: TLS is off, any process that reaches this service may call every method as anyone", [
                "variable": environment.name(of: plaintext)
            ])
            return TransportSecurity(identity: identity, server: nil, client: nil)
        case let other:
            throw StartFailure(description: "\(environment.name(of: plaintext)) is \"\(other)\"; expected `true` or unset")
        }
        let folder = environment.string(directory)
        let defaults = TLSFiles(directory: folder, identity: identity)
        let files = TLSFiles(
            authority: environment.string(authority, fallback: defaults.authority),
            certificate: environment.string(certificate, fallback: defaults.certificate),
            key: environment.string(key, fallback: defaults.key))
        for (setting, path) in [(authority, files.authority), (certificate, files.certificate), (key, files.key)]
        where !FileManager.default.isReadableFile(atPath: path) {
            throw StartFailure(description: """
                no TLS file at \(path) (\(environment.name(of: setting)), or \(environment.name(of: directory))): `switchboard up` \
                makes them under ./data/pki; Compose/README.md says how to issue your own
                """)
        }
        let report: @Sendable (TLSFailure) -> Void = { failure in
            logger.warn("a renewed certificate could not be read; the previous one stays in force", ["error": failure.description])
        }
        do throws(TLSFailure) {
            return TransportSecurity(
                identity: identity, server: try TLSContext(role: .server, files: files, reloadFailed: report),
                client: try TLSContext(role: .client, files: files, reloadFailed: report))
        } catch {
            throw StartFailure(description: "cannot use the TLS files of \(identity): \(error)")
        }
    }
}
