import Sockets
import Synchronization
import Wire

/// One client connection on an ``RPCServer``: decodes frames on the reactor thread,
/// starts a task per request, and writes each response when its handler finishes, its
/// deadline passes, or never (cancelled by the client).
final class ServerConnection: StreamConnectionDelegate, DeadlineHandler, @unchecked Sendable {
    private struct Call {
        var task: Task<Void, Never>? = nil
        var timer: Reactor.TimerID? = nil
        /// For the answer when the deadline passes first.
        var method: String
        var timeoutMicroseconds: UInt64
    }

    private struct State {
        var calls: [UInt32: Call] = [:]
        var lastRequestID: UInt32 = 0
        var goingAway = false
    }

    let stream: StreamConnection
    /// Weak: a connection may outlive its server (closing after the server is gone).
    private weak var server: RPCServer?
    private let configuration: RPCServer.Configuration
    private let state = Mutex(State())
    // Reactor thread only.
    nonisolated(unsafe) private var decoder: FrameDecoder
    nonisolated(unsafe) private var broken = false
    nonisolated(unsafe) private var identity: PeerIdentity

    init(stream: StreamConnection, server: RPCServer, identity: PeerIdentity) {
        self.stream = stream
        self.identity = identity
        self.server = server
        self.configuration = server.configuration
        self.decoder = FrameDecoder(maxLength: configuration.maxFrameLength)
    }

    var inFlightCount: Int { state.withLock { $0.calls.count } }

    // MARK: Reading (reactor thread)

    func connection(_ connection: StreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        guard !broken else { return }
        decoder.append(bytes)
        do {
            while let frame = try decoder.next() {
                handle(frame)
                if broken { return }
            }
        } catch {
            let code: Status.Code = if case .frameTooLarge = error { .resourceExhausted } else { .invalidArgument }
            protocolError(RPCError(code, "\(error)"))
        }
    }

    func connectionDidEstablish(_ connection: StreamConnection) {
        identity = connection.withSecurity { $0?.peerName }.map(PeerIdentity.certificate) ?? .unauthenticated
    }

    func connectionDidClose(_ connection: StreamConnection, error: SocketError?) {
        // The client is gone: nobody will read the answers, so stop the work.
        abandonCalls(nil)
        server?.connectionClosed(self)
    }

    private func handle(_ frame: Frame) {
        switch frame.kind {
        case .request: startCall(frame)
        case .cancel: cancelCall(frame.requestID)
        case .ping: stream.send(Frame(kind: .pong, requestID: 0, body: frame.body).encoded())
        case .pong: break
        case .response, .goAway:
            protocolError(.invalidArgument("a client may not send \(frame.kind) frames"))
        }
    }

    /// The stream can no longer be trusted: say why in a GOAWAY, then close.
    private func protocolError(_ error: RPCError) {
        broken = true
        configuration.log("protocol error", ["peer": stream.peer, "error": error.description])
        let last = state.withLock { s -> UInt32 in
            s.goingAway = true
            return s.lastRequestID
        }
        sendGoAway(GoAway(lastRequestID: last, code: error.code, message: error.message))
        abandonCalls(nil)
        stream.closeAfterFlush()
    }

