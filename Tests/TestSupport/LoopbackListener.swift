import Glibc

/// A listening TCP socket on 127.0.0.1, on a port the kernel chose, for test servers
/// written with plain system calls (ones that hang or misbehave on purpose).
public enum LoopbackListener {
    /// The listening descriptor and its port.
    public static func open(backlog: Int32 = 16) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, backlog) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw TestFailure("cannot listen on 127.0.0.1: errno \(errno)")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// A TCP port that accepts connections (through the kernel's backlog) and never reads or
/// answers: a service that hangs.
public final class SilentListener {
    public let fd: Int32
    public let port: Int

    public init() throws {
        (fd, port) = try LoopbackListener.open()
    }

    /// A client is waiting in the accept queue.
    public var hasPendingConnection: Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1
    }

    deinit { close(fd) }
}
