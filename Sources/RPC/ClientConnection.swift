import Sockets
import Synchronization
import Wire

/// Why a call on a connection failed, and whether its request ever left this process:
/// a request that was never sent may be retried even for a non-idempotent method.
struct CallFailure: Error {
    var error: RPCError
    var requestSent: Bool
}

/// One multiplexed connection from an ``RPCClient``: assigns request ids, matches
/// responses to waiting callers, enforces deadlines and sends CANCEL for abandoned calls.
final class ClientConnection: StreamConnectionDelegate, DeadlineHandler, @unchecked Sendable {
    typealias Outcome = Result<CallBody<ResponseTrailer>, CallFailure>

    private struct Pending {
        var continuation: UnsafeContinuation<Outcome, Never>
        var timer: Reactor.TimerID?
        var method: String
    }

    private struct State {
        var pending: [UInt32: Pending] = [:]
        var nextID: UInt32 = 1
        /// Set by GOAWAY: ids above it were not and will not be processed.
        var goAwayLastID: UInt32? = nil
        var goAwayReason: String = ""
        var closedError: RPCError? = nil
        /// Why the connection closed, as the socket said (a TLS handshake's reason).
        var closedReason: SocketError? = nil
        var established: Bool
        var establishWaiter: CheckedContinuation<SocketError?, Never>? = nil
    }

    let stream: StreamConnection
    let target: String
    private let state: Mutex<State>
    private let onClose: @Sendable (ClientConnection) -> Void
    nonisolated(unsafe) private var decoder: FrameDecoder

    init(stream: StreamConnection, target: String, maxFrameLength: Int, onClose: @escaping @Sendable (ClientConnection) -> Void) {
        self.stream = stream
        self.state = Mutex(State(established: stream.isEstablished))
        self.target = target
        self.decoder = FrameDecoder(maxLength: maxFrameLength)
        self.onClose = onClose
    }

    /// False once the connection closed or the server said GOAWAY: new calls need a
    /// new connection.
    var acceptsCalls: Bool {
        state.withLock { $0.closedError == nil && $0.goAwayLastID == nil }
    }

    // MARK: Calls (caller's task)

