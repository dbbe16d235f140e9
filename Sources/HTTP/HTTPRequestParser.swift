/// Reads HTTP/1.1 requests from a byte stream fed in pieces of any size.
///
/// Limits (ENGINEERING.md, after Hummingbird): request line plus headers at most
/// `maxHeadBytes` (431), at most `maxHeaderCount` fields (431), a body over the limit
/// (413) is refused before it is buffered. Content-Length together with
/// Transfer-Encoding, conflicting lengths, and obsolete line folding are refused (400):
/// they are how requests get smuggled past proxies.
public struct HTTPRequestParser: Sendable {
    public struct Limits: Sendable {
        public var maxHeadBytes = 80 * 1024
        public var maxHeaderCount = 1000
        public var maxBodyBytes = 2 * 1024 * 1024
        public init() {}
    }

    private enum State {
        case head
        case body(HTTPRequest, remaining: Int)
        case chunkSize(HTTPRequest)
        case chunkData(HTTPRequest, remaining: Int)
        case chunkDataEnd(HTTPRequest)
        case trailers(HTTPRequest)
    }

    public let limits: Limits
    /// The body limit for a given request head (per-route limits); defaults to `limits.maxBodyBytes`.
    private let bodyLimit: @Sendable (HTTPRequest) -> Int
    private var buffer: [UInt8] = []
    private var index = 0
    private var scanned = 0
    private var state = State.head
    private var continueDue = false

    public init(limits: Limits = Limits(), bodyLimit: (@Sendable (HTTPRequest) -> Int)? = nil) {
        self.limits = limits
        let fallback = limits.maxBodyBytes
        self.bodyLimit = bodyLimit ?? { _ in fallback }
    }

    /// True once, when a request's head asked `Expect: 100-continue` and its body is
    /// still to come: the server answers `100 Continue` so the client sends it now
    /// instead of after its own wait (curl waits a second).
    public mutating func takeContinue() -> Bool {
        defer { continueDue = false }
        return continueDue
    }

