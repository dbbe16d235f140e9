import Sockets
import Synchronization

/// The open end of a streamed answer (``HTTPResponse/stream``): writes go straight to the
/// connection; a client that stops reading does not grow memory without bound — past
/// `maxPendingBytes` unsent the stream closes, and the client (an EventSource) comes back
/// and resumes. ``closed()`` returns when the client left or the server is stopping.
public final class HTTPStream: Sendable {
    let connection: StreamConnection
    public let maxPendingBytes: Int
    private let state = Mutex<(closed: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init(connection: StreamConnection, maxPendingBytes: Int = 256 * 1024) {
        self.connection = connection
        self.maxPendingBytes = maxPendingBytes
    }

    /// Sends `bytes`; false when the stream is closed (or just closed for a slow reader).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !isClosed else { return false }
        if connection.pendingWriteBytes > maxPendingBytes {
            finish()
            return false
        }
        guard connection.send(bytes) else {
            markClosed()
            return false
        }
        return true
    }

    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Sends `bytes` once the client has read enough of what went before (a download at
    /// the client's pace: memory stays at `maxPendingBytes`); false when the stream closed.
    public func send(_ bytes: [UInt8]) async -> Bool {
        while !isClosed && connection.pendingWriteBytes > maxPendingBytes / 2 {
            try? await Task.sleep(for: .milliseconds(2))
        }
        guard !isClosed else { return false }
        guard connection.send(bytes) else {
            markClosed()
            return false
        }
        return true
    }

    /// Waits until the client leaves or the stream is finished.
    public func closed() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> Bool in
                if s.closed { return true }
                s.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Ends the stream: what is written goes out, then the connection closes.
    public func finish() {
        markClosed()
        connection.closeAfterFlush()
    }

    func markClosed() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard !s.closed else { return [] }
            s.closed = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
