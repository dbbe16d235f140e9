import Foundation
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

    public static func server(_ identity: String) throws -> TLSContext {
        try TLSContext(role: .server, files: files(identity))
    }

    public static func client(_ identity: String) throws -> TLSContext {
        try TLSContext(role: .client, files: files(identity))
    }
}
