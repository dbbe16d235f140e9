/// A failed call: a status code, a message a person can act on, and field details.
/// Handlers throw it; clients receive it.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Status.Code
    public var message: String
    public var details: [FieldViolation]

    public init(_ code: Status.Code, _ message: String, details: [FieldViolation] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var status: Status { Status(code: code, message: message) }

    public var description: String {
        var text = "\(code.name): \(message)"
        for detail in details { text += " [\(detail.field): \(detail.description)]" }
        return text
    }

    public static func invalidArgument(_ message: String, details: [FieldViolation] = []) -> RPCError {
        RPCError(.invalidArgument, message, details: details)
    }

    public static func unavailable(_ message: String) -> RPCError { RPCError(.unavailable, message) }
    public static func deadlineExceeded(_ message: String) -> RPCError { RPCError(.deadlineExceeded, message) }
    public static func notFound(_ message: String) -> RPCError { RPCError(.notFound, message) }
    public static func `internal`(_ message: String) -> RPCError { RPCError(.internal, message) }

    /// What `read` answers, nil when it answers not_found (what it reads is gone, or not
    /// there for the caller, G3); any other failure is thrown, so a peer that does not
    /// answer is never taken for "nothing there".
    public static func nilIfNotFound<T>(_ read: () async throws -> T) async throws -> T? {
        do {
            return try await read()
        } catch let error as RPCError where error.code == .notFound {
            return nil
        }
    }
}
