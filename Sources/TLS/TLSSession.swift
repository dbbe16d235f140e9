import CCrypto
import Sockets

/// One connection's TLS, on memory buffers: the ``StreamConnection`` moves the records
/// between the socket and the session, so TLS needs no blocking socket and no thread of
/// its own. The connection calls it under its lock only (``StreamSecurity``).
public final class TLSSession: StreamSecurity, @unchecked Sendable {
    private let ssl: OpaquePointer
    /// Records from the peer, owned by `ssl`.
    private let incoming: OpaquePointer
    /// Records for the peer, owned by `ssl`.
    private let outgoing: OpaquePointer
    public private(set) var isEstablished = false
    /// The common name of the peer's verified certificate: its identity (`gateway`,
    /// `telephony-0`). Set once established.
    public private(set) var peerName: String?

    init(context: OpaquePointer, role: TLSContext.Role, serverName: String?) throws(TLSFailure) {
        ERR_clear_error()
        guard let ssl = SSL_new(context) else { throw TLSFailure("make a TLS session") }
        let incoming = BIO_new(BIO_s_mem()), outgoing = BIO_new(BIO_s_mem())
        guard let incoming, let outgoing else {
            BIO_free(incoming)
            BIO_free(outgoing)
            SSL_free(ssl)
            throw TLSFailure("make TLS buffers")
        }
        // An empty buffer means "more to come", not the end of the stream.
        _ = sb_bio_set_mem_eof_return(incoming, -1)
        SSL_set_bio(ssl, incoming, outgoing)
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            if let serverName {
                // The server's certificate must name the identity the caller wants.
                // Every property is set: a throw from here runs deinit, which frees `ssl`.
                guard SSL_set1_host(ssl, serverName) == 1 else { throw TLSFailure("expect the server name \(serverName)") }
            }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    public func receive(_ ciphertext: UnsafeRawBufferPointer) {
        guard let base = ciphertext.baseAddress else { return }
        var offset = 0
        while offset < ciphertext.count {
            let n = BIO_write(incoming, base + offset, Int32(min(ciphertext.count - offset, Int(Int32.max))))
            if n <= 0 { return }
            offset += Int(n)
        }
    }

    public func open(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Int {
        Self.clearStaleErrors()
        if !isEstablished {
            let result = SSL_do_handshake(ssl)
            guard result == 1 else {
                let code = SSL_get_error(ssl, result)
                if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return 0 }
                throw failure("TLS handshake")
            }
            isEstablished = true
            peerName = Self.commonName(SSL_get0_peer_certificate(ssl))
        }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        // Nothing buffered, decrypted or not: asking OpenSSL would only say "want read".
        if SSL_has_pending(ssl) == 0 && BIO_ctrl_pending(incoming) == 0 { return 0 }
        let result = SSL_read(ssl, base, Int32(min(buffer.count, Int(Int32.max))))
        if result > 0 { return Int(result) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, SSL_ERROR_ZERO_RETURN:
            // Nothing whole yet, or the peer's close_notify: its FIN follows.
            return 0
        default:
            throw failure("TLS")
        }
    }

    public func seal(_ plaintext: [UInt8], into sealed: inout [UInt8]) throws(SocketError) {
        Self.clearStaleErrors()
        let written = plaintext.withUnsafeBytes { raw -> Int32 in
            SSL_write(ssl, raw.baseAddress, Int32(raw.count))
        }
        // A memory buffer takes everything at once.
        guard written == Int32(plaintext.count) else { throw failure("TLS write") }
        takeOutput(into: &sealed)
    }

    public func takeOutput(into sealed: inout [UInt8]) {
        // Copied straight out of the buffer, which is then emptied: one copy per record.
        var data: UnsafeMutablePointer<CChar>?
        let pending = sb_bio_mem_contents(outgoing, &data)
        guard pending > 0, let data else { return }
        sealed.append(contentsOf: UnsafeRawBufferPointer(start: data, count: pending))
        _ = sb_bio_reset(outgoing)
    }

    /// SSL_get_error reads the thread's error queue, which other OpenSSL users on this
    /// thread may have left something in; peeking is cheaper than clearing on every call.
    private static func clearStaleErrors() {
        if ERR_peek_error() != 0 { ERR_clear_error() }
    }

    /// The library's reason, with the certificate check's verdict when that is what failed.
    private func failure(_ operation: String) -> SocketError {
        let verdict = SSL_get_verify_result(ssl)
        let detail = verdict == X509_V_OK ? nil : "certificate: \(String(cString: X509_verify_cert_error_string(verdict)))"
        // TLSFailure drains the queue: the next call starts from an empty one.
        return SocketError(operation, reason: TLSFailure(operation, detail: detail).reason)
    }

    static func commonName(_ certificate: OpaquePointer?) -> String? {
        guard let certificate, let subject = X509_get_subject_name(certificate) else { return nil }
        var text = [CChar](repeating: 0, count: 256)
        let length = X509_NAME_get_text_by_NID(subject, NID_commonName, &text, Int32(text.count))
        guard length > 0 else { return nil }
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
