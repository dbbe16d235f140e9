import Glibc

/// A failed socket operation: which call failed and the system's reason, e.g.
/// "connect to 127.0.0.1:7001: Connection refused".
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let errno: Int32?
    public let reason: String

    public init(_ operation: String, errno code: Int32) {
        self.operation = operation
        self.errno = code
        self.reason = String(cString: strerror(code))
    }

    public init(_ operation: String, reason: String) {
        self.operation = operation
        self.errno = nil
        self.reason = reason
    }

    public var description: String { "\(operation): \(reason)" }
}
