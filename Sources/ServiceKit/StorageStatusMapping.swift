import RPC
import Storage
import Wire

/// Database errors become the status a caller can act on: a unique violation means the
/// thing exists, a broken reference or check is a failed precondition, a busy database
/// is worth retrying, anything else is our fault.
extension StorageError: RPCErrorConvertible {
    public var rpcError: RPCError {
        switch kind {
        case .uniqueViolation: RPCError(.alreadyExists, message)
        case .foreignKeyViolation, .constraintViolation: RPCError(.failedPrecondition, message)
        case .busy: RPCError(.unavailable, message)
        case .migration, .other: RPCError(.internal, "storage error")
        }
    }
}
