import CEpoll
import Glibc
import Synchronization

/// A listening TCP socket on a ``Reactor``. Accepts in a loop until EAGAIN (capped per
/// wake-up so one busy listener cannot starve connections) and hands each new,
/// non-blocking, TCP_NODELAY socket to `onAccept`.
public final class Listener: ReactorHandler, @unchecked Sendable {
    public let fd: Int32
    public let reactor: Reactor
    /// The address actually bound (the real port when 0 was asked for).
    public let address: SocketAddress
    private let onAccept: @Sendable (Int32, String) -> Void
    private let registration = Mutex<Reactor.Registration?>(nil)
    private let closed = Atomic<Bool>(false)

    private static let acceptsPerWake = 256

    public init(
        host: String, port: Int, backlog: Int32 = 1024, reactor: Reactor = .shared,
        onAccept: @escaping @Sendable (_ fd: Int32, _ peer: String) -> Void
    ) throws(SocketError) {
        let requested = try SocketAddress.resolve(host: host, port: port)
        let fd = socket(requested.family, cepoll_sock_stream_nonblock_cloexec, 0)
        guard fd >= 0 else { throw SocketError("socket", errno: cepoll_errno()) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = requested.withSockAddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            let code = cepoll_errno()
            Glibc.close(fd)
            throw SocketError("bind \(requested)", errno: code)
        }
        guard listen(fd, backlog) == 0 else {
            let code = cepoll_errno()
            Glibc.close(fd)
            throw SocketError("listen on \(requested)", errno: code)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.reactor = reactor
        self.address = SocketAddress(storage: storage, length: length)
        self.onAccept = onAccept
    }

    public var port: Int { address.port }

    /// Starts accepting. The listening socket is registered for EPOLLIN only: it is
    /// always "writable", and asking for EPOLLOUT makes the loop spin.
    public func start() throws(SocketError) {
        let registered = try reactor.register(fd: fd, events: cepoll_epollin | cepoll_epollet, handler: self)
        registration.withLock { $0 = registered }
        reactor.execute { [self] in acceptAvailable() }
    }

    /// Stops accepting and closes the socket; connections already accepted live on.
    public func close() {
        reactor.execute { [self] in
            guard !closed.exchange(true, ordering: .relaxed) else { return }
            if let registered = registration.withLock({ $0 }) { reactor.deregister(registered) }
            Glibc.close(fd)
        }
    }

    public func handleEvents(_ events: UInt32) {
        acceptAvailable()
    }

    private func acceptAvailable() {
        guard !closed.load(ordering: .relaxed) else { return }
        for _ in 0..<Self.acceptsPerWake {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cepoll_accept4(fd, $0, &length) }
            }
            if client >= 0 {
                var one: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                onAccept(client, SocketAddress(storage: storage, length: length).description)
                continue
            }
            let code = cepoll_errno()
            switch code {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EAGAIN, EWOULDBLOCK:
                return
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors: the pending connections stay queued and no new
                // edge may come, so look again shortly rather than spin or stall.
                reactor.schedule(after: .milliseconds(100)) { [self] in acceptAvailable() }
                return
            default:
                reactor.schedule(after: .milliseconds(100)) { [self] in acceptAvailable() }
                return
            }
        }
        reactor.execute { [self] in acceptAvailable() }
    }
}
