import CCrypto
import Glibc
import Synchronization

/// One side's TLS setup for the binary protocol: TLS 1.3 only, the peer's certificate
/// required and verified against the cluster CA, this process's certificate presented.
///
/// It reads its files again when they change (a renewed certificate), so the next
/// connection uses the new certificate without a restart; connections already open keep
/// the one they started with. A renewal that cannot be read leaves the last good one in
/// force and is reported once, through `reloadFailed`.
public final class TLSContext: Sendable {
    public enum Role: Sendable {
        /// Accepts connections and requires a client certificate.
        case server
        /// Connects, presents its certificate and checks the server's name.
        case client
    }

    public let role: Role
    public let files: TLSFiles
    private let reloadFailed: @Sendable (TLSFailure) -> Void

    private struct Loaded: @unchecked Sendable {
        var context: OpaquePointer
        var stamps: [FileStamp]
        var failedStamps: [FileStamp]?
    }

    private let loaded: Mutex<Loaded>

    public init(role: Role, files: TLSFiles, reloadFailed: @escaping @Sendable (TLSFailure) -> Void = { _ in }) throws(TLSFailure) {
        self.role = role
        self.files = files
        self.reloadFailed = reloadFailed
        let stamps = FileStamp.of([files.authority, files.certificate, files.key])
        loaded = Mutex(Loaded(context: try Self.makeContext(role: role, files: files), stamps: stamps))
    }

    deinit {
        loaded.withLock { SSL_CTX_free($0.context) }
    }

    /// A session for one new connection. A client names the identity the server's
    /// certificate must carry (`contacts`, `telephony-0`).
    public func session(expecting serverName: String? = nil) throws(TLSFailure) -> TLSSession {
        let context = currentContext()
        defer { SSL_CTX_free(context) }
        return try TLSSession(context: context, role: role, serverName: serverName)
    }

    /// The context in force, with a reference the caller frees; reloaded first if the
    /// files changed.
    private func currentContext() -> OpaquePointer {
        let stamps = FileStamp.of([files.authority, files.certificate, files.key])
        let (context, failure) = loaded.withLock { l -> (OpaquePointer, TLSFailure?) in
            var failure: TLSFailure?
            if stamps != l.stamps && stamps != l.failedStamps {
                do throws(TLSFailure) {
                    let fresh = try Self.makeContext(role: role, files: files)
                    SSL_CTX_free(l.context)
                    l.context = fresh
                    l.stamps = stamps
                    l.failedStamps = nil
                } catch {
                    // Half-written files (a renewal in progress) fail once and load on the next change.
                    l.failedStamps = stamps
                    failure = error
                }
            }
            SSL_CTX_up_ref(l.context)
            return (l.context, failure)
        }
        if let failure { reloadFailed(failure) }
        return context
    }

    private static func makeContext(role: Role, files: TLSFiles) throws(TLSFailure) -> OpaquePointer {
        ERR_clear_error()
        guard let context = SSL_CTX_new(role == .server ? TLS_server_method() : TLS_client_method()) else {
            throw TLSFailure("make a TLS context")
        }
        func fail(_ operation: String) -> TLSFailure {
            let failure = TLSFailure(operation)
            SSL_CTX_free(context)
            return failure
        }
        guard sb_ssl_ctx_tls13_only(context) == 1 else { throw fail("require TLS 1.3") }
        // Records come from a memory buffer: take all that is there in one read, not a
        // header and then a body.
        _ = sb_ssl_ctx_read_ahead(context)
        // AES-128-GCM first: as safe for this use and cheaper per record than OpenSSL's AES-256 default.
        guard SSL_CTX_set_ciphersuites(context, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") == 1 else {
            throw fail("choose the TLS 1.3 cipher suites")
        }
        guard SSL_CTX_use_certificate_chain_file(context, files.certificate) == 1 else {
            throw fail("load the certificate \(files.certificate)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, files.key, SSL_FILETYPE_PEM) == 1 else { throw fail("load the key \(files.key)") }
        guard SSL_CTX_check_private_key(context) == 1 else { throw fail("match the key \(files.key) to \(files.certificate)") }
        guard SSL_CTX_load_verify_locations(context, files.authority, nil) == 1 else {
            throw fail("load the certificate authority \(files.authority)")
        }
        switch role {
        case .server:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
            // Connections are long-lived and resumption buys nothing: no tickets to send.
            SSL_CTX_set_num_tickets(context, 0)
        case .client:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        return context
    }
}

/// When a file last changed, to notice a renewal without reading the file.
struct FileStamp: Equatable, Sendable {
    var modified: timespec
    var size: Int
    var inode: UInt

    static func == (a: FileStamp, b: FileStamp) -> Bool {
        a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec && a.size == b.size && a.inode == b.inode
    }

    static func of(_ paths: [String]) -> [FileStamp] {
        paths.map { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return FileStamp(modified: timespec(), size: -1, inode: 0) }
            return FileStamp(modified: info.st_mtim, size: Int(info.st_size), inode: UInt(info.st_ino))
        }
    }
}
