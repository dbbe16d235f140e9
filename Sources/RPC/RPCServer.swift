import FoundationEssentials
import Glibc
import Sockets
import Synchronization
import TLS
import Wire

/// Serves unary methods over the Switchboard protocol (Protocols/PROTOCOL.md).
///
/// Many connections, many calls in flight per connection answered out of order, the
/// caller's deadline enforced, handlers cancelled when the caller cancels or hangs up,
/// explicit limits, a built-in ``Health`` method and graceful shutdown.
public final class RPCServer: Sendable {
    /// Limits and knobs; every one is explicit and documented in PROTOCOL.md.
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; read the real one from ``port``.
        public var port: Int
        /// Largest frame accepted (the length field); larger closes the connection.
        public var maxFrameLength: Int = Frame.defaultMaxLength
        /// Calls in flight on one connection; more are answered `resource_exhausted`.
        public var maxConcurrentCallsPerConnection: Int = 1024
        /// Open connections; more are sent GOAWAY(resource_exhausted) and closed.
        public var maxConnections: Int = 1024
        /// Where handlers run. `.reactor` (the default) runs them on the I/O thread that
        /// read the request: no thread hop, and answers batch into few writes. Handlers
        /// must then never block; blocking work (SQLite) belongs on its own threads,
        /// awaited. `.concurrent` runs them on Swift's global pool.
        public var handlerExecution: HandlerExecution = .reactor
        /// Around every call, outermost first (``ServerInterceptor``): propagation,
        /// authorisation, metrics and call logs.
        public var interceptors: [any ServerInterceptor] = []
        /// Mutual TLS (PROTOCOL.md §1): a server context requires and verifies every
        /// client's certificate. nil serves plaintext, for debugging only.
        public var security: TLSContext? = nil
        /// How long a connection may take to finish its TLS handshake before it is closed.
        public var handshakeTimeout: Duration = .seconds(10)
        /// Where the server reports handler failures and protocol errors, as an event
        /// name and fields; ServiceKit writes them as JSON lines.
        public var log: @Sendable (_ event: String, _ fields: [String: String]) -> Void = { event, fields in
            let text = fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: " ")
            StandardStream.error.write("\(event) \(text)\n")
        }

        public init(host: String = "127.0.0.1", port: Int = 0) {
            self.host = host
            self.port = port
        }
    }

    /// Where a server's handlers run; see ``Configuration/handlerExecution``.
    public enum HandlerExecution: Sendable {
        case reactor
        case concurrent
    }

    /// A handler with its types erased: decodes the request, runs, encodes the response.
    struct Method: Sendable {
        let callers: Set<String>
        let run: @Sendable (CallBody<RequestHead>, ServerContext) async -> ServerOutcome
    }

    private struct State {
        var methods: [String: Method] = [:]
        var health: [String: ServingStatus] = ["": .serving]
        var connections: [ObjectIdentifier: ServerConnection] = [:]
        var listener: Listener?
        var draining = false
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
    }

    public let configuration: Configuration
    public let reactor: Reactor
    private let state = Mutex(State())
    private let boundPort = Atomic<Int>(0)

    public init(configuration: Configuration, reactor: Reactor = .shared) {
        self.configuration = configuration
        self.reactor = reactor
        register(Health.check) { [weak self] request, _ in
            HealthCheckResponse(status: self?.health(of: request.service) ?? .notServing)
        }
    }

    /// The port the server listens on, after ``start()``.
    public var port: Int { boundPort.load(ordering: .relaxed) }

    // MARK: Methods

    /// Registers the handler for `method`. Throw ``RPCError`` (or an
    /// ``RPCErrorConvertible``) for a status other than ok; any other error is answered
    /// `internal` and logged, without its text reaching the client.
    public func register<Request, Response>(
        _ method: MethodDescriptor<Request, Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        let name = method.fullName
        let log = configuration.log
        let erased = Method(callers: method.callers) { body, context in
            let error: RPCError
            do {
                let request = try body.message(as: Request.self)
                let response = try await handler(request, context)
                if let late = Self.deadlinePassed(context) { return .failure(late) }
                return .success(ServerResponse(frame: Frame.encodeCall(kind: .response, requestID: context.requestID, head: ResponseTrailer()) {
                    response.encode(to: &$0)
                }))
            } catch let wire as WireError {
                error = .invalidArgument("request for \(name) could not be decoded: \(wire)")
            } catch let rpc as RPCError {
                error = rpc
            } catch let convertible as any RPCErrorConvertible {
                error = convertible.rpcError
            } catch is CancellationError {
                error = Self.deadlinePassed(context) ?? RPCError(.cancelled, "\(name) was cancelled")
            } catch let other {
                log("handler failed", ["method": name, "error": "\(other)"])
                error = .internal("\(name) failed with an internal error")
            }
            return .failure(error)
        }
        state.withLock { $0.methods[name] = erased }
    }

    /// Answers one call through the interceptors: the response frame to send and its
    /// status.
    func answer(_ body: CallBody<RequestHead>, _ context: ServerContext) async -> (frame: [UInt8], code: Status.Code) {
        let method = state.withLock { $0.methods[context.method] }
        var context = context
        context.declaredCallers = method?.callers
        let outcome = await intercepted(from: 0, context) { context in
            guard let method else { return .failure(RPCError(.unimplemented, "unknown method \"\(context.method)\"")) }
            return await method.run(body, context)
        }
        switch outcome {
        case let .success(response): return (response.frame, .ok)
        case let .failure(error):
            return (Frame.encodeCall(kind: .response, requestID: context.requestID, head: ResponseTrailer(error: error)) { _ in }, error.code)
        }
    }

    private func intercepted(
        from index: Int, _ context: ServerContext, handler: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome {
        let interceptors = configuration.interceptors
        guard index < interceptors.count else { return await handler(context) }
        return await interceptors[index].intercept(context) { next in
            await self.intercepted(from: index + 1, next, handler: handler)
        }
    }

    /// The server has answered `deadline_exceeded` once the deadline passed; what the
    /// handler did after that is not what the caller got.
    private static func deadlinePassed(_ context: ServerContext) -> RPCError? {
        guard let deadline = context.deadline, MonotonicInstant.now() >= deadline else { return nil }
        return .deadlineExceeded("\(context.method) did not finish within its deadline")
    }

    // MARK: Health

    /// Sets what Health reports for `service` ("" is the whole server).
    public func setHealth(_ status: ServingStatus, for service: String = "") {
        state.withLock { $0.health[service] = status }
    }

    public func health(of service: String) -> ServingStatus {
        state.withLock { s in
            if s.draining { return .notServing }
            return s.health[service] ?? .serviceUnknown
        }
    }

    // MARK: Lifecycle

    /// Binds and starts accepting. Throws if the address cannot be bound.
    public func start() throws(SocketError) {
        let listener = try Listener(
            host: configuration.host, port: configuration.port, reactor: reactor
        ) { [weak self] fd, peer in
            self?.accept(fd: fd, peer: peer, secured: true)
        }
        boundPort.store(listener.port, ordering: .relaxed)
        state.withLock { $0.listener = listener }
        try listener.start()
    }

    /// A connection to this server from inside the process, without a listener or a
    /// port (the in-process transport, after grpc-swift's `InProcessTransport`): the
    /// server serves one end of a socket pair as an accepted connection and the caller
    /// gets the other. The bytes are the wire's, frames and limits included, so what
    /// works in-process works over TCP. Works before ``start()`` and without it.
    public func connectInProcess(peer: String) throws(SocketError) -> Int32 {
        let (mine, theirs) = try SocketPair.make()
        accept(fd: mine, peer: peer, secured: false)
        return theirs
    }

    /// `secured`: a connection from outside, under TLS when the server has it.
    private func accept(fd: Int32, peer: String, secured: Bool) {
        var session: TLSSession?
        if secured, let security = configuration.security {
            do {
                session = try security.session()
            } catch {
                configuration.log("accept failed", ["peer": peer, "error": "\(error)"])
                Glibc.close(fd)
                return
            }
        }
        let stream = StreamConnection(fd: fd, reactor: reactor, peer: peer, security: session)
        // A TLS peer's certificate is known once its handshake finishes, before any call.
        let identity: PeerIdentity = secured ? .unauthenticated : .inProcess
        let connection = ServerConnection(stream: stream, server: self, identity: identity)
        let refusal = state.withLock { s -> RPCError? in
            if s.draining { return .unavailable("server is shutting down") }
            if s.connections.count >= configuration.maxConnections {
                return RPCError(.resourceExhausted, "server has reached its limit of \(configuration.maxConnections) connections")
            }
            s.connections[ObjectIdentifier(connection)] = connection
            return nil
        }
        do {
            try stream.start(delegate: connection)
        } catch {
            configuration.log("accept failed", ["error": "\(error)"])
            connectionClosed(connection)
            Glibc.close(fd)
            return
        }
        if let refusal {
            connection.refuse(refusal)
        } else if session != nil {
            // A peer that never finishes its handshake does not keep a connection.
            let limit = configuration.handshakeTimeout
            reactor.schedule(after: limit) { [log = configuration.log] in
                guard !stream.isEstablished, !stream.isClosed else { return }
                log("handshake timed out", ["peer": peer])
                stream.close(error: SocketError("TLS handshake", reason: "not finished within \(limit)"))
            }
        }
    }

    func connectionClosed(_ connection: ServerConnection) {
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
        checkDrained()
    }

    /// Called by connections when a call finishes; wakes ``shutdown(gracePeriod:)``
    /// once nothing is in flight.
    func checkDrained() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard s.draining, s.connections.values.allSatisfy({ $0.inFlightCount == 0 }) else { return [] }
            let waiters = s.drainWaiters
            s.drainWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops gracefully: Health turns not_serving, the listener closes, every connection
    /// gets GOAWAY, calls in flight get up to `gracePeriod` to finish; whatever is
    /// still running then is cancelled and answered `unavailable`. Returns when every
    /// connection is closed.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        let (listener, connections) = state.withLock { s -> (Listener?, [ServerConnection]) in
            s.draining = true
            let l = s.listener
            s.listener = nil
            return (l, Array(s.connections.values))
        }
        listener?.close()
        for connection in connections { connection.goAway() }
        let deadline = reactor.schedule(after: gracePeriod) { [weak self] in self?.forceDrained() }
        await withCheckedContinuation { continuation in
            state.withLock { $0.drainWaiters.append(continuation) }
            checkDrained()
        }
        reactor.cancel(deadline)
        let remaining = state.withLock { Array($0.connections.values) }
        for connection in remaining {
            connection.abandonCalls(RPCError.unavailable("server shut down before the call finished"))
            connection.closeAfterFlush()
        }
        // Answers get a second to leave; a peer that does not read them does not hold
        // the shutdown hostage.
        if await !waitForNoConnections(within: .seconds(1)) {
            for connection in state.withLock({ Array($0.connections.values) }) { connection.stream.close() }
            _ = await waitForNoConnections(within: .seconds(1))
        }
    }

    /// True once every connection has closed, false if `limit` passed first.
    private func waitForNoConnections(within limit: Duration) async -> Bool {
        let deadline = MonotonicInstant.now() + limit
        while !state.withLock({ $0.connections.isEmpty }) {
            guard MonotonicInstant.now() < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    private func forceDrained() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            let w = s.drainWaiters
            s.drainWaiters = []
            return w
        }
        for waiter in waiters { waiter.resume() }
    }
}
