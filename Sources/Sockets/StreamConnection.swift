import CEpoll
import Glibc
import Synchronization

/// Receives what a ``StreamConnection`` reads, on the reactor thread.
public protocol StreamConnectionDelegate: AnyObject, Sendable {
    /// Bytes arrived. They are only valid during the call: copy what you keep.
    func connection(_ connection: StreamConnection, didRead bytes: UnsafeRawBufferPointer)
    /// The connection is closed (by either side); called exactly once. `error` is nil
    /// for an orderly close.
    func connectionDidClose(_ connection: StreamConnection, error: SocketError?)
    /// The TLS handshake finished and the peer is verified (never called without TLS).
    func connectionDidEstablish(_ connection: StreamConnection)
}

extension StreamConnectionDelegate {
    public func connectionDidEstablish(_ connection: StreamConnection) {}
}

/// A non-blocking TCP connection on a ``Reactor``, edge-triggered.
///
/// Reads happen on the reactor thread into one shared buffer and go to the delegate.
/// Writes may come from any thread: they are appended to an outbound buffer, and the
/// thread that finds no write in progress sends everything queued in one `send`, so
/// concurrent responses coalesce into few syscalls. Reading pauses while more than
/// `maxPendingWriteBytes` wait to be sent (a peer that does not read cannot make us
/// buffer without bound) and resumes once they drain.
///
/// With a ``StreamSecurity`` (TLS) the socket carries its records: what the owner sends
/// waits as plaintext until the handshake is done and is sealed when it is flushed, so
/// answers that coalesce into one write also share records; what arrives is opened before
/// the delegate sees it, and the delegate sees nothing before the peer is verified.
public final class StreamConnection: ReactorHandler, @unchecked Sendable {
    public let fd: Int32
    public let reactor: Reactor
    public let peer: String
    public let maxPendingWriteBytes: Int

    private struct WriteState {
        /// What the owner sent and the socket has not taken yet (plaintext under TLS).
        var outbound: [UInt8] = []
        /// TLS records ready for the socket: sealed `outbound`, handshake and alerts.
        var sealed: [UInt8] = []
        var security: (any StreamSecurity)?
        var spare: [UInt8] = []
        var flushing = false
        /// A flush is queued for the end of the reactor's current turn.
        var flushScheduled = false
        var awaitingWritable = false
        var writableWhileFlushing = false
        var closing = false
        var closeAfterFlush = false
        /// Half-close once the queued bytes are sent, reading on (a lingering close).
        var shutdownAfterFlush = false
        var writeShut = false
        var fdClosed = false
        var readPaused = false
        var closeError: SocketError? = nil

        /// What is still to go out. Plaintext waiting for a handshake that has not finished
        /// does not count: a close after flush must not wait for a peer that never verifies.
        var unsent: Int { sealed.count + (security?.isEstablished == false ? 0 : outbound.count) }

        /// What goes to the socket as it is: TLS records, or without TLS the owner's bytes.
        var wire: [UInt8] {
            get { security == nil ? outbound : sealed }
            set { if security == nil { outbound = newValue } else { sealed = newValue } }
        }
    }

    private let write = Mutex(WriteState())
    private let registration = Mutex<Reactor.Registration?>(nil)
    // Touched only on the reactor thread after start().
    nonisolated(unsafe) private var delegate: (any StreamConnectionDelegate)?

    /// How many reads one wake-up may do before yielding to other connections.
    private static let readsPerWake = 16

    public init(
        fd: Int32, reactor: Reactor, peer: String, maxPendingWriteBytes: Int = 8 * 1024 * 1024, security: (any StreamSecurity)? = nil
    ) {
        self.fd = fd
        self.reactor = reactor
        self.peer = peer
        self.maxPendingWriteBytes = maxPendingWriteBytes
        write.withLock { $0.security = security }
    }

