import Glibc
import Sockets
import Synchronization
import TLS
import Wire

/// Calls one endpoint over a single multiplexed connection.
///
/// The connection moves idle -> connecting -> ready -> (lost) idle, or -> transient
/// failure after a failed connect, where calls fail fast with `unavailable` until the
/// backoff delay has passed and the next call tries again. Calls never hang: each has
/// its deadline, a dead peer fails them with `unavailable`, and only calls that are
/// safe to repeat are retried (``RetryPolicy``).
public final class RPCClient: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeout: Duration = .seconds(5)
        public var backoff = ConnectionBackoff()
        /// Used when a call sets neither timeout nor deadline; nil waits without bound.
        public var defaultTimeout: Duration? = .seconds(30)
        public var retry = RetryPolicy()
        public var maxFrameLength = Frame.defaultMaxLength
        /// Sent as `caller` metadata on every call, so servers can log who called.
        public var caller: String? = nil
        /// Around every call, outermost first (``ClientInterceptor``). By default a
        /// call made while serving one carries its request id and deadline on.
        public var interceptors: [any ClientInterceptor] = [CallPropagation()]
        /// Mutual TLS (PROTOCOL.md §1): a client context presents this process's
        /// certificate, and the server's must name the endpoint's ``Endpoint/name`` (its
        /// identity: `contacts`, `telephony-0`). nil connects in plaintext, for debugging
        /// only. In-process clients never use it.
        public var security: TLSContext? = nil

        public init() {}
    }

    private enum ConnectionState {
        case idle
        case connecting([ConnectWaiter])
        case ready(ClientConnection)
        case transientFailure(retryAt: MonotonicInstant, error: RPCError)
        case shutdown
    }

    /// A call waiting for a connection another call is opening, until its own deadline at most.
    private struct ConnectWaiter {
        let id: UInt64
        let continuation: CheckedContinuation<Result<ClientConnection, RPCError>, Never>
        var timer: Reactor.TimerID?
    }

    private struct State {
        var connection: ConnectionState = .idle
        var nextWaiterID: UInt64 = 0
        var backoff: ConnectionBackoff
        var budget = RetryBudget()
    }

    public let endpoint: Endpoint
    /// Set for a client of a server in this process (``init(inProcess:name:configuration:)``).
    private let inProcessServer: RPCServer?
    /// `host:port`, written once: interceptors see it on every call.
    private let target: String
    public let configuration: Configuration
    public let reactor: Reactor
    private let state: Mutex<State>

    public convenience init(endpoint: Endpoint, configuration: Configuration = Configuration(), reactor: Reactor = .shared) {
        self.init(endpoint: endpoint, inProcess: nil, configuration: configuration, reactor: reactor)
    }

    /// A client of `server` in this process: no port, no listener, the same bytes, the
    /// same connection states (a server shut down answers `unavailable`, and the next
    /// call connects again). `name` is what logs and errors call the peer.
    public convenience init(inProcess server: RPCServer, name: String, configuration: Configuration = Configuration()) {
        self.init(endpoint: Endpoint(host: "in-process", port: 0, name: name), inProcess: server, configuration: configuration, reactor: server.reactor)
    }

    private init(endpoint: Endpoint, inProcess server: RPCServer?, configuration: Configuration, reactor: Reactor) {
        self.endpoint = endpoint
        self.inProcessServer = server
        self.target = endpoint.description
        self.configuration = configuration
        self.reactor = reactor
        self.state = Mutex(State(backoff: configuration.backoff))
    }

    public convenience init(host: String, port: Int, configuration: Configuration = Configuration()) {
        self.init(endpoint: Endpoint(host: host, port: port), configuration: configuration)
    }

    // MARK: Calls

    /// Calls `method` and returns its response, or throws ``RPCError``.
    public func call<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) async throws(RPCError) -> Response {
        let deadline = options.effectiveDeadline(default: configuration.defaultTimeout)
        let policy = options.retry ?? configuration.retry
        var metadata = options.metadata
        if let caller = configuration.caller, metadata[Metadata.Key.caller] == nil {
            metadata[Metadata.Key.caller] = caller
        }
        let call = ClientCall(method: method.fullName, metadata: metadata, deadline: deadline, target: target)
        let outcome = await intercepted(from: 0, call) { call in
            await self.send(call, idempotent: method.isIdempotent, policy: policy, encode: request.encode)
        }
        switch outcome {
        case let .success(response):
            do {
                return try response.body.message(as: Response.self)
            } catch {
                throw .internal("response to \(method.fullName) from \(endpoint) could not be decoded: \(error)")
            }
        case let .failure(error):
            throw error
        }
    }

    private func intercepted(
        from index: Int, _ call: ClientCall, send: @Sendable (ClientCall) async -> ClientOutcome
    ) async -> ClientOutcome {
        let interceptors = configuration.interceptors
        guard index < interceptors.count else { return await send(call) }
        return await interceptors[index].intercept(call) { next in
            await self.intercepted(from: index + 1, next, send: send)
        }
    }

    /// Sends the call, again while it fails in a way ``RetryPolicy`` allows.
    private func send(
        _ call: ClientCall, idempotent: Bool, policy: RetryPolicy, encode: @Sendable (inout WireEncoder) -> Void
    ) async -> ClientOutcome {
        var attempt = 1
        while true {
            let failure: CallFailure
            switch await attemptCall(call.method, deadline: call.deadline, metadata: call.metadata, encode: encode) {
            case let .success(body):
                state.withLock { $0.budget.recordSuccess() }
                guard body.head.code == .ok else {
                    return .failure(RPCError(body.head.code, body.head.message, details: body.head.details))
                }
                return .success(ClientResponse(body: body))
            case let .failure(f):
                failure = f
            }
            let retryable = failure.error.code.isRetryable && (!failure.requestSent || idempotent)
            let allowed = state.withLock { s -> Bool in
                s.budget.recordFailure()
                return s.budget.allowsRetry
            }
            guard retryable, allowed, attempt < policy.maxAttempts else { return .failure(failure.error) }
            let pause = policy.backoff(beforeAttempt: attempt)
            if let deadline = call.deadline, MonotonicInstant.now() + pause >= deadline { return .failure(failure.error) }
            do { try await Task.sleep(for: pause) } catch { return .failure(RPCError(.cancelled, "\(call.method) was cancelled by the caller")) }
            attempt += 1
        }
    }

    private func attemptCall(
        _ method: String, deadline: MonotonicInstant?, metadata: Metadata, encode: (inout WireEncoder) -> Void
    ) async -> ClientConnection.Outcome {
        let connection: ClientConnection
        switch await readyConnection(deadline: deadline) {
        case let .success(c): connection = c
        case let .failure(error): return .failure(CallFailure(error: error, requestSent: false))
        }
        return await connection.call(method: method, deadline: deadline, metadata: metadata, encode: encode)
    }

    // MARK: Connection state machine

    private enum Step {
        case use(ClientConnection)
        case connect
        case wait
        case fail(RPCError)
    }

    private func readyConnection(deadline: MonotonicInstant?) async -> Result<ClientConnection, RPCError> {
        let step = state.withLock { s -> Step in
            switch s.connection {
            case let .ready(connection) where connection.acceptsCalls:
                return .use(connection)
            case .ready, .idle:
                s.connection = .connecting([])
                return .connect
            case let .transientFailure(retryAt, error):
                let now = MonotonicInstant.now()
                guard now >= retryAt else {
                    let wait = now.duration(until: retryAt)
                    return .fail(.unavailable("\(error.message); next attempt in \(wait.milliseconds) ms"))
                }
                s.connection = .connecting([])
                return .connect
            case .connecting:
                return .wait
            case .shutdown:
                return .fail(.unavailable("client for \(endpoint) is shut down"))
            }
        }
        switch step {
        case let .use(connection): return .success(connection)
        case let .fail(error): return .failure(error)
        case .wait:
            return await withCheckedContinuation { continuation in
                let immediate = state.withLock { s -> Result<ClientConnection, RPCError>? in
                    switch s.connection {
                    case var .connecting(waiters):
                        // The connection being opened may take its opener's longer budget (a TLS
                        // handshake with a peer that does not answer): this call waits its own.
                        s.nextWaiterID += 1
                        let id = s.nextWaiterID
                        let timer = deadline.map { deadline in
                            reactor.schedule(at: deadline) { [weak self] in self?.giveUp(waiter: id) }
                        }
                        waiters.append(ConnectWaiter(id: id, continuation: continuation, timer: timer))
                        s.connection = .connecting(waiters)
                        return nil
                    case let .ready(connection): return .success(connection)
                    case let .transientFailure(_, error): return .failure(error)
                    case .idle: return .failure(.unavailable("connection to \(endpoint) was lost; try again"))
                    case .shutdown: return .failure(.unavailable("client for \(endpoint) is shut down"))
                    }
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        case .connect:
            return await connect(deadline: deadline)
        }
    }

    /// Connects now, in the background, when no connection is open or being opened: the
    /// first call then does not pay for the TCP and TLS handshakes (a routing answer has
    /// 30 ms). A warm-up that fails leaves the client idle, not backing off: the first
    /// real call tries again at once.
    public func warmUp() {
        let start = state.withLock { s -> Bool in
            guard case .idle = s.connection else { return false }
            s.connection = .connecting([])
            return true
        }
        guard start else { return }
        Task { _ = await connect(deadline: nil, penalize: false) }
    }

    private func connect(deadline: MonotonicInstant?, penalize: Bool = true) async -> Result<ClientConnection, RPCError> {
        var timeout = configuration.connectTimeout
        if let deadline { timeout = min(timeout, MonotonicInstant.now().duration(until: deadline)) }
        let result: Result<ClientConnection, RPCError>
        do throws(SocketError) {
            let fd: Int32
            if let inProcessServer {
                fd = try inProcessServer.connectInProcess(peer: "in-process \(configuration.caller ?? "client")")
            } else {
                fd = try await Connector.connect(host: endpoint.host, port: endpoint.port, timeout: timeout, reactor: reactor)
            }
            var session: TLSSession?
            if inProcessServer == nil, let security = configuration.security {
                do {
                    session = try security.session(expecting: endpoint.name)
                } catch {
                    Glibc.close(fd)
                    throw SocketError("TLS", reason: error.description)
                }
            }
            let stream = StreamConnection(fd: fd, reactor: reactor, peer: endpoint.description, security: session)
            let connection = ClientConnection(
                stream: stream, target: endpoint.description, maxFrameLength: configuration.maxFrameLength
            ) { [weak self] closed in
                self?.connectionEnded(closed)
            }
            try stream.start(delegate: connection)
            if session != nil {
                // The connection is ready once the server proved its name: the handshake gets
                // a connect timeout of its own (a loaded machine may have spent the first on
                // TCP), never past the caller's deadline.
                let limit = deadline.map { max(.milliseconds(1), min(configuration.connectTimeout, MonotonicInstant.now().duration(until: $0))) }
                    ?? configuration.connectTimeout
                let timer = reactor.schedule(after: limit) {
                    stream.close(error: SocketError("TLS handshake", reason: "no answer within \(limit.milliseconds) ms"))
                }
                let failure = await connection.established()
                reactor.cancel(timer)
                if let failure { throw failure }
            }
            result = .success(connection)
        } catch {
            // "TLS handshake: certificate verify failed" says which step; a refused connect says enough alone.
            let reason = error.operation.hasPrefix("TLS") ? "\(error)" : error.reason
            if let deadline, MonotonicInstant.now() >= deadline {
                // The caller's budget ran out first (a peer that accepts and never answers): as a call past its deadline.
                result = .failure(.deadlineExceeded("\(endpoint) did not answer within the deadline (\(reason))"))
            } else {
                result = .failure(.unavailable("cannot reach \(endpoint): \(reason)"))
            }
        }
        let waiters = state.withLock { s -> [ConnectWaiter] in
            guard case let .connecting(waiters) = s.connection else { return [] }
            switch result {
            case let .success(connection):
                s.connection = .ready(connection)
                s.backoff.reset()
            case .failure where !penalize:
                s.connection = .idle
            case let .failure(error):
                let delay = s.backoff.next()
                s.connection = .transientFailure(retryAt: .now() + delay, error: error)
            }
            return waiters
        }
        for waiter in waiters {
            if let timer = waiter.timer { reactor.cancel(timer) }
            waiter.continuation.resume(returning: result)
        }
        return result
    }

    /// A waiting call's deadline passed before the connection was ready.
    private func giveUp(waiter id: UInt64) {
        let waiter = state.withLock { s -> ConnectWaiter? in
            guard case var .connecting(waiters) = s.connection, let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = waiters.remove(at: index)
            s.connection = .connecting(waiters)
            return waiter
        }
        waiter?.continuation.resume(returning: .failure(.deadlineExceeded("no connection to \(endpoint) within the deadline: still connecting")))
    }

    private func connectionEnded(_ connection: ClientConnection) {
        state.withLock { s in
            if case let .ready(current) = s.connection, current === connection {
                // A connection that worked and then ended reconnects on the next call
                // without waiting (gRPC's ready -> idle).
                s.connection = .idle
            }
        }
    }

    /// Closes the connection; later calls fail with `unavailable`.
    public func shutdown() {
        let connection = state.withLock { s -> ClientConnection? in
            defer { s.connection = .shutdown }
            if case let .ready(c) = s.connection { return c }
            return nil
        }
        connection?.close()
    }
}

extension Duration {
    var milliseconds: Int64 { nanosecondsClamped / 1_000_000 }
}