    /// True while part of a request has arrived but not all of it.
    public var hasPartialRequest: Bool {
        if case .head = state { return index < buffer.count }
        return true
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if index > 0 && index >= buffer.count / 2 {
            buffer.removeSubrange(0..<index)
            scanned -= index
            index = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete request, or nil until more bytes arrive.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        while true {
            switch state {
            case .head:
                guard let request = try parseHead() else { return nil }
                if let done = try startBody(request) { return done }
            case let .body(request, remaining):
                guard buffer.count - index >= remaining else { return nil }
                var complete = request
                complete.body = Array(buffer[index..<(index + remaining)])
                index += remaining
                state = .head
                continueDue = false
                return complete
            case let .chunkSize(request):
                guard let line = try readLine(limit: 1024, what: "chunk size line") else { return nil }
                let sizeText = line.split(separator: ";", maxSplits: 1).first.map(String.init)?.trimmingSpaces ?? ""
                // Hex digits only: Int(_:radix:) would also take "-1" and "+2".
                guard !sizeText.isEmpty, sizeText.count <= 8, sizeText.utf8.allSatisfy(Self.isHexDigit), let size = Int(sizeText, radix: 16) else {
                    throw HTTPParseError(status: 400, reason: "invalid chunk size \"\(sizeText)\"")
                }
                if size == 0 {
                    state = .trailers(request)
                } else {
                    guard request.body.count + size <= bodyLimit(request) else {
                        throw HTTPParseError(status: 413, reason: "body exceeds the limit of \(bodyLimit(request)) bytes")
                    }
                    state = .chunkData(request, remaining: size)
                }
            case let .chunkData(request, remaining):
                let available = min(remaining, buffer.count - index)
                guard available > 0 else { return nil }
                var partial = request
                partial.body.append(contentsOf: buffer[index..<(index + available)])
                index += available
                state = available == remaining ? .chunkDataEnd(partial) : .chunkData(partial, remaining: remaining - available)
            case let .chunkDataEnd(request):
                guard let line = try readLine(limit: 2, what: "chunk end") else { return nil }
                guard line.isEmpty else { throw HTTPParseError(status: 400, reason: "chunk data not followed by CRLF") }
                state = .chunkSize(request)
            case let .trailers(request):
                guard let line = try readLine(limit: 8 * 1024, what: "trailer") else { return nil }
                if line.isEmpty {
                    state = .head
                    continueDue = false
                    return request
                }
            }
        }
    }

    /// Reads a CRLF-terminated line, or nil if it has not fully arrived. A bare LF or
    /// CR is an error at once (not a wait for a CRLF that never comes).
    private mutating func readLine(limit: Int, what: String) throws(HTTPParseError) -> String? {
        var i = index
        while i < buffer.count {
            if buffer[i] == 10 { throw HTTPParseError(status: 400, reason: "\(what) ends with a bare LF; lines end with CRLF") }
            guard i + 1 < buffer.count else { break }
            if buffer[i] == 13 {
                guard buffer[i + 1] == 10 else { throw HTTPParseError(status: 400, reason: "a bare CR in the \(what)") }
                let line = String(decoding: buffer[index..<i], as: UTF8.self)
                index = i + 2
                return line
            }
            i += 1
            if i - index > limit { throw HTTPParseError(status: 400, reason: "\(what) longer than \(limit) bytes") }
        }
        if buffer.count - index > limit { throw HTTPParseError(status: 400, reason: "\(what) longer than \(limit) bytes") }
        return nil
    }

    private mutating func parseHead() throws(HTTPParseError) -> HTTPRequest? {
        // Tolerate empty lines before a request (RFC 9112 §2.2).
        while buffer.count - index >= 2 && buffer[index] == 13 && buffer[index + 1] == 10 { index += 2 }
        var end: Int?
        var i = max(scanned, index)
        while i + 3 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                end = i
                break
            }
            i += 1
        }
        // Line endings are CRLF: a bare LF (or CR) is refused at once instead of waiting
        // for a blank line that a sender ending lines with LF never sends; NUL too.
        let scanEnd = end.map { $0 + 2 } ?? buffer.count
        var j = max(scanned, index)
        while j < scanEnd {
            switch buffer[j] {
            case 10 where j == index || buffer[j - 1] != 13:
                throw HTTPParseError(status: 400, reason: "a line of the request head ends with a bare LF; lines end with CRLF")
            case 13 where j + 1 < buffer.count && buffer[j + 1] != 10:
                throw HTTPParseError(status: 400, reason: "a bare CR in the request head")
            case 0:
                throw HTTPParseError(status: 400, reason: "a NUL byte in the request head")
            default: break
            }
            j += 1
        }
        guard let end else {
            scanned = max(index, buffer.count - 3)
            if buffer.count - index > limits.maxHeadBytes {
                throw HTTPParseError(status: 431, reason: "request line and headers exceed \(limits.maxHeadBytes) bytes")
            }
            return nil
        }
        guard end - index <= limits.maxHeadBytes else {
            throw HTTPParseError(status: 431, reason: "request line and headers exceed \(limits.maxHeadBytes) bytes")
        }
        let lines = buffer[index..<end].split(separator: 10, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            line.last == 13 ? line.dropLast() : line
        }
        index = end + 4
        scanned = index
        guard let requestLine = lines.first else { throw HTTPParseError(status: 400, reason: "empty request") }
        let parts = requestLine.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw HTTPParseError(status: 400, reason: "malformed request line") }
        let method = String(decoding: parts[0], as: UTF8.self)
        var target = String(decoding: parts[1], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        guard !method.isEmpty, method.utf8.allSatisfy(Self.isTokenByte) else { throw HTTPParseError(status: 400, reason: "invalid method") }
        guard !target.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else { throw HTTPParseError(status: 400, reason: "invalid request target") }
        // RFC 9112 §3.2.2: absolute-form (as proxies send) is accepted; the path is what routes.
        if let origin = Self.originForm(ofAbsolute: target) { target = origin }
        guard target.hasPrefix("/") || target == "*" else { throw HTTPParseError(status: 400, reason: "invalid request target") }
        let minor: Int
        switch version {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        default: throw HTTPParseError(status: 400, reason: "unsupported HTTP version \"\(version)\"")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard headers.count < limits.maxHeaderCount else {
                throw HTTPParseError(status: 431, reason: "more than \(limits.maxHeaderCount) header fields")
            }
            guard let first = line.first, first != 32, first != 9 else {
                throw HTTPParseError(status: 400, reason: "obsolete line folding in headers")
            }
            guard let colon = line.firstIndex(of: 58) else { throw HTTPParseError(status: 400, reason: "header line without a colon") }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else { throw HTTPParseError(status: 400, reason: "invalid header name") }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            headers.append((String(decoding: name, as: UTF8.self), value))
        }
        let request = HTTPRequest(method: method, target: target, minorVersion: minor, headers: headers)
        if minor == 1 && request.header("Host") == nil { throw HTTPParseError(status: 400, reason: "missing Host header") }
        return request
    }

    /// Decides how the body is framed; returns the request at once when it has none.
    private mutating func startBody(_ request: HTTPRequest) throws(HTTPParseError) -> HTTPRequest? {
        continueDue = false
        guard let body = try bodyFraming(request) else { return request }
        if let expect = request.header("Expect"), request.minorVersion == 1 {
            guard expect.lowercased() == "100-continue" else {
                throw HTTPParseError(status: 417, reason: "Expect: \(expect) is not supported (only 100-continue)")
            }
            continueDue = true
        }
        state = body
        return nil
    }

    /// The state that reads the body, nil for a request without one.
    private mutating func bodyFraming(_ request: HTTPRequest) throws(HTTPParseError) -> State? {
        let lengths = request.headers.filter { $0.name.caseInsensitiveEquals("Content-Length") }.map(\.value)
        let encodings = request.headers.filter { $0.name.caseInsensitiveEquals("Transfer-Encoding") }.map { $0.value.lowercased() }
        if !encodings.isEmpty {
            guard lengths.isEmpty else { throw HTTPParseError(status: 400, reason: "both Content-Length and Transfer-Encoding") }
            guard encodings == ["chunked"] else { throw HTTPParseError(status: 501, reason: "only chunked transfer encoding is supported") }
            return .chunkSize(request)
        }
        guard let first = lengths.first else { return nil }
        guard lengths.allSatisfy({ $0 == first }), first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), first.count <= 15,
            let length = Int(first)
        else { throw HTTPParseError(status: 400, reason: "invalid Content-Length") }
        guard length <= bodyLimit(request) else {
            throw HTTPParseError(status: 413, reason: "body of \(length) bytes exceeds the limit of \(bodyLimit(request)) bytes")
        }
        if length == 0 { return nil }
        return .body(request, remaining: length)
    }

    /// `http://host:port/path?q` -> `/path?q` (`/` for no path); nil when not absolute-form.
    static func originForm(ofAbsolute target: String) -> String? {
        let lower = target.prefix(8).lowercased()
        let scheme = lower.hasPrefix("http://") ? 7 : lower.hasPrefix("https://") ? 8 : 0
        guard scheme > 0 else { return nil }
        let rest = target.dropFirst(scheme)
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let tail = String(rest[slash...])
        return tail.hasPrefix("?") ? "/" + tail : tail
    }

    static func isHexDigit(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...70).contains(b) || (97...102).contains(b)
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