    /// Registers with the reactor and starts delivering reads to `delegate`.
    public func start(delegate: any StreamConnectionDelegate) throws(SocketError) {
        self.delegate = delegate
        let events = cepoll_epollin | cepoll_epollout | cepoll_epollrdhup | cepoll_epollet
        let registered = try reactor.register(fd: fd, events: events, handler: self)
        registration.withLock { $0 = registered }
        // A TLS client speaks first: its hello goes out now.
        let hello = write.withLock { s -> Bool in
            guard let security = s.security else { return false }
            _ = try? security.open(into: UnsafeMutableRawBufferPointer(start: nil, count: 0))
            security.takeOutput(into: &s.sealed)
            return !s.sealed.isEmpty
        }
        if hello { send { _ in } }
    }

    public var pendingWriteBytes: Int { write.withLock { $0.unsent } }

    /// False while a TLS handshake is under way; true once the peer is verified, and
    /// always without TLS.
    public var isEstablished: Bool { write.withLock { $0.security?.isEstablished ?? true } }

    /// Reads the record layer under the connection's lock (e.g. the verified peer's name).
    public func withSecurity<T>(_ body: ((any StreamSecurity)?) -> T) -> T {
        write.withLock { body($0.security) }
    }

    public var isClosed: Bool { write.withLock { $0.closing } }

    // MARK: Writing (any thread)

