import Foundation
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
        /// A request's head (and body) must arrive within this (slowloris).
        public var requestReadTimeout: Duration = .seconds(10)
        /// A keep-alive connection with no request in progress closes after this.
        public var idleTimeout: Duration = .seconds(60)
        public var maxConnections = 1024
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
    private let state = Mutex<(listener: Listener?, connections: [ObjectIdentifier: HTTPConnection])>((nil, [:]))
    private let boundPort = Atomic<Int>(0)
    private let nextReactor = Atomic<Int>(0)

    public init(configuration: Configuration, reactor: Reactor = .shared, handler: @escaping Handler) {
        self.configuration = configuration
        self.reactor = reactor
        self.handler = handler
    }

    public var port: Int { boundPort.load(ordering: .relaxed) }

    public func start() throws(SocketError) {
        let listener = try Listener(host: configuration.host, port: configuration.port, reactor: reactor) { [weak self] fd, peer in
            self?.accept(fd: fd, peer: peer)
        }
        boundPort.store(listener.port, ordering: .relaxed)
        state.withLock { $0.listener = listener }
        try listener.start()
    }

    private func accept(fd: Int32, peer: String) {
        let reactors = configuration.extraReactors
        let turn = reactors.isEmpty ? 0 : nextReactor.wrappingAdd(1, ordering: .relaxed).oldValue % (reactors.count + 1)
        let stream = StreamConnection(fd: fd, reactor: turn == 0 ? reactor : reactors[turn - 1], peer: peer)
        let connection = HTTPConnection(stream: stream, server: self, handler: handler)
        let accepted = state.withLock { s -> Bool in
            guard s.connections.count < configuration.maxConnections else { return false }
            s.connections[ObjectIdentifier(connection)] = connection
            return true
        }
        do {
            try stream.start(delegate: connection)
        } catch {
            closed(connection)
            return
        }
        if accepted {
            connection.armTimer(configuration.requestReadTimeout)
        } else {
            connection.refuse(HTTPResponse(status: 503, contentType: "text/plain", body: "too many connections\n"))
        }
    }

    func closed(_ connection: HTTPConnection) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
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
        var readTimerArmed = true
    }

    let stream: StreamConnection
    /// Weak: a connection may outlive its server.
    private weak var server: HTTPServer?
    private let configuration: HTTPServer.Configuration
    private let handler: HTTPServer.Handler
    private let state = Mutex(State())
    nonisolated(unsafe) private var parser: HTTPRequestParser
    nonisolated(unsafe) private var failed = false

    init(stream: StreamConnection, server: HTTPServer, handler: @escaping HTTPServer.Handler) {
        self.stream = stream
        self.server = server
        self.configuration = server.configuration
        self.handler = handler
        self.parser = HTTPRequestParser(limits: configuration.limits, bodyLimit: configuration.bodyLimit)
    }

    func connection(_ connection: StreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        guard !failed else { return }
        parser.append(bytes)
        do {
            while let request = try parser.next() { enqueue(request) }
        } catch {
            failed = true
            enqueueFailure(HTTPResponse(status: error.status, contentType: "text/plain", body: error.reason + "\n"))
            return
        }
        let startReadTimer = parser.hasPartialRequest && state.withLock { s -> Bool in
            guard !s.readTimerArmed && !s.busy else { return false }
            s.readTimerArmed = true
            return true
        }
        if startReadTimer { armTimer(configuration.requestReadTimeout) }
    }

    func connectionDidClose(_ connection: StreamConnection, error: SocketError?) {
        if let timer = state.withLock({ $0.timer }) { stream.reactor.cancel(timer) }
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
        let busy = state.withLock { $0.busy }
        guard !busy else { return }
        if parser.hasPartialRequest {
            failed = true
            stream.send(HTTPResponse(status: 408, contentType: "text/plain", body: "request not received in time\n").encoded(keepAlive: false))
            stream.closeAfterFlush()
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

    /// A request that could not be parsed: answered after the ones before it, then close.
    private func enqueueFailure(_ response: HTTPResponse) {
        let sendNow = state.withLock { s -> Bool in
            s.closing = true
            return !s.busy && s.queue.isEmpty
        }
        if sendNow {
            stream.send(response.encoded(keepAlive: false))
            stream.closeAfterFlush()
        } else {
            pendingFailure.withLock { $0 = response }
        }
    }

    private let pendingFailure = Mutex<HTTPResponse?>(nil)

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
            let keepAlive = request.keepAlive && !state.withLock { $0.closing }
            stream.send(response.encoded(keepAlive: keepAlive))
            if !keepAlive {
                state.withLock { $0.queue.removeAll() }
                stream.closeAfterFlush()
                return
            }
            processNext()
        }
    }

    private func afterIdle() {
        if let failure = pendingFailure.withLock({ $0 }) {
            stream.send(failure.encoded(keepAlive: false))
            stream.closeAfterFlush()
            return
        }
        if state.withLock({ $0.closing }) {
            stream.closeAfterFlush()
            return
        }
        let partial = parser.hasPartialRequest
        state.withLock { $0.readTimerArmed = partial }
        armTimer(partial ? configuration.requestReadTimeout : configuration.idleTimeout)
    }

    func refuse(_ response: HTTPResponse) {
        stream.send(response.encoded(keepAlive: false))
        stream.closeAfterFlush()
    }

    func closeWhenIdle() {
        let idle = state.withLock { s -> Bool in
            s.closing = true
            return !s.busy
        }
        if idle { stream.closeAfterFlush() }
    }
}
