import Foundation
import Glibc

/// A blocking client socket speaking raw bytes, to test what browsers and curl would not send.
public struct PlainClient: Sendable {
    public let fd: Int32

    /// `source`: the local address to connect from (any 127.x.y.z works on loopback), to
    /// be another client address than 127.0.0.1.
    public init(port: Int, source: String? = nil, receiveTimeout: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw TestFailure("bind to \(source) failed") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            Glibc.close(fd)
            throw TestFailure("connect failed: errno \(errno)")
        }
    }

    public func send(_ text: String) {
        send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the server closes (or 10 s). Does not close the socket: call
    /// ``close()`` once nothing else writes to it, or the number may be reused under
    /// a writer and its bytes land in someone else's connection.
    public func readAll() -> String {
        String(decoding: readAllBytes(), as: UTF8.self)
    }

    public func readAllBytes() -> [UInt8] {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            all += buffer[0..<n]
        }
        return all
    }

    /// Reads until what arrived contains every one of `markers`, the server closes, or
    /// `seconds` pass (a stream that never ends: Server-Sent Events); returns what arrived.
    /// Give the client a short `receiveTimeout` so the deadline is checked often.
    public func read(until markers: [String], within seconds: Double) -> String {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n == 0 { break }
            if n > 0 { all += buffer[0..<n] }
            let text = String(decoding: all, as: UTF8.self)
            if markers.allSatisfy(text.contains) { break }
        }
        return String(decoding: all, as: UTF8.self)
    }

    /// A slowloris: sends `rest` one byte every `interval` while reading what the server
    /// says, until it closes; returns that and closes our end.
    public func dripping(_ rest: String, every interval: Duration) async -> String {
        let drip = Task.detached {
            for byte in rest {
                guard (try? await Task.sleep(for: interval)) != nil else { return }
                send(String(byte))
            }
        }
        let text = readAll()
        drip.cancel()
        await drip.value
        close()
        return text
    }

    public func close() {
        Glibc.close(fd)
    }
}


/// GET `path` from 127.0.0.1:`port` with Connection: close; returns status and body.
public func httpGet(port: Int, _ path: String) throws -> (status: Int, body: String) {
    let client = try PlainClient(port: port)
    client.send("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    let text = client.readAll()
    client.close()
    let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
    let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
    return (status, body)
}

/// One HTTP/1.1 exchange on a fresh connection (Connection: close).
public struct HTTPExchange: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: String

    /// The body parsed as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

public func httpRequest(
    port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil, source: String? = nil
) throws -> HTTPExchange {
    let client = try PlainClient(port: port, source: source)
    defer { client.close() }
    var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if let body { head += "Content-Length: \(body.utf8.count)\r\n" }
    client.send(head + "\r\n" + (body ?? ""))
    return try HTTPExchange(parsing: client.readAll())
}

/// The same exchange from async code, its blocking socket calls on a thread of their own:
/// a test that waits for an answer never holds a thread of the cooperative pool, which
/// a service hosted in the test's process may need to give that answer.
public func httpRequest(
    port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil, source: String? = nil
) async throws -> HTTPExchange {
    try await offThePool { try httpRequest(port: port, method, path, headers: headers, body: body, source: source) }
}

/// Runs blocking `work` on a thread of its own and awaits its result. Not on Dispatch's
/// global queue: on Linux it keeps about one thread per core and adds one only after
/// seeing the others blocked for a while, so blocked requests would wait seconds.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.stackSize = 256 * 1024
        thread.start()
    }
}

extension HTTPExchange {
    /// The first response in `text` (a status line, headers and the rest as the body).
    public init(parsing text: String) throws {
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP response: \(text.prefix(200))") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        self.init(status: status, headers: fields, body: String(text[split.upperBound...]))
    }
}
