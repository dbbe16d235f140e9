/// The outcome of a call. The code list and meanings are gRPC's, so anyone who knows
/// gRPC reads our errors at once (PROTOCOL.md, "Status codes").
public struct Status: Sendable, Equatable, CustomStringConvertible {
    public enum Code: Int, Sendable, CaseIterable, WireEnum {
        case ok = 0
        case cancelled = 1
        case unknown = 2
        case invalidArgument = 3
        case deadlineExceeded = 4
        case notFound = 5
        case alreadyExists = 6
        case permissionDenied = 7
        case resourceExhausted = 8
        case failedPrecondition = 9
        case aborted = 10
        case outOfRange = 11
        case unimplemented = 12
        case `internal` = 13
        case unavailable = 14
        case dataLoss = 15
        case unauthenticated = 16

        public static var unrecognized: Code { .unknown }

        /// The snake_case name used in logs and in the gateway's problem documents.
        public var name: String {
            switch self {
            case .ok: "ok"
            case .cancelled: "cancelled"
            case .unknown: "unknown"
            case .invalidArgument: "invalid_argument"
            case .deadlineExceeded: "deadline_exceeded"
            case .notFound: "not_found"
            case .alreadyExists: "already_exists"
            case .permissionDenied: "permission_denied"
            case .resourceExhausted: "resource_exhausted"
            case .failedPrecondition: "failed_precondition"
            case .aborted: "aborted"
            case .outOfRange: "out_of_range"
            case .unimplemented: "unimplemented"
            case .internal: "internal"
            case .unavailable: "unavailable"
            case .dataLoss: "data_loss"
            case .unauthenticated: "unauthenticated"
            }
        }

        /// Whether a client may send the same call again after this code without risk of
        /// doing the work twice. Only `unavailable` qualifies, and for a non-idempotent
        /// method only when the request never reached the server (RPCClient decides).
        public var isRetryable: Bool { self == .unavailable }

        /// Whether the failure is the moment's, not the request's: the same request may
        /// succeed later unchanged (the server down or busy, a budget or a limit hit, a
        /// concurrency conflict, the caller gone). Events use it on both sides (P2): a
        /// subscriber fails the whole batch with such a status, and the sender sends the
        /// batch again instead of parking an event.
        public var isMomentary: Bool {
            [.unavailable, .deadlineExceeded, .resourceExhausted, .aborted, .cancelled].contains(self)
        }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String = "") {
        self.code = code
        self.message = message
    }

    public static let ok = Status(code: .ok)

    public var description: String {
        message.isEmpty ? code.name : "\(code.name): \(message)"
    }
}