    private func startCall(_ frame: Frame) {
        let id = frame.requestID
        let body: CallBody<RequestHead>
        do {
            body = try CallBody<RequestHead>(frameBody: frame.body)
        } catch {
            respond(id, error: .invalidArgument("request head could not be decoded: \(error)"))
            return
        }
        let method = body.head.method
        guard method.utf8.count <= RequestHead.maxMethodLength else {
            respond(id, error: .invalidArgument("method name longer than \(RequestHead.maxMethodLength) bytes"))
            return
        }
        enum Admission { case accepted, duplicate, goingAway, full }
        let limit = configuration.maxConcurrentCallsPerConnection
        let admission = state.withLock { s -> Admission in
            if s.calls[id] != nil { return .duplicate }
            if s.goingAway { return .goingAway }
            if s.calls.count >= limit { return .full }
            s.calls[id] = Call(method: method, timeoutMicroseconds: body.head.timeoutMicroseconds)
            if id > s.lastRequestID { s.lastRequestID = id }
            return .accepted
        }
        switch admission {
        case .duplicate:
            protocolError(.invalidArgument("request id \(id) is already in flight on this connection"))
            return
        case .goingAway:
            respond(id, error: .unavailable("server is shutting down; send the call again on a new connection"))
            return
        case .full:
            respond(id, error: RPCError(.resourceExhausted, "too many calls in flight on this connection (limit \(limit))"))
            return
        case .accepted:
            break
        }
        guard let server else {
            finish(id, error: .unavailable("server is shutting down; send the call again on a new connection"))
            return
        }
        let timeout = body.head.timeoutMicroseconds
        let deadline: MonotonicInstant? = timeout == 0 ? nil : .now() + .microseconds(Int64(clamping: timeout))
        let context = ServerContext(
            method: method, metadata: Metadata(entries: body.head.metadata), deadline: deadline,
            peer: stream.peer, requestID: id, peerIdentity: identity)
        let work: @Sendable () async -> Void = { [self] in
            let response = await server.answer(body, context)
            finish(id, frame: response.frame)
        }
        let task = switch configuration.handlerExecution {
        case .reactor: Task(executorPreference: stream.reactor, operation: work)
        case .concurrent: Task(operation: work)
        }
        var timer: Reactor.TimerID?
        if let deadline { timer = stream.reactor.schedule(at: deadline, telling: self, tag: UInt64(id)) }
        let stillRunning = state.withLock { s -> Bool in
            guard s.calls[id] != nil else { return false }
            s.calls[id]!.task = task
            s.calls[id]!.timer = timer
            return true
        }
        // Answered (deadline) or cancelled before the task was kept: stop it here.
        if !stillRunning {
            task.cancel()
            if let timer { stream.reactor.cancel(timer) }
        }
    }

    /// A call's deadline passed before its handler finished: it is answered so.
    func deadlinePassed(_ tag: UInt64) {
        let id = UInt32(truncatingIfNeeded: tag)
        guard let call = state.withLock({ $0.calls[id] }) else { return }
        finish(id, error: .deadlineExceeded("\(call.method) did not finish within its deadline of \(call.timeoutMicroseconds / 1000) ms"))
    }

    private func cancelCall(_ id: UInt32) {
        guard let call = state.withLock({ $0.calls.removeValue(forKey: id) }) else { return }
        call.task?.cancel()
        if let timer = call.timer { stream.reactor.cancel(timer) }
        server?.checkDrained()
    }

    // MARK: Answers (any thread)

    /// Sends the call's answer unless it was already answered (deadline) or abandoned.
    private func finish(_ id: UInt32, frame: [UInt8]) {
        guard let call = state.withLock({ $0.calls.removeValue(forKey: id) }) else { return }
        if let timer = call.timer { stream.reactor.cancel(timer) }
        stream.send(frame)
        server?.checkDrained()
    }

    private func finish(_ id: UInt32, error: RPCError) {
        guard let call = state.withLock({ $0.calls.removeValue(forKey: id) }) else { return }
        call.task?.cancel()
        if let timer = call.timer { stream.reactor.cancel(timer) }
        respond(id, error: error)
        server?.checkDrained()
    }

    private func respond(_ id: UInt32, error: RPCError) {
        stream.send(Frame.encodeCall(kind: .response, requestID: id, head: ResponseTrailer(error: error)) { _ in })
    }

    private func sendGoAway(_ goAway: GoAway) {
        stream.send(Frame(kind: .goAway, requestID: 0, body: goAway.wireBytes()).encoded())
    }

    // MARK: Server-driven lifecycle

    /// No new calls: tell the client which calls will still be answered.
    func goAway() {
        let last = state.withLock { s -> UInt32 in
            s.goingAway = true
            return s.lastRequestID
        }
        sendGoAway(GoAway(lastRequestID: last, code: .unavailable, message: "server is shutting down"))
    }

    /// Refuses a connection the server cannot take, with the reason.
    func refuse(_ error: RPCError) {
        state.withLock { $0.goingAway = true }
        sendGoAway(GoAway(lastRequestID: 0, code: error.code, message: error.message))
        stream.closeAfterFlush()
    }

    /// Cancels every call in flight; answers each with `error` if given.
    func abandonCalls(_ error: RPCError?) {
        let calls = state.withLock { s -> [UInt32: Call] in
            let c = s.calls
            s.calls = [:]
            return c
        }
        for (id, call) in calls {
            call.task?.cancel()
            if let timer = call.timer { stream.reactor.cancel(timer) }
            if let error { respond(id, error: error) }
        }
        if !calls.isEmpty { server?.checkDrained() }
    }

    func closeAfterFlush() {
        stream.closeAfterFlush()
    }
}
