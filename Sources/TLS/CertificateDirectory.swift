import FoundationEssentials
import Glibc

/// The certificates of a cluster on one machine, in one folder (`switchboard up` keeps
/// it at `./data/pki`, the tests in a temporary one): `ca.crt` and `ca.key`, then
/// `<identity>.crt` and `<identity>.key` per process (``TLSFiles/init(directory:identity:)``).
///
/// ``prepare(_:now:)`` makes what is missing on first use, keeps what is valid after, and
/// issues a fresh certificate once one is within ``renewBefore`` of its end. Keys are
/// written 0600 in a 0700 folder; every file is written beside and renamed into place,
/// so a process reading it (``TLSContext`` reloads on change) never sees half a file.
public struct CertificateDirectory: Sendable {
    public let path: String
    /// How long an issued certificate is valid.
    public var lifetime: TimeInterval = 90 * 86_400
    /// How long before its end a certificate is replaced.
    public var renewBefore: TimeInterval = 30 * 86_400
    /// How long the CA is valid; it is not renewed (bring your own for longer).
    public var authorityLifetime: TimeInterval = 10 * 365 * 86_400
    /// Each file reaches the disk before it is renamed into place (fsync). Tests that
    /// throw the folder away turn it off: on a busy disk two dozen fsyncs take seconds.
    public var durable = true

    public init(path: String) {
        self.path = path
    }

    public func files(for identity: String) -> TLSFiles {
        TLSFiles(directory: path, identity: identity)
    }

    /// Makes sure the CA and a certificate for each of `identities` exist and stay valid
    /// past `now + renewBefore`; returns the identities whose certificate was (re)issued.
    @discardableResult
    public func prepare(_ identities: [String], now: Date) throws(TLSFailure) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw TLSFailure("create \(path)", detail: "\(error)")
        }
        let authority = try loadOrMakeAuthority(now: now)
        var issued: [String] = []
        for identity in identities {
            let files = files(for: identity)
            if let pem = try? String(contentsOfFile: files.certificate, encoding: .utf8), FileManager.default.fileExists(atPath: files.key),
                let end = try? CertificateAuthority.expiry(ofCertificate: pem), end > now + renewBefore
            {
                continue
            }
            // Back-dated a little: clocks across processes are never quite equal.
            let made = try authority.issue(identity: identity, start: now - 300, end: now + lifetime)
            try write(made.key, to: files.key, mode: 0o600)
            try write(made.certificate, to: files.certificate, mode: 0o644)
            issued.append(identity)
        }
        return issued
    }

    private func loadOrMakeAuthority(now: Date) throws(TLSFailure) -> CertificateAuthority {
        let certificate = "\(path)/ca.crt"
        let key = "\(path)/ca.key"
        if let pem = try? String(contentsOfFile: certificate, encoding: .utf8), let keyPEM = try? String(contentsOfFile: key, encoding: .utf8) {
            return CertificateAuthority(certificate: pem, key: keyPEM)
        }
        let authority = try CertificateAuthority.make(name: "Switchboard local CA", start: now - 300, lifetime: authorityLifetime)
        try write(authority.key, to: key, mode: 0o600)
        try write(authority.certificate, to: certificate, mode: 0o644)
        return authority
    }

    private func write(_ text: String, to file: String, mode: Int) throws(TLSFailure) {
        let temporary = "\(file).new"
        unlink(temporary)
        // Created with its mode: a key is never readable by others, not even for a moment.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode_t(mode))
        guard fd >= 0 else { throw TLSFailure("write \(temporary)", detail: String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = !durable || fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else { throw TLSFailure("write \(temporary)", detail: String(cString: strerror(errno))) }
        guard rename(temporary, file) == 0 else { throw TLSFailure("move \(temporary) to \(file)", detail: String(cString: strerror(errno))) }
    }
}
