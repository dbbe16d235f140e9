import Sockets
import Synchronization

/// An HTTP/1.1 client for plain `http://` endpoints (a local provider, a relay, an
/// in-cluster receiver) on the project's own sockets: keep-alive connections pooled per
/// host and port, one request at a time on each, at most `maxConnectionsPerHost` open
/// to one host (further requests wait for a free one, within their timeout).
///
/// Every request is bounded by its timeout, which covers waiting for a connection,
/// connecting, sending and reading the whole response. A connection idle longer than
/// `idleTimeout` is not reused (servers close idle keep-alive connections, and one closed
/// while we write to it costs a request); a reused connection the server closed before
/// answering anything is retried once on a fresh one, as curl does. Redirects are not
/// followed: the caller sees the 3xx.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        public var maxConnectionsPerHost = 64
        public var connectTimeout: Duration = .seconds(5)
        public var idleTimeout: Duration = .seconds(4)
        public var limits = HTTPResponseParser.Limits()
        /// Where it may connect, checked on every new connection after DNS (nil: anywhere,
        /// for addresses the system itself chose).
        public var outbound: OutboundPolicy?
        public init() {}
    }

    /// What a waiting request is handed: a connection to reuse, or the right to open one.
    private enum Lease {
        case reuse(HTTPClientConnection)
        case open
        case failed(HTTPClientError)
    }

    private struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Lease, Never>
    }

    private struct HostPool {
        var idle: [(connection: HTTPClientConnection, since: MonotonicInstant)] = []
        var open = 0
        var waiters: [Waiter] = []
    }

    private struct State {
        var pools: [String: HostPool] = [:]
        var nextWaiter: UInt64 = 1
        var shutdown = false
    }

    public let configuration: Configuration
    let reactor: Reactor
    private let state = Mutex(State())

    public init(configuration: Configuration = Configuration(), reactor: Reactor = .shared) {
        self.configuration = configuration
        self.reactor = reactor
    }

    /// Sends one request and returns the complete response, or why there is none.
    /// `target` is the origin-form path with its query (`/bot1:x/sendMessage?a=b`).
    public func send(
        _ method: String, host: String, port: Int, target: String, headers: [(String, String)] = [], body: [UInt8] = [], timeout: Duration
    ) async -> Result<HTTPResponseParser.Response, HTTPClientError> {
        let deadline = MonotonicInstant.now() + timeout
        let request: [UInt8]
        switch Self.serialize(method, host: host, port: port, target: target, headers: headers, body: body) {
        case let .success(bytes): request = bytes
        case let .failure(error): return .failure(error)
        }
        let key = "\(host):\(port)"
        var attempt = 0
        while true {
            attempt += 1
            let connection: HTTPClientConnection
            switch await lease(key, deadline: deadline) {
            case let .failed(error):
                return .failure(error)
            case let .reuse(c):
                connection = c
            case .open:
                switch await open(host: host, port: port, key: key, deadline: deadline) {
                case let .success(c): connection = c
                case let .failure(error):
                    giveBack(nil, key: key)
                    return .failure(error)
                }
            }
            let outcome = await connection.exchange(request, headRequest: method == "HEAD", limits: configuration.limits, deadline: deadline)
            let reusable = if case let .success(response) = outcome { response.keepAlive } else { false }
            giveBack(reusable ? connection : nil, key: key)
            if case let .failure(error) = outcome, error.staleConnection, attempt < 3, MonotonicInstant.now() < deadline { continue }
            return outcome
        }
    }

    /// Closes the idle connections and refuses new requests.
    public func shutdown() {
        let (idle, waiters) = state.withLock { s -> ([HTTPClientConnection], [Waiter]) in
            s.shutdown = true
            let idle = s.pools.values.flatMap { $0.idle.map(\.connection) }
            let waiters = s.pools.values.flatMap(\.waiters)
            for key in s.pools.keys {
                s.pools[key]!.idle = []
                s.pools[key]!.waiters = []
            }
            return (idle, waiters)
        }
        for c in idle { c.stream.close() }
        for w in waiters { w.continuation.resume(returning: .failed(HTTPClientError("the HTTP client is shutting down"))) }
    }

    // MARK: The pool

    private func lease(_ key: String, deadline: MonotonicInstant) async -> Lease {
        var stale: [HTTPClientConnection] = []
        defer { for c in stale { c.stream.close() } }
        let now = MonotonicInstant.now()
        let immediate = state.withLock { s -> Lease? in
            if s.shutdown { return .failed(HTTPClientError("the HTTP client is shutting down")) }
            var pool = s.pools[key, default: HostPool()]
            defer { s.pools[key] = pool }
            while let (connection, since) = pool.idle.popLast() {
                if connection.isClosed || since + configuration.idleTimeout < now {
                    pool.open -= 1
                    stale.append(connection)
                    continue
                }
                return .reuse(connection)
            }
            if pool.open < configuration.maxConnectionsPerHost {
                pool.open += 1
                return .open
            }
            return nil
        }
        if let immediate { return immediate }
        let id = state.withLock { s in
            defer { s.nextWaiter += 1 }
            return s.nextWaiter
        }
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<Lease, Never>) in
            let queued = state.withLock { s -> Bool in
                guard !s.shutdown else { return false }
                s.pools[key, default: HostPool()].waiters.append(Waiter(id: id, continuation: continuation))
                return true
            }
            guard queued else {
                continuation.resume(returning: .failed(HTTPClientError("the HTTP client is shutting down")))
                return
            }
            reactor.schedule(at: deadline) { [self] in
                let expired = state.withLock { s -> Waiter? in
                    guard let i = s.pools[key]?.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                    return s.pools[key]!.waiters.remove(at: i)
                }
                expired?.continuation.resume(returning: .failed(HTTPClientError(
                    "no connection to \(key) came free in time (\(configuration.maxConnectionsPerHost) are busy)")))
            }
        }
    }

    /// A connection back from a request: reused by the next waiter or kept idle, or
    /// (nil) gone, which frees its slot for the next waiter to open one.
    private func giveBack(_ connection: HTTPClientConnection?, key: String) {
        let now = MonotonicInstant.now()
        let (kept, handOver) = state.withLock { s -> (Bool, (Waiter, Lease)?) in
            guard var pool = s.pools[key] else { return (false, nil) }
            defer { s.pools[key] = pool }
            if let connection, !connection.isClosed, !s.shutdown {
                if !pool.waiters.isEmpty { return (true, (pool.waiters.removeFirst(), .reuse(connection))) }
                pool.idle.append((connection, now))
                return (true, nil)
            }
            // Its slot goes to the next waiter, who opens a connection of its own.
            if !pool.waiters.isEmpty { return (false, (pool.waiters.removeFirst(), .open)) }
            pool.open -= 1
            return (false, nil)
        }
        if !kept { connection?.stream.close() }
        if let (waiter, lease) = handOver { waiter.continuation.resume(returning: lease) }
    }

    /// An idle connection the server closed: out of the pool.
    private func closed(_ connection: HTTPClientConnection, key: String) {
        state.withLock { s in
            guard let i = s.pools[key]?.idle.firstIndex(where: { $0.connection === connection }) else { return }
            s.pools[key]!.idle.remove(at: i)
            s.pools[key]!.open -= 1
        }
    }

    private func open(host: String, port: Int, key: String, deadline: MonotonicInstant) async -> Result<HTTPClientConnection, HTTPClientError> {
        let remaining = MonotonicInstant.now().duration(until: deadline)
        guard remaining > .zero else { return .failure(HTTPClientError("\(key) did not answer in time")) }
        do {
            let fd = try await Connector.connect(
                host: host, port: port, timeout: min(configuration.connectTimeout, remaining), reactor: reactor, policy: configuration.outbound)
            let stream = StreamConnection(fd: fd, reactor: reactor, peer: key)
            let connection = HTTPClientConnection(stream: stream, target: key) { [weak self] c in self?.closed(c, key: key) }
            try stream.start(delegate: connection)
            return .success(connection)
        } catch {
            return .failure(HTTPClientError("cannot connect to \(key): \(error)"))
        }
    }

    /// The request's bytes; a header name or value that could smuggle a line break is refused.
    static func serialize(
        _ method: String, host: String, port: Int, target: String, headers: [(String, String)], body: [UInt8]
    ) -> Result<[UInt8], HTTPClientError> {
        func clean(_ s: String) -> Bool { !s.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 } }
        guard !method.isEmpty, method.utf8.allSatisfy(HTTPRequestParser.isTokenByte) else { return .failure(HTTPClientError("\"\(method)\" is not an HTTP method")) }
        guard target.hasPrefix("/"), !target.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else {
            return .failure(HTTPClientError("\"\(target)\" is not a request target (a path starting with /, without spaces)"))
        }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(port == 80 ? host : "\(host):\(port)")\r\n"
        var hasLength = false
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPRequestParser.isTokenByte), clean(value) else {
                return .failure(HTTPClientError("the header \"\(name)\" has a name or value that cannot be sent"))
            }
            if name.caseInsensitiveEquals("Host") { continue }
            if name.caseInsensitiveEquals("Content-Length") { hasLength = true }
            head += "\(name): \(value)\r\n"
        }
        if !hasLength && (!body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH") { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return .success(Array(head.utf8) + body)
    }
}
