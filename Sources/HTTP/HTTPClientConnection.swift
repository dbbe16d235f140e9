import Sockets
import Synchronization

/// Why an ``HTTPClient`` request has no response, in words a log reader can act on.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// The connection was reused and closed before any byte of a response came: the
    /// server closed it as idle, so it never read the request and a fresh connection
    /// may carry it.
    let staleConnection: Bool

    public init(_ message: String) {
        self.message = message
        self.staleConnection = false
    }

    init(_ message: String, staleConnection: Bool) {
        self.message = message
        self.staleConnection = staleConnection
    }

    public var description: String { message }
}

/// One keep-alive connection of an ``HTTPClient``: one request at a time (no
/// pipelining), its response read by an ``HTTPResponseParser`` on the reactor thread,
/// bounded by the request's deadline.
final class HTTPClientConnection: StreamConnectionDelegate, @unchecked Sendable {
    typealias Outcome = Result<HTTPResponseParser.Response, HTTPClientError>

    private struct Pending {
        var continuation: UnsafeContinuation<Outcome, Never>
        var timer: Reactor.TimerID?
        var parser: HTTPResponseParser
        var reused: Bool
    }

    private struct State {
        var pending: Pending?
        var closed = false
        var exchanges = 0
    }

    let stream: StreamConnection
    let target: String
    private let state = Mutex(State())
    private let onClose: @Sendable (HTTPClientConnection) -> Void

    init(stream: StreamConnection, target: String, onClose: @escaping @Sendable (HTTPClientConnection) -> Void) {
        self.stream = stream
        self.target = target
        self.onClose = onClose
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Sends `request` and waits for its response until `deadline`. After a failure the
    /// connection is closed; after a response it may be reused when `keepAlive` says so.
    func exchange(_ request: [UInt8], headRequest: Bool, limits: HTTPResponseParser.Limits, deadline: MonotonicInstant) async -> Outcome {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Outcome, Never>) in
                let refusal = state.withLock { s -> HTTPClientError? in
                    if s.closed { return HTTPClientError("the connection to \(target) closed", staleConnection: s.exchanges > 0) }
                    if Task.isCancelled { return HTTPClientError("the request to \(target) was cancelled") }
                    s.pending = Pending(continuation: continuation, timer: nil, parser: HTTPResponseParser(limits: limits, headRequest: headRequest), reused: s.exchanges > 0)
                    s.exchanges += 1
                    return nil
                }
                if let refusal {
                    continuation.resume(returning: .failure(refusal))
                    return
                }
                let timer = stream.reactor.schedule(at: deadline) { [self] in
                    fail(HTTPClientError("\(target) did not answer in time"))
                }
                let stillPending = state.withLock { s -> Bool in
                    guard s.pending != nil else { return false }
                    s.pending!.timer = timer
                    return true
                }
                if !stillPending { stream.reactor.cancel(timer) }
                if !stream.send(request) {
                    fail(HTTPClientError("the connection to \(target) closed before the request was sent", staleConnection: true))
                }
            }
        } onCancel: {
            fail(HTTPClientError("the request to \(target) was cancelled"))
        }
    }

    /// Ends the request in flight with `error` and closes the connection: whatever the
    /// server still sends for it must not be read as the next request's response.
    private func fail(_ error: HTTPClientError) {
        guard let pending = state.withLock({ s -> Pending? in
            defer { s.pending = nil }
            return s.pending
        }) else { return }
        if let timer = pending.timer { stream.reactor.cancel(timer) }
        stream.close()
        pending.continuation.resume(returning: .failure(error))
    }

    // MARK: Reading (reactor thread)

    func connection(_ connection: StreamConnection, didRead bytes: UnsafeRawBufferPointer) {
        enum Step { case none, done(Pending, Outcome), unexpected }
        let step = state.withLock { s -> Step in
            guard var pending = s.pending else { return .unexpected }
            pending.parser.append(bytes)
            do {
                if let response = try pending.parser.next() {
                    s.pending = nil
                    return .done(pending, .success(response))
                }
                s.pending = pending
                return .none
            } catch {
                s.pending = nil
                return .done(pending, .failure(HTTPClientError("\(target) sent a response this client cannot read: \((error as? HTTPParseError)?.reason ?? "\(error)")")))
            }
        }
        switch step {
        case .none:
            break
        case .unexpected:
            // Bytes nobody asked for: the connection's framing cannot be trusted.
            stream.close()
        case let .done(pending, outcome):
            if let timer = pending.timer { stream.reactor.cancel(timer) }
            if case let .success(response) = outcome, response.keepAlive {} else { stream.close() }
            pending.continuation.resume(returning: outcome)
        }
    }

    func connectionDidClose(_ connection: StreamConnection, error: SocketError?) {
        let pending = state.withLock { s -> Pending? in
            s.closed = true
            defer { s.pending = nil }
            return s.pending
        }
        if var pending {
            if let timer = pending.timer { stream.reactor.cancel(timer) }
            if let response = pending.parser.finishAtClose() {
                pending.continuation.resume(returning: .success(response))
            } else {
                let stale = pending.reused && !pending.parser.receivedAnything
                let why = error.map { ": \($0)" } ?? ""
                pending.continuation.resume(returning: .failure(HTTPClientError(
                    "\(target) closed the connection before its response was complete\(why)", staleConnection: stale)))
            }
        }
        onClose(self)
    }
}
