import CSQLite

/// A failed database operation, classified so callers can map it to a status
/// (a unique violation is "already exists", busy is "try again").
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case uniqueViolation
        case foreignKeyViolation
        case constraintViolation
        case busy
        case migration
        case other
    }

    public let kind: Kind
    public let message: String
    /// SQLite's extended result code, when SQLite produced the error.
    public let sqliteCode: Int32?

    public init(_ kind: Kind, _ message: String, sqliteCode: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.sqliteCode = sqliteCode
    }

    /// Builds the error for result `code` on `db`, naming what was being done.
    static func sqlite(_ code: Int32, _ db: OpaquePointer?, doing what: String) -> StorageError {
        let detail = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        let kind: Kind
        switch code {
        case csqlite_constraint_unique, csqlite_constraint_primarykey: kind = .uniqueViolation
        case csqlite_constraint_foreignkey: kind = .foreignKeyViolation
        case _ where code & 0xFF == SQLITE_CONSTRAINT: kind = .constraintViolation
        case _ where code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED: kind = .busy
        default: kind = .other
        }
        return StorageError(kind, "\(what): \(detail)", sqliteCode: code)
    }

    public var description: String { message }
}
