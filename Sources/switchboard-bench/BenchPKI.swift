import Foundation
import RPC
import TLS

/// The certificates of what a benchmark starts: the services run mutual TLS as they do
/// in production, from a CA made in a temporary folder that the child processes find in
/// `SWITCHBOARD_TLS_DIR`; the benchmark's own clients call as the gateway. With
/// `SWITCHBOARD_PLAINTEXT_RPC=true` in the environment everything runs plaintext.
enum BenchPKI {
    static let isPlaintext = ProcessInfo.processInfo.environment["SWITCHBOARD_PLAINTEXT_RPC"] == "true"

    static let directory: CertificateDirectory = {
        let path = NSTemporaryDirectory() + "switchboard-bench-pki-\(getpid())"
        let directory = CertificateDirectory(path: path)
        let identities = ["gateway", "contacts", "deals", "scheduling", "billing", "notifications", "echo", "bench"] + (0..<4).map { "telephony-\($0)" }
        do {
            try directory.prepare(identities, now: Date())
        } catch {
            FileHandle.standardError.write(Data("switchboard-bench: \(error)\n".utf8))
            exit(1)
        }
        return directory
    }()

    /// Points the processes the benchmark starts at its certificates.
    static func install() {
        guard !isPlaintext else { return }
        setenv("SWITCHBOARD_TLS_DIR", directory.path, 1)
    }

    static func server(_ identity: String) throws -> TLSContext {
        try TLSContext(role: .server, files: directory.files(for: identity))
    }

    /// A client of `identity` on loopback `port`, calling as the gateway.
    static func client(_ identity: String, port: Int, configuration: RPCClient.Configuration = .init()) -> RPCClient {
        var configuration = configuration
        if !isPlaintext { configuration.security = try? TLSContext(role: .client, files: directory.files(for: "gateway")) }
        return RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port, name: identity), configuration: configuration)
    }
}
