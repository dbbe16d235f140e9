import CEpoll
import Glibc

/// Two connected, non-blocking stream sockets in this process (a Unix-domain
/// `socketpair`): what one end writes the other reads, with no address, port or
/// listener. The in-process transport of ``RPCClient`` hands one end to a server as if
/// it had been accepted and keeps the other.
public enum SocketPair {
    public static func make() throws(SocketError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, cepoll_sock_stream_nonblock_cloexec, 0, &fds) == 0 else {
            throw SocketError("socketpair", errno: cepoll_errno())
        }
        return (fds[0], fds[1])
    }
}
