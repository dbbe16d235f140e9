/// One step of a service's schema. Versions start at 1 and increase by one; a shipped
/// migration is never edited, only followed by a new one.
public struct Migration: Sendable {
    public let version: Int
    public let sql: String

    public init(_ version: Int, _ sql: String) {
        self.version = version
        self.sql = sql
    }
}
