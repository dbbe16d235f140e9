import CSQLite
import FoundationEssentials

/// A service's SQLite file seen from outside the service (P5's backup and verify): its
/// schema version and SQLite's check of it; where its outbox stands at a ``DatabaseCut``. Never migrates or
/// writes: a file is read as it is.
public struct DatabaseFile: Sendable {
    /// Where one outbox stood: the last sequence it ever gave and how far each
    /// subscriber had acknowledged. Empty for a file without an outbox.
    public struct OutboxPosition: Sendable, Equatable, Codable {
        public var lastSequence: Int64
        public var deliveredThrough: [String: Int64]

        public init(lastSequence: Int64 = 0, deliveredThrough: [String: Int64] = [:]) {
            self.lastSequence = lastSequence
            self.deliveredThrough = deliveredThrough
        }
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The highest migration applied (0 for a file without the record).
    public func schemaVersion() throws -> Int {
        try Self.schemaVersion(Connection(path: path, readOnly: true))
    }

    /// SQLite's own check of every page and index: "ok", or what it found.
    public func integrity() throws -> String {
        let connection = try Connection(path: path, readOnly: true)
        let lines = try connection.query("PRAGMA integrity_check") { $0.string(0) }
        return lines.joined(separator: "; ")
    }

    static func schemaVersion(_ connection: Connection) throws -> Int {
        guard try hasTable("schema_migrations", connection) else { return 0 }
        return try connection.queryFirst("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") { $0.int(0) } ?? 0
    }

    static func position(_ connection: Connection) throws -> OutboxPosition {
        guard try hasTable("outbox_cursor", connection) else { return OutboxPosition() }
        let last = try connection.queryFirst("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") { $0.int64(0) } ?? 0
        let cursors = try connection.query("SELECT subscriber, delivered_through FROM outbox_cursor") { ($0.string(0), $0.int64(1)) }
        return OutboxPosition(lastSequence: last, deliveredThrough: Dictionary(cursors, uniquingKeysWith: max))
    }

    static func hasTable(_ name: String, _ connection: Connection) throws -> Bool {
        try connection.queryFirst("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", [.text(name)]) { _ in true } ?? false
    }
}