    /// Queues bytes; returns false if the connection is closed.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        send { $0.append(contentsOf: bytes) }
    }

    /// Lets `body` append straight into the outbound buffer (no intermediate copy), then
    /// sends. Returns false if the connection is closed.
    ///
    /// Off the reactor thread the caller sends at once unless a send is in progress. On
    /// the reactor thread the send waits for the end of the current turn, so every
    /// answer produced while handling one batch of reads leaves in one write.
    @discardableResult
    public func send(_ body: (inout [UInt8]) -> Void) -> Bool {
        let onReactor = reactor.isCurrent
        let shouldFlush = write.withLock { s -> Bool? in
            guard !s.closing && !s.closeAfterFlush && !s.shutdownAfterFlush else { return nil }
            body(&s.outbound)
            guard !s.flushing && !s.awaitingWritable && !s.flushScheduled else { return false }
            if onReactor {
                s.flushScheduled = true
                return false
            }
            s.flushing = true
            return true
        }
        guard let shouldFlush else { return false }
        if shouldFlush {
            flush()
        } else if onReactor {
            reactor.execute { [self] in flushScheduledTurn() }
        }
        return true
    }

    private func flushScheduledTurn() {
        let shouldFlush = write.withLock { s -> Bool in
            s.flushScheduled = false
            guard !s.flushing && !s.awaitingWritable && s.unsent > 0 else { return false }
            s.flushing = true
            return true
        }
        if shouldFlush { flush() } else { afterFlushDrained() }
    }

    /// Sends what is queued and then closes: for a final error answer.
    public func closeAfterFlush(error: SocketError? = nil) {
        let closeNow = write.withLock { s -> Bool in
            s.closeAfterFlush = true
            if let error { s.closeError = error }
            return s.unsent == 0 && !s.flushing && !s.awaitingWritable
        }
        if closeNow { close() }
    }

    /// Sends what is queued, then shuts down our sending side only (TCP FIN) and keeps
    /// reading: a client still writing a body we refused sees our answer instead of a
    /// reset, which closing with unread bytes would send. The owner closes later.
    public func shutdownWritingAfterFlush() {
        let now = write.withLock { s -> Bool in
            s.shutdownAfterFlush = true
            return s.unsent == 0 && !s.flushing && !s.awaitingWritable
        }
        if now { reactor.execute { [self] in shutdownWriting() } }
    }

    private func shutdownWriting() {
        let shut = write.withLock { s -> Bool in
            guard !s.closing, !s.fdClosed, !s.writeShut else { return false }
            s.writeShut = true
            return true
        }
        if shut { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }
    }

    /// Closes at once, dropping unsent bytes. Safe from any thread, any number of times.
    public func close(error: SocketError? = nil) {
        if reactor.isCurrent {
            beginClose(error: error)
        } else {
            reactor.execute { [self] in beginClose(error: error) }
        }
    }

    /// Writes until the buffer is empty or the socket is full. Only the thread that set
    /// `flushing` runs it, so sends never interleave.
    private func flush() {
        while true {
            let taken = write.withLock { s -> Result<[UInt8], SocketError>? in
                if s.closing {
                    s.flushing = false
                    return nil
                }
                s.writableWhileFlushing = false
                // Under TLS the plaintext waits for the handshake, then is sealed into records.
                if let security = s.security, !s.outbound.isEmpty, security.isEstablished {
                    do throws(SocketError) {
                        try security.seal(s.outbound, into: &s.sealed)
                    } catch {
                        s.flushing = false
                        return .failure(error)
                    }
                    s.outbound.removeAll(keepingCapacity: true)
                }
                if s.wire.isEmpty {
                    s.flushing = false
                    return nil
                }
                let chunk = s.wire
                s.wire = s.spare
                s.spare = []
                return .success(chunk)
            }
            guard let taken else { break }
            guard case var .success(pending) = taken else {
                if case let .failure(error) = taken { close(error: error) }
                return
            }
            var sent = 0
            var failure: Int32 = 0
            pending.withUnsafeBytes { raw in
                while sent < raw.count {
                    let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, cepoll_msg_nosignal)
                    if n > 0 {
                        sent += n
                    } else {
                        let code = cepoll_errno()
                        if code == EINTR { continue }
                        failure = code
                        return
                    }
                }
            }
            if failure == 0 {
                pending.removeAll(keepingCapacity: true)
                write.withLock { s in
                    if s.spare.isEmpty && pending.capacity <= 1 << 20 { s.spare = pending }
                }
                continue
            }
            if failure == EAGAIN || failure == EWOULDBLOCK {
                let retry = write.withLock { s -> Bool in
                    pending.removeFirst(sent)
                    pending.append(contentsOf: s.wire)
                    s.wire = pending
                    if s.writableWhileFlushing {
                        // The socket drained while we were sending: its edge is gone, so
                        // try again now instead of waiting for one that will not come.
                        s.writableWhileFlushing = false
                        return true
                    }
                    s.awaitingWritable = true
                    s.flushing = false
                    return false
                }
                if retry { continue }
                return
            }
            write.withLock { $0.flushing = false }
            close(error: SocketError("send to \(peer)", errno: failure))
            return
        }
        afterFlushDrained()
    }

    /// What waits on an empty buffer: a close requested after the last bytes, and reads
    /// paused for backpressure.
    private func afterFlushDrained() {
        let (closeNow, shutNow, resume, closingDuringFlush) = write.withLock { s -> (Bool, Bool, Bool, Bool) in
            let drained = s.unsent == 0 && !s.flushing && !s.awaitingWritable
            let resume = s.readPaused && s.unsent <= maxPendingWriteBytes / 2
            if resume { s.readPaused = false }
            return (drained && s.closeAfterFlush && !s.closing, drained && s.shutdownAfterFlush && !s.writeShut && !s.closing, resume,
                    s.closing && !s.flushing && !s.fdClosed)
        }
        if closeNow { close() }
        if shutNow { reactor.execute { [self] in shutdownWriting() } }
        if closingDuringFlush { reactor.execute { [self] in finishClose() } }
        if resume { reactor.execute { [self] in readAvailable() } }
    }

    // MARK: Reactor side

    public func handleEvents(_ events: UInt32) {
        if events & cepoll_epollout != 0 {
            let shouldFlush = write.withLock { s -> Bool in
                if s.flushing {
                    s.writableWhileFlushing = true
                    return false
                }
                guard s.awaitingWritable else { return false }
                s.awaitingWritable = false
                s.flushing = true
                return true
            }
            if shouldFlush { flush() }
        }
        if events & (cepoll_epollin | cepoll_epollrdhup | cepoll_epollhup | cepoll_epollerr) != 0 {
            readAvailable()
        }
    }

    private func readAvailable() {
        let secured = write.withLock { $0.security != nil }
        for _ in 0..<Self.readsPerWake {
            let paused = write.withLock { s -> Bool in
                if s.closing { return true }
                if s.unsent > maxPendingWriteBytes { s.readPaused = true }
                return s.readPaused
            }
            if paused { return }
            let n = reactor.withReadBuffer { buffer -> Int in
                let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
                if n > 0 {
                    if secured {
                        return openRecords(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n), reusing: UnsafeMutableRawBufferPointer(buffer)) ? n : -2
                    }
                    delegate?.connection(self, didRead: UnsafeRawBufferPointer(start: buffer.baseAddress, count: n))
                }
                return n
            }
            if n == -2 { return }
            if n > 0 { continue }
            if n == 0 {
                beginClose(error: nil)
                return
            }
            let code = cepoll_errno()
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return }
            beginClose(error: SocketError("read from \(peer)", errno: code))
            return
        }
        // Still readable: yield to other connections, then continue (edge-triggered
        // epoll will not tell us again).
        reactor.execute { [self] in readAvailable() }
    }

    /// Hands TLS records read from the socket to the record layer and the plaintext they
    /// hold to the delegate, in `buffer` (the records are copied out first). Sends what
    /// the layer answers (handshake) and, once established, what waited for it. False when
    /// the layer failed: the connection then sends its alert and closes.
    private func openRecords(_ ciphertext: UnsafeRawBufferPointer, reusing buffer: UnsafeMutableRawBufferPointer) -> Bool {
        write.withLock { s in s.security?.receive(ciphertext) }
        var toSend = false
        var establishedNow = false
        var failure: SocketError?
        while true {
            let opened = write.withLock { s -> Int in
                guard let security = s.security, !s.closing else { return 0 }
                let wasEstablished = security.isEstablished
                let before = s.sealed.count
                defer {
                    security.takeOutput(into: &s.sealed)
                    if !wasEstablished && security.isEstablished { establishedNow = true }
                    if s.sealed.count > before || (establishedNow && !s.outbound.isEmpty) { toSend = true }
                }
                do throws(SocketError) {
                    return try security.open(into: buffer)
                } catch {
                    failure = error
                    return 0
                }
            }
            if establishedNow, let delegate {
                establishedNow = false
                delegate.connectionDidEstablish(self)
            }
            if opened == 0 { break }
            delegate?.connection(self, didRead: UnsafeRawBufferPointer(start: buffer.baseAddress, count: opened))
        }
        if toSend { send { _ in } }
        if let failure {
            closeAfterFlush(error: failure)
            return false
        }
        return true
    }

    private func beginClose(error: SocketError?) {
        let finishNow = write.withLock { s -> Bool in
            if s.closing { return false }
            s.closing = true
            if let error { s.closeError = error }
            // A send in progress on another thread still uses the fd; it finishes the
            // close when it returns (afterFlushDrained), so the fd is never reused under it.
            return !s.flushing
        }
        if finishNow { finishClose() }
    }

    private func finishClose() {
        let error = write.withLock { s -> SocketError?? in
            guard s.closing, !s.fdClosed, !s.flushing else { return .none }
            s.fdClosed = true
            s.outbound = []
            s.spare = []
            return .some(s.closeError)
        }
        guard case let .some(closeError) = error else { return }
        if let registered = registration.withLock({ $0 }) { reactor.deregister(registered) }
        Glibc.close(fd)
        let delegate = self.delegate
        self.delegate = nil
        delegate?.connectionDidClose(self, error: closeError)
    }
}
