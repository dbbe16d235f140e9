import Foundation
import Sockets
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A plain HTTP/1.1 load generator for end-to-end scenarios: `connections` keep-alive
/// connections, each on its own thread sending one request after another and reading
/// each response in full (Content-Length bodies, as the gateway sends). `perSecond` paces
/// the requests across the connections at that rate (a burst of a given size) instead of
/// sending each as soon as the last is answered.
enum HTTPLoad {
    static func run(
        scenario: String, port: Int, connections: Int, warmUp: Duration, duration: Duration, perSecond: Int? = nil,
        request: @escaping @Sendable (Int) -> [UInt8], accept: @escaping @Sendable (Int) -> Bool
    ) -> BenchResult {
        let begun = DispatchTime.now().uptimeNanoseconds
        let interval = perSecond.map { UInt64(1e9 * Double(connections) / Double($0)) }
        let start = Date().addingTimeInterval(Double(warmUp.components.seconds) + Double(warmUp.components.attoseconds) / 1e18)
        let end = start.addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        let collected = Mutex<(latencies: [UInt64], errors: Int)>(([], 0))
        let group = DispatchGroup()
        for worker in 0..<connections {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                var mine: [UInt64] = []
                var failed = 0
                var fd = connect(port)
                var i = 0
                while Date() < end {
                    if let interval {
                        let due = begun + UInt64(worker) * interval / UInt64(connections) + UInt64(i) * interval
                        let now = DispatchTime.now().uptimeNanoseconds
                        if due > now { usleep(useconds_t((due - now) / 1000)) }
                    }
                    let measuring = Date() >= start
                    let before = DispatchTime.now().uptimeNanoseconds
                    let status = fd >= 0 ? exchange(fd, request(worker * 10_000_000 + i)) : nil
                    if measuring {
                        mine.append(DispatchTime.now().uptimeNanoseconds - before)
                        if !(status.map(accept) ?? false) { failed += 1 }
                    }
                    if status == nil {
                        close(fd)
                        fd = connect(port)
                    }
                    i += 1
                }
                close(fd)
                collected.withLock {
                    $0.latencies += mine
                    $0.errors += failed
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let (latencies, errors) = collected.withLock { $0 }
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return BenchResult(scenario: scenario, calls: latencies.count, seconds: seconds, latenciesNanoseconds: latencies, errors: errors)
    }

    static func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if !ok {
            close(fd)
            return -1
        }
        return fd
    }

    /// Sends one request and reads its response; the status, or nil if the connection failed.
    static func exchange(_ fd: Int32, _ request: [UInt8]) -> Int? {
        response(fd, request)?.status
    }

    /// The gateway's relay figures from /metrics (`key`: an admin's) until no hook is pending
    /// or `limit` passes: the last figures read, by metric name.
    static func awaitHooksRelayed(port: Int, key: String, until limit: MonotonicInstant) async throws -> [String: Int] {
        var figures: [String: Int] = [:]
        while MonotonicInstant.now() < limit {
            guard let metrics = fetch(port: port, "GET /metrics HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nConnection: close\r\n\r\n") else { break }
            for line in metrics.body.split(separator: "\n") where line.hasPrefix("switchboard_hook") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let value = Int(parts[1]) { figures[String(parts[0])] = value }
            }
            if figures[#"switchboard_hooks_stored{status="pending"}"#] == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return figures
    }

    /// One request on a new connection: the status and body.
    static func fetch(port: Int, _ request: String) -> (status: Int, body: String)? {
        let fd = connect(port)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return response(fd, Array(request.utf8)).map { ($0.status, String(decoding: $0.body, as: UTF8.self)) }
    }

    static func response(_ fd: Int32, _ request: [UInt8]) -> (status: Int, body: [UInt8])? {
        answer(fd, request).map { ($0.status, $0.body) }
    }

    /// Sends one request on a kept connection and reads its whole answer, head included
    /// (cookies, ETags); nil if the connection failed.
    static func answer(_ fd: Int32, _ request: [UInt8]) -> (status: Int, body: [UInt8], head: String)? {
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return nil }
            sent += n
        }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var received: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            received += buffer[0..<n]
            guard let headerEnd = find(received, [13, 10, 13, 10]) else { continue }
            let head = String(decoding: received[0..<headerEnd], as: UTF8.self)
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            if received.count >= headerEnd + 4 + length {
                guard let status = Int(head.split(separator: " ")[1]) else { return nil }
                return (status, Array(received[(headerEnd + 4)..<(headerEnd + 4 + length)]), head)
            }
        }
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<i + needle.count]) == needle {
            return i
        }
        return nil
    }
}
