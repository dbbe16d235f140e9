import CEpoll
import Glibc
import Synchronization

/// Opens outbound TCP connections without blocking a thread: a non-blocking connect
/// whose completion the reactor reports, bounded by a timeout.
public enum Connector {
    /// Connects to `host:port`; returns a connected, non-blocking, TCP_NODELAY socket.
    /// `policy`: the address it resolves to must pass it (a user-given URL's host).
    public static func connect(
        host: String, port: Int, timeout: Duration, reactor: Reactor = .shared, policy: OutboundPolicy? = nil
    ) async throws(SocketError) -> Int32 {
        let address: SocketAddress
        if let policy {
            address = try policy.address(host: host, port: port)
        } else {
            address = try SocketAddress.resolve(host: host, port: port)
        }
        let fd = socket(address.family, cepoll_sock_stream_nonblock_cloexec, 0)
        guard fd >= 0 else { throw SocketError("socket", errno: cepoll_errno()) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var rc = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        while rc != 0 && cepoll_errno() == EINTR {
            rc = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        }
        if rc == 0 { return fd }
        let code = cepoll_errno()
        guard code == EINPROGRESS || code == EINTR else {
            Glibc.close(fd)
            throw SocketError("connect to \(host):\(port)", errno: code)
        }
        let waiter = ConnectWaiter(fd: fd, reactor: reactor, target: "\(host):\(port)")
        let result: Result<Int32, SocketError> = await withCheckedContinuation { continuation in
            waiter.begin(timeout: timeout, continuation: continuation)
        }
        return try result.get()
    }
}

/// Waits for one in-progress connect to finish, fail or time out; resumes exactly once.
private final class ConnectWaiter: ReactorHandler, @unchecked Sendable {
    let fd: Int32
    let reactor: Reactor
    let target: String
    private struct State {
        var continuation: CheckedContinuation<Result<Int32, SocketError>, Never>?
        var registration: Reactor.Registration?
        var timer: Reactor.TimerID?
    }
    private let state = Mutex(State())

    init(fd: Int32, reactor: Reactor, target: String) {
        self.fd = fd
        self.reactor = reactor
        self.target = target
    }

    func begin(timeout: Duration, continuation: CheckedContinuation<Result<Int32, SocketError>, Never>) {
        state.withLock { $0.continuation = continuation }
        reactor.execute { [self] in
            do {
                let registered = try reactor.register(fd: fd, events: cepoll_epollout | cepoll_epollet, handler: self)
                let timer = reactor.schedule(after: timeout) { [self] in
                    finish(.failure(SocketError("connect to \(target)", reason: "timed out after \(timeout)")))
                }
                state.withLock {
                    $0.registration = registered
                    $0.timer = timer
                }
            } catch let error as SocketError {
                finish(.failure(error))
            } catch {
                finish(.failure(SocketError("connect to \(target)", reason: "\(error)")))
            }
        }
    }

    func handleEvents(_ events: UInt32) {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        if code == 0 && events & (cepoll_epollerr | cepoll_epollhup) == 0 {
            finish(.success(fd))
        } else {
            finish(.failure(SocketError("connect to \(target)", errno: code == 0 ? ECONNREFUSED : code)))
        }
    }

    /// Runs on the reactor thread.
    private func finish(_ result: Result<Int32, SocketError>) {
        let taken = state.withLock { s -> State? in
            guard s.continuation != nil else { return nil }
            let copy = s
            s.continuation = nil
            return copy
        }
        guard let taken else { return }
        if let timer = taken.timer { reactor.cancel(timer) }
        if let registered = taken.registration { reactor.deregister(registered) }
        if case .failure = result { Glibc.close(fd) }
        taken.continuation?.resume(returning: result)
    }
}
