public import Contracts
public import Storage

/// Issue 26 item 1: every change an admin makes to a service's setup (a pipeline, a staff
/// member, a product, a resource), kept for good with who made it and when, in the
/// service's own database. Each service creates the table with ``migration`` in a
/// migration of its own and writes a change in the transaction that makes it.
public enum SetupLog {
    /// The table, for a service's migration.
    public static let migration = """
        CREATE TABLE setup_changes (
            id INTEGER PRIMARY KEY, entity TEXT NOT NULL, entity_id INTEGER NOT NULL, at INTEGER NOT NULL,
            actor_id INTEGER, credential_id INTEGER, summary TEXT NOT NULL
        );
        CREATE INDEX setup_changes_entity ON setup_changes (entity, entity_id, id);
        """

    /// Who made a change: the staff member and credential of the call's principal.
    public struct Author: Sendable, Equatable {
        public var staffID: Int64?
        public var credentialID: Int64?
        public init(staffID: Int64? = nil, credentialID: Int64? = nil) {
            self.staffID = staffID
            self.credentialID = credentialID
        }
    }

    /// Keeps each line of `summary` as one change (nothing when it is empty).
    public static func record(
        _ tx: Transaction, entity: String, id: Int64, by author: Author, at milliseconds: Int64, _ summary: [String]
    ) throws {
        for line in summary {
            _ = try tx.run(
                "INSERT INTO setup_changes (entity, entity_id, at, actor_id, credential_id, summary) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(entity), .integer(id), .integer(milliseconds), SQLValue(author.staffID), SQLValue(author.credentialID), .text(line)])
        }
    }

    /// The most changes one history answers: the latest.
    public static let historyLimit = 500

    /// The latest ``historyLimit`` changes of one thing, oldest first.
    public static func history(_ c: Connection, entity: String, id: Int64) throws -> SetupHistory {
        SetupHistory(changes: try c.query(
            "SELECT at, actor_id, credential_id, summary FROM setup_changes WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT ?",
            [.text(entity), .integer(id), .integer(Int64(historyLimit))]
        ) { row in
            SetupChange(
                atMilliseconds: row.int64("at"), actorID: row.optionalInt64("actor_id"), credentialID: row.optionalInt64("credential_id"),
                summary: row.string("summary"))
        }.reversed())
    }
}
