import FoundationEssentials
import Sockets
import Synchronization

/// An HTTP/1.1 server on our own sockets: keep-alive, pipelined requests answered in
/// order, one write per response (TCP_NODELAY is set by the listener), explicit limits
/// and timeouts. A malformed request is answered with its status and
/// `Connection: close`, never a silent close.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var limits = HTTPRequestParser.Limits()
        /// Per-request body limit (per route); nil uses `limits.maxBodyBytes`.
        public var bodyLimit: (@Sendable (HTTPRequest) -> Int)? = nil
        /// A request's head (and body) must arrive within this from its first byte (slowloris).
        public var requestReadTimeout: Duration = .seconds(10)
        /// A new connection that has sent no byte by then is closed: idle sockets opened
        /// to hold connection slots do not hold them long.
        public var firstByteTimeout: Duration = .seconds(3)
        /// A keep-alive connection with no request in progress closes after this.
        public var idleTimeout: Duration = .seconds(60)
        public var maxConnections = 1024
        /// Open connections one client address may hold; past it (or past
        /// `maxConnections`) a new connection is answered 503 with Retry-After and closed.
        /// Behind a proxy every client has the proxy's address: raise it there.
        public var maxConnectionsPerAddress = 128
        /// After an answer to a request that could not be read (413, 400, ...), how long
        /// and how many more bytes the rest of the request is read and dropped before the
        /// connection closes, so a client that writes its whole body before reading sees
        /// the answer instead of a reset.
        public var lingerTimeout: Duration = .seconds(2)
        public var lingerBytes = 16 * 1024 * 1024
        /// The answers the server itself makes (parse errors, 408, 503 at the
        /// connection caps): status, reason, extra headers. Plain text unless the
        /// application gives its own format (the gateway: problem+json).
        public var errorResponse: @Sendable (_ status: Int, _ reason: String, _ headers: [(name: String, value: String)]) -> HTTPResponse = {
            status, reason, headers in
            var response = HTTPResponse(status: status, contentType: "text/plain", body: reason + "\n")
            response.headers += headers
            return response
        }
        /// More reactors to spread connections over, with the server's own: each
        /// connection lives on one, round robin.
        public var extraReactors: [Reactor] = []

        public init(host: String = "127.0.0.1", port: Int = 0) {
            self.host = host
            self.port = port
        }
    }

    public let configuration: Configuration
    public let reactor: Reactor
    private let handler: Handler
    private struct State {
        var listener: Listener?
        var connections: [ObjectIdentifier: HTTPConnection] = [:]
        var perAddress: [String: Int] = [:]
    }
    private let state = Mutex(State())
    private let boundPort = Atomic<Int>(0)
    private let nextReactor = Atomic<Int>(0)

    public init(configuration: Configuration, reactor: Reactor = .shared, handler: @escaping Handler) {
        self.configuration = configuration
        self.reactor = reactor
        self.handler = handler
    }

    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Open connections now, for metrics and tests.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    public func start() throws(SocketError) {
        let listener = try Listener(host: configuration.host, port: configuration.port, reactor: reactor) { [weak self] fd, peer in
            self?.accept(fd: fd, peer: peer)
        }
        boundPort.store(listener.port, ordering: .relaxed)
        state.withLock { $0.listener = listener }
        try listener.start()
    }

    /// `host:port` or `[v6]:port` -> the host.
    static func address(ofPeer peer: String) -> String {
        guard let colon = peer.lastIndex(of: ":") else { return peer }
        let host = peer[..<colon]
        return host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : String(host)
    }

    private func accept(fd: Int32, peer: String) {
        let reactors = configuration.extraReactors
        let turn = reactors.isEmpty ? 0 : nextReactor.wrappingAdd(1, ordering: .relaxed).oldValue % (reactors.count + 1)
        let stream = StreamConnection(fd: fd, reactor: turn == 0 ? reactor : reactors[turn - 1], peer: peer)
        let address = Self.address(ofPeer: peer)
        let connection = HTTPConnection(stream: stream, address: address, server: self, handler: handler)
        let refusal = state.withLock { s -> String? in
            if s.connections.count >= configuration.maxConnections { return "the server has its maximum of \(configuration.maxConnections) connections open" }
            if s.perAddress[address, default: 0] >= configuration.maxConnectionsPerAddress {
                return "\(address) has its maximum of \(configuration.maxConnectionsPerAddress) connections open; reuse one (keep-alive)"
            }
            s.connections[ObjectIdentifier(connection)] = connection
            s.perAddress[address, default: 0] += 1
            return nil
        }
        do {
            try stream.start(delegate: connection)
        } catch {
            if refusal == nil { closed(connection) }
            return
        }
        if let refusal {
            connection.refuse(configuration.errorResponse(503, refusal + "; retry shortly", [("Retry-After", "1")]))
        } else {
            connection.armTimer(configuration.firstByteTimeout)
        }
    }

    func closed(_ connection: HTTPConnection) {
        state.withLock { s in
            guard s.connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }
            let left = s.perAddress[connection.address, default: 1] - 1
            s.perAddress[connection.address] = left > 0 ? left : nil
        }
    }

    /// Stops accepting and closes every connection after its current response.
    public func shutdown() {
        let (listener, connections) = state.withLock { s in (s.listener, Array(s.connections.values)) }
        listener?.close()
        for connection in connections { connection.closeWhenIdle() }
    }

    /// Stops accepting, lets requests in progress be answered, and returns true once
    /// every connection has closed, or false when `grace` ran out first.
    public func drain(within grace: Duration) async -> Bool {
        shutdown()
        let deadline = ContinuousClock.now + grace
        while state.withLock({ !$0.connections.isEmpty }) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// One client connection of an ``HTTPServer``.
final class HTTPConnection: StreamConnectionDelegate, @unchecked Sendable {
    private struct State {
        var queue: [HTTPRequest] = []
        var busy = false
        var closing = false
        var timer: Reactor.TimerID?
        /// The read timer runs from a request's first byte; later bytes never extend it.
        var readTimerArmed = false
        /// Nothing received yet: the short first-byte timer runs.
        var awaitingFirstByte = true
        /// A `100 Continue` is owed once the answers before it are sent.
        var continueOwed = false
        /// The answer to a request that could not be read, sent after those before it.
        var failure: HTTPResponse?
        /// A streamed answer in progress: the connection serves nothing else until it ends.
        var streaming: HTTPStream?
    }

    let stream: StreamConnection
    /// The client's address, without the port.
    let address: String
    /// Weak: a connection may outlive its server.
    private weak var server: HTTPServer?
    private let configuration: HTTPServer.Configuration
    private let handler: HTTPServer.Handler
    private let state = Mutex(State())
    // Touched only on the reactor thread.
    nonisolated(unsafe) private var parser: HTTPRequestParser
    nonisolated(unsafe) private var failed = false
    nonisolated(unsafe) private var lingering = false
    nonisolated(unsafe) private var lingered = 0

    init(stream: StreamConnection, address: String, server: HTTPServer, handler: @escaping HTTPServer.Handler) {
        self.stream = stream
        self.address = address
        self.server = server
        self.configuration = server.configuration
        self.handler = handler
        self.parser = HTTPRequestParser(limits: configuration.limits, bodyLimit: configuration.bodyLimit)
    }

    func connection(_ connection: StreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        if lingering {
            lingered += bytes.count
            if lingered > configuration.lingerBytes { stream.close() }
            return
        }
        guard !failed else { return }
        let first = state.withLock { s -> Bool in
            defer { s.awaitingFirstByte = false }
            return s.awaitingFirstByte
        }
        parser.append(bytes)
        do {
            while var request = try parser.next() {
                request.remoteAddress = address
                enqueue(request)
            }
        } catch {
            failed = true
            fail(configuration.errorResponse(error.status, error.reason, []))
            return
        }
        if parser.takeContinue() { sendContinue() }
        let startReadTimer = parser.hasPartialRequest && state.withLock { s -> Bool in
            guard !s.readTimerArmed && !s.busy else { return false }
            s.readTimerArmed = true
            return true
        }
        if startReadTimer || (first && !parser.hasPartialRequest && !state.withLock { $0.busy }) {
            // The first byte ends the short first-byte wait either way.
            armTimer(startReadTimer ? configuration.requestReadTimeout : configuration.idleTimeout)
        }
    }

    func connectionDidClose(_ connection: StreamConnection, error: SocketError?) {
        if let timer = state.withLock({ $0.timer }) { stream.reactor.cancel(timer) }
        state.withLock { $0.streaming }?.markClosed()
        server?.closed(self)
    }

    /// (Re)starts the timer that closes a connection whose request does not arrive in time.
    func armTimer(_ after: Duration) {
        let timer = stream.reactor.schedule(after: after) { [weak self] in self?.timedOut() }
        let previous = state.withLock { s -> Reactor.TimerID? in
            let p = s.timer
            s.timer = timer
            return p
        }
        if let previous { stream.reactor.cancel(previous) }
    }

    private func timedOut() {
        if lingering {
            stream.close()
            return
        }
        let busy = state.withLock { $0.busy }
        guard !busy else { return }
        if parser.hasPartialRequest {
            failed = true
            fail(configuration.errorResponse(408, "request not received within \(configuration.requestReadTimeout)", []))
        } else {
            stream.close()
        }
    }

    private func enqueue(_ request: HTTPRequest) {
        let start = state.withLock { s -> Bool in
            s.readTimerArmed = false
            s.queue.append(request)
            if s.busy { return false }
            s.busy = true
            return true
        }
        if start { processNext() }
    }

    /// `100 Continue` now if nothing is being answered, else after the answers before it.
    private func sendContinue() {
        let now = state.withLock { s -> Bool in
            if s.busy || !s.queue.isEmpty {
                s.continueOwed = true
                return false
            }
            return true
        }
        if now { stream.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
    }

    /// A request that could not be read: answered after the ones before it, then the
    /// connection lingers and closes.
    private func fail(_ response: HTTPResponse) {
        let sendNow = state.withLock { s -> Bool in
            s.failure = response
            s.continueOwed = false
            return !s.busy && s.queue.isEmpty
        }
        if sendNow { sendFailure() }
    }

    private func sendFailure() {
        guard let response = state.withLock({ s -> HTTPResponse? in
            defer { s.failure = nil }
            return s.failure
        }) else { return }
        stream.send(response.encoded(keepAlive: false))
        linger()
    }

    /// Half-closes after the last answer and drops what the client still sends, for a
    /// bounded time and size, then closes.
    private func linger() {
        stream.reactor.execute { [self] in
            lingering = true
            stream.shutdownWritingAfterFlush()
            armTimer(configuration.lingerTimeout)
        }
    }

    /// Answers queued requests one at a time, in order.
    private func processNext() {
        guard let request = state.withLock({ s -> HTTPRequest? in
            guard !s.queue.isEmpty else {
                s.busy = false
                return nil
            }
            return s.queue.removeFirst()
        }) else {
            afterIdle()
            return
        }
        let handler = self.handler
        Task(executorPreference: stream.reactor) { [self] in
            let response = await handler(request)
            if let body = response.stream, request.method != "HEAD" {
                await streamAnswer(response, body)
                return
            }
            let keepAlive = request.keepAlive && !state.withLock { $0.closing }
            // HEAD: the head GET would send, without its body (RFC 9110 §9.3.2).
            stream.send(response.encoded(keepAlive: keepAlive, includeBody: request.method != "HEAD"))
            if !keepAlive {
                state.withLock { $0.queue.removeAll() }
                stream.closeAfterFlush()
                return
            }
            processNext()
        }
    }

    /// A streamed answer: its head, then what `body` writes until it returns or the
    /// client leaves; the connection closes after it (nothing else is read from it).
    private func streamAnswer(_ response: HTTPResponse, _ body: @Sendable (HTTPStream) async -> Void) async {
        let open = HTTPStream(connection: stream)
        let closing = state.withLock { s -> Bool in
            s.streaming = open
            s.queue.removeAll()
            return s.closing
        }
        if closing || !stream.send(response.encodedStreamHead()) {
            open.markClosed()
        } else {
            await body(open)
        }
        open.finish()
    }

    private func afterIdle() {
        let (failure, closing, owed) = state.withLock { s -> (Bool, Bool, Bool) in
            defer { s.continueOwed = false }
            return (s.failure != nil, s.closing, s.continueOwed)
        }
        if failure {
            sendFailure()
            return
        }
        if closing {
            stream.closeAfterFlush()
            return
        }
        if owed && parser.hasPartialRequest { stream.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        let partial = parser.hasPartialRequest
        state.withLock { $0.readTimerArmed = partial }
        armTimer(partial ? configuration.requestReadTimeout : configuration.idleTimeout)
    }

    func refuse(_ response: HTTPResponse) {
        failed = true
        stream.send(response.encoded(keepAlive: false))
        linger()
    }

    func closeWhenIdle() {
        let (idle, streaming) = state.withLock { s -> (Bool, HTTPStream?) in
            s.closing = true
            return (!s.busy, s.streaming)
        }
        // A stream never becomes idle: the server stopping ends it (its client resumes elsewhere).
        if let streaming { streaming.finish() } else if idle { stream.closeAfterFlush() }
    }
}
