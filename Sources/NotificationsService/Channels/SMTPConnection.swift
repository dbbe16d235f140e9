import CCrypto
import Foundation
import Sockets
#if canImport(Glibc)
import Glibc
#endif

/// One SMTP session over a plain socket, upgraded with STARTTLS through the system's
/// OpenSSL (certificates checked against the system's roots, plus `caFile`, and the host
/// name). Blocking, with a timeout on every read and write; run off the cooperative pool.
final class SMTPConnection {
    struct Failure: Error {
        let message: String
        /// A 4xx or a broken connection: worth another attempt.
        let retry: Bool
    }

    private var fd: Int32 = -1
    private var context: OpaquePointer?
    private var tls: OpaquePointer?
    private var buffer: [UInt8] = []
    let host: String

    /// Connects to the first address of `host` the outbound policy allows (every one is
    /// checked: a relay's name must not lead inward).
    init(host: String, port: Int, outbound: OutboundPolicy, timeoutSeconds: Int = 15) throws(Failure) {
        self.host = host
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw Failure(message: "cannot resolve \(host)", retry: true) }
        defer { freeaddrinfo(list) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let a = cursor {
            if let why = a.pointee.ai_addr.flatMap(IPAddress.init(sockaddr:)).flatMap(outbound.refusal) {
                throw Failure(message: "\(host) resolves to \(why)", retry: false)
            }
            cursor = a.pointee.ai_next
        }
        cursor = first
        while let a = cursor {
            let s = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if s >= 0 {
                var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                if connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { fd = s; break }
                Glibc.close(s)
            }
            cursor = a.pointee.ai_next
        }
        guard fd >= 0 else { throw Failure(message: "cannot connect to \(host):\(port)", retry: true) }
    }

    deinit { close() }

    func close() {
        if let tls { SSL_shutdown(tls); SSL_free(tls) }
        if let context { SSL_CTX_free(context) }
        tls = nil
        context = nil
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    var secure: Bool { tls != nil }

    /// STARTTLS's handshake on the open connection.
    func startTLS(caFile: String?) throws(Failure) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw Failure(message: "OpenSSL cannot make a TLS context", retry: false) }
        context = ctx
        SSL_CTX_set_default_verify_paths(ctx)
        if let caFile, !caFile.isEmpty { SSL_CTX_load_verify_locations(ctx, caFile, nil) }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        guard let ssl = SSL_new(ctx) else { throw Failure(message: "OpenSSL cannot make a TLS session", retry: false) }
        tls = ssl
        SSL_set_fd(ssl, fd)
        // SNI (SSL_set_tlsext_host_name is a macro) and the name the certificate must carry.
        _ = host.withCString { SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), UnsafeMutableRawPointer(mutating: $0)) }
        SSL_set1_host(ssl, host)
        guard SSL_connect(ssl) == 1 else {
            let verify = SSL_get_verify_result(ssl)
            let why = verify != X509_V_OK ? String(cString: X509_verify_cert_error_string(verify)) : "the TLS handshake failed"
            throw Failure(message: "STARTTLS with \(host): \(why)", retry: false)
        }
    }

    func write(_ text: String) throws(Failure) {
        var bytes = Array(text.utf8)
        while !bytes.isEmpty {
            let n: Int = bytes.withUnsafeBytes { raw in
                if let tls { return Int(SSL_write(tls, raw.baseAddress, Int32(raw.count))) }
                return Glibc.write(fd, raw.baseAddress, raw.count)
            }
            guard n > 0 else { throw Failure(message: "the connection to \(host) broke while writing", retry: true) }
            bytes.removeFirst(n)
        }
    }

    /// One reply (its lines, continuation lines included): the code and the text.
    func reply() throws(Failure) -> (code: Int, lines: [String]) {
        var lines: [String] = []
        while true {
            let line = try readLine()
            lines.append(String(line.dropFirst(min(4, line.count))))
            let chars = Array(line.utf8)
            guard chars.count >= 3, let code = Int(String(line.prefix(3))) else { throw Failure(message: "\(host) answered \"\(line.prefix(80))\", not SMTP", retry: false) }
            if chars.count == 3 || chars[3] != UInt8(ascii: "-") { return (code, lines) }
        }
    }

    private func readLine() throws(Failure) -> String {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                let line = buffer[..<end]
                buffer.removeFirst(end + 1)
                return String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
            }
            guard buffer.count < 65_536 else { throw Failure(message: "\(host) sent a line longer than 64 KiB", retry: false) }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n: Int = chunk.withUnsafeMutableBytes { raw in
                if let tls { return Int(SSL_read(tls, raw.baseAddress, Int32(raw.count))) }
                return Glibc.read(fd, raw.baseAddress, raw.count)
            }
            guard n > 0 else { throw Failure(message: "\(host) closed the connection or did not answer in time", retry: true) }
            buffer += chunk[..<n]
        }
    }

    /// A command and its reply, which must have one of `expected` codes.
    @discardableResult
    func command(_ line: String, expect expected: Set<Int>, what: String) throws(Failure) -> [String] {
        try write(line + "\r\n")
        let (code, lines) = try reply()
        guard expected.contains(code) else {
            throw Failure(message: "\(host) refused \(what): \(code) \(lines.joined(separator: " "))", retry: (400..<500).contains(code))
        }
        return lines
    }
}