    func call(
        method: String, deadline: MonotonicInstant?, metadata: Metadata, encode: (inout WireEncoder) -> Void
    ) async -> Outcome {
        let id = state.withLock { s -> UInt32 in
            let id = s.nextID
            s.nextID = s.nextID == UInt32.max ? 1 : s.nextID + 1
            return id
        }
        var timeoutMicroseconds: UInt64 = 0
        if let deadline {
            let remaining = MonotonicInstant.now().duration(until: deadline).microsecondsClamped
            guard remaining > 0 else {
                return .failure(CallFailure(error: deadlineError(method), requestSent: false))
            }
            timeoutMicroseconds = UInt64(remaining)
        }
        let head = RequestHead(method: method, timeoutMicroseconds: timeoutMicroseconds, metadata: metadata.entries)
        let frame = Frame.encodeCall(kind: .request, requestID: id, head: head, message: encode)

        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Outcome, Never>) in
                let refusal = state.withLock { s -> CallFailure? in
                    if Task.isCancelled {
                        return CallFailure(error: RPCError(.cancelled, "\(method) was cancelled by the caller"), requestSent: false)
                    }
                    if let closed = s.closedError { return CallFailure(error: closed, requestSent: false) }
                    if s.goAwayLastID != nil {
                        return CallFailure(error: .unavailable("\(target) is shutting down: \(s.goAwayReason)"), requestSent: false)
                    }
                    s.pending[id] = Pending(continuation: continuation, timer: nil, method: method)
                    return nil
                }
                if let refusal {
                    continuation.resume(returning: .failure(refusal))
                    return
                }
                if let deadline {
                    let timer = stream.reactor.schedule(at: deadline, telling: self, tag: UInt64(id))
                    let stillPending = state.withLock { s -> Bool in
                        guard s.pending[id] != nil else { return false }
                        s.pending[id]!.timer = timer
                        return true
                    }
                    if !stillPending { stream.reactor.cancel(timer) }
                }
                if !stream.send(frame) {
                    fail(id, CallFailure(error: .unavailable("connection to \(target) closed"), requestSent: false), sendCancel: false)
                }
            }
        } onCancel: {
            fail(id, CallFailure(error: RPCError(.cancelled, "\(method) was cancelled by the caller"), requestSent: true), sendCancel: true)
        }
    }

    private func deadlineError(_ method: String) -> RPCError {
        .deadlineExceeded("deadline exceeded calling \(method) on \(target)")
    }

    /// A call's deadline passed (reactor thread): it fails, and the server is told to stop.
    func deadlinePassed(_ tag: UInt64) {
        let id = UInt32(truncatingIfNeeded: tag)
        guard let method = state.withLock({ $0.pending[id]?.method }) else { return }
        fail(id, CallFailure(error: deadlineError(method), requestSent: true), sendCancel: true)
    }

    /// Resolves a pending call with a failure; tells the server to stop if asked.
    private func fail(_ id: UInt32, _ failure: CallFailure, sendCancel: Bool) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        if let timer = pending.timer { stream.reactor.cancel(timer) }
        if sendCancel { stream.send(Frame(kind: .cancel, requestID: id).encoded()) }
        pending.continuation.resume(returning: .failure(failure))
    }

    // MARK: Reading (reactor thread)

    func connection(_ connection: StreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        decoder.append(bytes)
        do {
            while let frame = try decoder.next() { handle(frame) }
        } catch {
            stream.close(error: SocketError("read from \(target)", reason: "protocol error: \(error)"))
        }
    }

    private func handle(_ frame: Frame) {
        switch frame.kind {
        case .response:
            guard let pending = state.withLock({ $0.pending.removeValue(forKey: frame.requestID) }) else { return }
            if let timer = pending.timer { stream.reactor.cancel(timer) }
            do {
                let body = try CallBody<ResponseTrailer>(frameBody: frame.body)
                pending.continuation.resume(returning: .success(body))
            } catch {
                pending.continuation.resume(returning: .failure(CallFailure(
                    error: .internal("response to \(pending.method) from \(target) could not be decoded: \(error)"),
                    requestSent: true)))
            }
        case .goAway:
            let goAway = (try? GoAway(wireBytes: frame.body)) ?? GoAway(lastRequestID: 0, code: .unavailable, message: "malformed GOAWAY")
            let refused = state.withLock { s -> [Pending] in
                s.goAwayLastID = goAway.lastRequestID
                s.goAwayReason = goAway.message
                let ids = s.pending.keys.filter { $0 > goAway.lastRequestID }
                return ids.compactMap { s.pending.removeValue(forKey: $0) }
            }
            for pending in refused {
                if let timer = pending.timer { stream.reactor.cancel(timer) }
                // Not processed by the server, so safe to send again elsewhere.
                let error = RPCError(goAway.code == .ok ? .unavailable : goAway.code, "\(target) refused the call: \(goAway.message)")
                pending.continuation.resume(returning: .failure(CallFailure(error: error, requestSent: false)))
            }
            onClose(self)
        case .ping:
            stream.send(Frame(kind: .pong, requestID: 0, body: frame.body).encoded())
        case .pong, .request, .cancel:
            break
        }
    }

    /// Waits for the TLS handshake: nil once the server is verified, else why not.
    func established() async -> SocketError? {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> SocketError?? in
                if s.closedError != nil { return .some(s.closedReason ?? SocketError("TLS handshake", reason: "the server closed the connection")) }
                if s.established { return .some(nil) }
                s.establishWaiter = continuation
                return .none
            }
            if case let .some(outcome) = now { continuation.resume(returning: outcome) }
        }
    }

    func connectionDidEstablish(_ connection: StreamConnection) {
        let waiter = state.withLock { s in
            s.established = true
            defer { s.establishWaiter = nil }
            return s.establishWaiter
        }
        waiter?.resume(returning: nil)
    }

    func connectionDidClose(_ connection: StreamConnection, error: SocketError?) {
        let reason = error.map { "\($0)" } ?? "closed by the server"
        let closedError = RPCError.unavailable("connection to \(target) lost: \(reason)")
        let (pending, waiter) = state.withLock { s -> ([Pending], CheckedContinuation<SocketError?, Never>?) in
            s.closedError = closedError
            s.closedReason = error
            let p = Array(s.pending.values)
            s.pending = [:]
            defer { s.establishWaiter = nil }
            return (p, s.establishWaiter)
        }
        waiter?.resume(returning: error ?? SocketError("TLS handshake", reason: "the server closed the connection"))
        for call in pending {
            if let timer = call.timer { stream.reactor.cancel(timer) }
            call.continuation.resume(returning: .failure(CallFailure(error: closedError, requestSent: true)))
        }
        onClose(self)
    }

    func close() {
        stream.close()
    }
}
