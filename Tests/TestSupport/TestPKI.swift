import Foundation
import RPC
import Synchronization
import TLS

/// The test process's certificates: one CA in a temporary folder, a certificate per
/// identity issued on first use (``CertificateDirectory``, as `switchboard up` keeps them).
/// Certificates start five minutes back and last a year: OpenSSL checks them against the
/// system's clock, which no test controls.
public enum TestPKI {
    private static let issued = Mutex<Set<String>>([])

    public static let directory: CertificateDirectory = {
        let path = NSTemporaryDirectory() + "switchboard-test-pki-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var directory = CertificateDirectory(path: path)
        directory.lifetime = 365 * 86_400
        directory.renewBefore = 0
        // Thrown away with the run; fsyncs under a loaded suite would hold every test that waits for a certificate.
        directory.durable = false
        return directory
    }()

    /// The files of `identity`, issued now if they are not yet.
    public static func files(_ identity: String) throws -> TLSFiles {
        try issued.withLock { issued in
            if !issued.contains(identity) {
                try directory.prepare([identity], now: Date())
                issued.insert(identity)
            }
        }
        return directory.files(for: identity)
    }

    /// Every process a test system runs, the telephony replicas up to four.
    public static let identities = ["gateway", "contacts", "deals", "scheduling", "billing", "notifications", "echo"] + (0..<4).map { "telephony-\($0)" }

    /// What a service started by a test reads to find its certificate: every identity
    /// of ``identities`` is issued first.
    public static var environment: [String: String] {
        for identity in identities { _ = try! files(identity) }
        return ["SWITCHBOARD_TLS_DIR": directory.path]
    }

    /// The test process's CA, certificate and key.
    public static func authority() throws -> CertificateAuthority {
        let files = try files("gateway")
        return CertificateAuthority(
            certificate: try String(contentsOfFile: files.authority, encoding: .utf8),
            key: try String(contentsOfFile: "\(directory.path)/ca.key", encoding: .utf8))
    }

    /// A certificate for `identity` from `authority` (the test CA if nil), valid from
    /// `start` to `end`, in files of a folder of its own that trust the test CA: an
    /// expired or a foreign certificate for a test to present.
    public static func issue(_ identity: String, by authority: CertificateAuthority? = nil, start: Date, end: Date) throws -> TLSFiles {
        let folder = try temporaryFolder("switchboard-tls").path
        let made = try (authority ?? self.authority()).issue(identity: identity, start: start, end: end)
        let files = TLSFiles(authority: try files(identity).authority, certificate: "\(folder)/\(identity).crt", key: "\(folder)/\(identity).key")
        try made.certificate.write(toFile: files.certificate, atomically: true, encoding: .utf8)
        try made.key.write(toFile: files.key, atomically: true, encoding: .utf8)
        return files
    }

    /// One context per identity and side, shared: OpenSSL 3's SSL_CTX_new takes
    /// milliseconds, and hundreds of tests start at once.
    private static let contexts = Mutex<[String: TLSContext]>([:])

    private static func context(_ role: TLSContext.Role, _ identity: String) throws -> TLSContext {
        let key = "\(role == .server ? "server" : "client") \(identity)"
        if let known = contexts.withLock({ $0[key] }) { return known }
        let made = try TLSContext(role: role, files: files(identity))
        return contexts.withLock { all in
            if let known = all[key] { return known }
            all[key] = made
            return made
        }
    }

    public static func server(_ identity: String) throws -> TLSContext {
        try context(.server, identity)
    }

    public static func client(_ identity: String) throws -> TLSContext {
        try context(.client, identity)
    }
}

extension RPCClient.Configuration {
    /// How long a test's client lets a TLS handshake take: every server in the test process
    /// shares one reactor, and under a loaded suite a handshake took over the default 5 s
    /// (a D9/D7 lead then went "pending"; a trust test failed). Tests about who is trusted,
    /// not about speed, use it.
    public static let testHandshakeLimit: Duration = .seconds(30)
}

extension RPCClient {
    /// A client of the process `identity` on loopback `port`, calling as `caller` with
    /// the test CA's certificate (mutual TLS, as the system's own processes call).
    /// Its TLS handshake may take ``Configuration/testHandshakeLimit`` unless the test set its
    /// own limit. Within a call the limit is still the call's own deadline.
    public static func test(_ identity: String, port: Int, as caller: String = "gateway", configuration: Configuration = Configuration()) -> RPCClient {
        var configuration = configuration
        if configuration.connectTimeout == Configuration().connectTimeout { configuration.connectTimeout = Configuration.testHandshakeLimit }
        configuration.security = try! TestPKI.client(caller)
        return RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port, name: identity), configuration: configuration)
    }
}

extension RPCServer.Configuration {
    /// Serves as `identity` under mutual TLS from the test CA: a fake a real process calls.
    public mutating func secure(as identity: String) {
        security = try! TestPKI.server(identity)
    }
}
