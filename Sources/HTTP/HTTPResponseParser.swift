/// Reads one HTTP/1.1 response from a byte stream fed in pieces of any size, for
/// ``HTTPClient``.
///
/// The body is framed as RFC 9112 §6.3 says: none for a HEAD request or a 1xx, 204 or
/// 304 status; chunked when Transfer-Encoding says so; Content-Length bytes; otherwise
/// everything until the server closes (and the connection cannot be reused). Interim
/// 1xx responses are skipped. A head over `maxHeadBytes`, a body over `maxBodyBytes`,
/// conflicting lengths or a malformed status line are errors: the connection is then
/// closed, never reused.
public struct HTTPResponseParser: Sendable {
    public struct Limits: Sendable {
        public var maxHeadBytes = 64 * 1024
        public var maxBodyBytes = 4 * 1024 * 1024
        public init() {}
    }

    /// What came back: the status, the header fields as sent, the body, and whether the
    /// connection may carry another request.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        public var keepAlive: Bool

        /// The first value of the header field `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveEquals(name) }?.value
        }
    }

    private enum State {
        case head
        case body(Response, remaining: Int)
        case untilClose(Response)
        case chunkSize(Response)
        case chunkData(Response, remaining: Int)
        case chunkDataEnd(Response)
        case trailers(Response)
        case done
    }

    public let limits: Limits
    private let headRequest: Bool
    private var buffer: [UInt8] = []
    private var index = 0
    private var state = State.head

    /// `headRequest`: the request was HEAD, so whatever its headers say, no body follows.
    public init(limits: Limits = Limits(), headRequest: Bool = false) {
        self.limits = limits
        self.headRequest = headRequest
    }

    /// True once any byte of the response has arrived (a reused connection that closes
    /// before that never reached a server that read the request).
    public private(set) var receivedAnything = false

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        receivedAnything = true
        if index > 0 && index >= buffer.count / 2 {
            buffer.removeSubrange(0..<index)
            index = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The response once it is complete, or nil until more bytes arrive.
    public mutating func next() throws(HTTPParseError) -> Response? {
        while true {
            switch state {
            case .done:
                return nil
            case .head:
                guard let response = try parseHead() else { return nil }
                if let complete = try startBody(response) { return complete }
            case let .body(response, remaining):
                guard buffer.count - index >= remaining else { return nil }
                var complete = response
                complete.body = Array(buffer[index..<(index + remaining)])
                index += remaining
                // Bytes after a complete response that nobody asked for: not reusable.
                if index < buffer.count { complete.keepAlive = false }
                state = .done
                return complete
            case let .untilClose(response):
                guard buffer.count - index <= limits.maxBodyBytes else {
                    throw HTTPParseError(status: 502, reason: "the response body exceeds \(limits.maxBodyBytes) bytes")
                }
                _ = response
                return nil
            case let .chunkSize(response):
                guard let line = try readLine(limit: 1024, what: "chunk size line") else { return nil }
                let sizeText = line.split(separator: ";", maxSplits: 1).first.map(String.init)?.trimmingSpaces ?? ""
                guard !sizeText.isEmpty, sizeText.count <= 8, sizeText.utf8.allSatisfy(HTTPRequestParser.isHexDigit), let size = Int(sizeText, radix: 16) else {
                    throw HTTPParseError(status: 502, reason: "the response has an invalid chunk size \"\(sizeText)\"")
                }
                if size == 0 {
                    state = .trailers(response)
                } else {
                    guard response.body.count + size <= limits.maxBodyBytes else {
                        throw HTTPParseError(status: 502, reason: "the response body exceeds \(limits.maxBodyBytes) bytes")
                    }
                    state = .chunkData(response, remaining: size)
                }
            case let .chunkData(response, remaining):
                let available = min(remaining, buffer.count - index)
                guard available > 0 else { return nil }
                var partial = response
                partial.body.append(contentsOf: buffer[index..<(index + available)])
                index += available
                state = available == remaining ? .chunkDataEnd(partial) : .chunkData(partial, remaining: remaining - available)
            case let .chunkDataEnd(response):
                guard let line = try readLine(limit: 2, what: "chunk end") else { return nil }
                guard line.isEmpty else { throw HTTPParseError(status: 502, reason: "the response's chunk data is not followed by CRLF") }
                state = .chunkSize(response)
            case let .trailers(response):
                guard let line = try readLine(limit: 8 * 1024, what: "trailer") else { return nil }
                if line.isEmpty {
                    var complete = response
                    if index < buffer.count { complete.keepAlive = false }
                    state = .done
                    return complete
                }
            }
        }
    }

    /// The server closed the connection: a response read until the close is complete
    /// now; any other unfinished one never will be (nil).
    public mutating func finishAtClose() -> Response? {
        guard case var .untilClose(response) = state else { return nil }
        response.body = Array(buffer[index...])
        index = buffer.count
        state = .done
        return response
    }

    private mutating func readLine(limit: Int, what: String) throws(HTTPParseError) -> String? {
        var i = index
        while i + 1 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 {
                let line = String(decoding: buffer[index..<i], as: UTF8.self)
                index = i + 2
                return line
            }
            i += 1
            if i - index > limit { throw HTTPParseError(status: 502, reason: "the response's \(what) is longer than \(limit) bytes") }
        }
        if buffer.count - index > limit + 1 { throw HTTPParseError(status: 502, reason: "the response's \(what) is longer than \(limit) bytes") }
        return nil
    }

    private mutating func parseHead() throws(HTTPParseError) -> Response? {
        var end: Int?
        var i = index
        while i + 3 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                end = i
                break
            }
            i += 1
        }
        guard let end else {
            if buffer.count - index > limits.maxHeadBytes {
                throw HTTPParseError(status: 502, reason: "the response's status line and headers exceed \(limits.maxHeadBytes) bytes")
            }
            return nil
        }
        guard end - index <= limits.maxHeadBytes else {
            throw HTTPParseError(status: 502, reason: "the response's status line and headers exceed \(limits.maxHeadBytes) bytes")
        }
        let lines = buffer[index..<end].split(separator: 10, omittingEmptySubsequences: false).map { $0.last == 13 ? $0.dropLast() : $0 }
        index = end + 4
        guard let statusLine = lines.first.map({ String(decoding: $0, as: UTF8.self) }) else {
            throw HTTPParseError(status: 502, reason: "an empty response")
        }
        // "HTTP/1.1 200 OK": the reason phrase may be empty or hold spaces.
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0", parts[1].count == 3, let status = Int(parts[1]), status >= 100 else {
            throw HTTPParseError(status: 502, reason: "a malformed status line \"\(statusLine.prefix(80))\"")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 58), colon > line.startIndex else {
                throw HTTPParseError(status: 502, reason: "a malformed response header line")
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            headers.append((name, value))
        }
        let connection = headers.filter { $0.name.caseInsensitiveEquals("Connection") }.map { $0.value.lowercased() }.joined(separator: ",")
        let keepAlive = parts[0] == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        return Response(status: status, headers: headers, body: [], keepAlive: keepAlive)
    }

    private mutating func startBody(_ response: Response) throws(HTTPParseError) -> Response? {
        // Interim (100 Continue, 103 Early Hints): the real response follows.
        if (100..<200).contains(response.status) && response.status != 101 {
            state = .head
            return nil
        }
        if headRequest || response.status == 204 || response.status == 304 || (100..<200).contains(response.status) {
            state = .done
            return response
        }
        let encodings = response.headers.filter { $0.name.caseInsensitiveEquals("Transfer-Encoding") }.map { $0.value.lowercased() }
        let lengths = Set(response.headers.filter { $0.name.caseInsensitiveEquals("Content-Length") }.map(\.value))
        if !encodings.isEmpty {
            guard encodings.joined(separator: ",").split(separator: ",").last.map({ String($0).trimmingSpaces }) == "chunked" else {
                // Not chunked last: the body runs until the close.
                var untilClose = response
                untilClose.keepAlive = false
                state = .untilClose(untilClose)
                return try next()
            }
            state = .chunkSize(response)
            return try next()
        }
        if let text = lengths.first {
            guard lengths.count == 1, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), text.count <= 18, let length = Int(text) else {
                throw HTTPParseError(status: 502, reason: "the response has an invalid or conflicting Content-Length")
            }
            guard length <= limits.maxBodyBytes else {
                throw HTTPParseError(status: 502, reason: "the response body of \(length) bytes exceeds \(limits.maxBodyBytes)")
            }
            state = .body(response, remaining: length)
            return try next()
        }
        var untilClose = response
        untilClose.keepAlive = false
        state = .untilClose(untilClose)
        return try next()
    }
}
