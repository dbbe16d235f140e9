/// One step of a service's schema. Versions start at 1 and increase by one; a shipped
/// migration is never edited, only followed by a new one.
public struct Migration: Sendable {
    public let version: Int
    public let sql: String
    /// Runs after `sql`, in the same transaction: what SQL alone cannot do (rewriting
    /// rows as a message's wire bytes). `finish` runs after it (dropping the columns it read).
    public let rewrite: (@Sendable (Connection) throws -> Void)?
    public let finish: String

    public init(_ version: Int, _ sql: String, rewrite: (@Sendable (Connection) throws -> Void)? = nil, finish: String = "") {
        self.version = version
        self.sql = sql
        self.rewrite = rewrite
        self.finish = finish
    }
}
