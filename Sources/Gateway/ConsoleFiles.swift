import CZlib
import Digest
import Foundation
import HTTP

/// Issue 27 item 1: the console's static files, shipped with the gateway (the `Console`
/// folder, a SwiftPM resource) and read once at start: each with its content type, a
/// strong validator (`ETag`, the SHA-256 of its bytes) and its gzip form, so a browser
/// revalidates cheaply (304) and downloads it compressed.
struct ConsoleFiles: Sendable {
    struct File: Sendable {
        let contentType: String
        let body: [UInt8]
        let gzip: [UInt8]?
        let etag: String
    }

    let files: [String: File]

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "json": "application/json", "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon",
    ]

    /// The files shipped with the gateway (none when the bundle is missing).
    static let shipped = ConsoleFiles(folder: Bundle.module.url(forResource: "Console", withExtension: nil))

    init(folder: URL?) {
        var files: [String: File] = [:]
        if let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names {
                guard let type = Self.contentTypes[(name as NSString).pathExtension.lowercased()],
                    let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
                else { continue }
                let body = Array(data)
                let digest = SHA256.digest(body).prefix(16).map { String(format: "%02x", $0) }.joined()
                files[name] = File(contentType: type, body: body, gzip: Self.gzip(body), etag: "\"\(digest)\"")
            }
        }
        self.files = files
    }

    /// The file as this request should get it: 304 when its validator matches, gzip when
    /// the browser takes it; nil for a name that is not one of the files (no paths).
    func response(_ name: String, request: HTTPRequest) -> HTTPResponse? {
        guard let file = files[name] else { return nil }
        var headers: [(String, String)] = [("ETag", file.etag), ("Cache-Control", "no-cache"), ("Vary", "Accept-Encoding"),
                                            ("X-Content-Type-Options", "nosniff")]
        if let match = request.header("if-none-match"), match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == file.etag }) {
            return HTTPResponse(status: 304, headers: headers, body: [])
        }
        headers.append(("Content-Type", file.contentType))
        if file.contentType.hasPrefix("text/html") {
            headers.append(("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"))
        }
        let accepts = request.header("accept-encoding")?.lowercased().split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("gzip") } ?? false
        if accepts, let gzip = file.gzip {
            headers.append(("Content-Encoding", "gzip"))
            return HTTPResponse(status: 200, headers: headers, body: gzip)
        }
        return HTTPResponse(status: 200, headers: headers, body: file.body)
    }

    /// The gzip form of `bytes` (zlib's deflate with gzip framing); nil when it is not smaller.
    static func gzip(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard czlib_gzip_init(&stream) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let result = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { return nil }
        let compressed = Array(output.prefix(Int(stream.total_out)))
        return compressed.count < bytes.count ? compressed : nil
    }
}
