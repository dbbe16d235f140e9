import Storage
import Wire

/// A table kept by the storage rule (Sources/README.md, "Storage"): each row holds one
/// message whole, as its wire bytes in `body`, its id in `id`, and copies of the fields
/// that queries filter or sort on in indexed columns declared here once. Every write goes
/// through it, so a column never disagrees with the body it was copied from, and a field
/// no query needs is a schema line with no column and no migration.
public struct MessageTable<Message: WireMessage>: Sendable {
    /// A column copied from the message for queries.
    public struct Column: Sendable {
        public let name: String
        public let value: @Sendable (Message) -> SQLValue

        public init(_ name: String, _ value: @escaping @Sendable (Message) -> SQLValue) {
            self.name = name
            self.value = value
        }
    }

    public let name: String
    /// The column holding the message's bytes: `body`, or the name an older table gave it
    /// (`template`, `alert`), so a table adopts this rule without a migration.
    public let body: String
    public let columns: [Column]
    /// Reads and sets the message's id (the row's `id`; the body never holds it).
    let id: @Sendable (Message) -> Int64
    let setID: @Sendable (inout Message, Int64) -> Void
    /// The statements of ``insert(_:_:)`` and ``update(_:_:)``, written once (a busy table,
    /// the audit log's, inserts thousands of rows a second).
    private let insertSQL: String
    private let updateSQL: String

    public init(
        _ name: String, body: String = "body", id: @escaping @Sendable (Message) -> Int64, setID: @escaping @Sendable (inout Message, Int64) -> Void,
        columns: [Column] = []
    ) {
        self.name = name
        self.body = body
        self.id = id
        self.setID = setID
        self.columns = columns
        let names = [body] + columns.map(\.name)
        insertSQL = "INSERT INTO \(name) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
        updateSQL = "UPDATE \(name) SET \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"
    }

    /// What a query selects for ``message(_:)`` to read, from the table or its alias (`d.`).
    public func selection(_ alias: String = "") -> String { "\(alias)id, \(alias)\(body)" }

    /// The message of a row that selected ``selection(_:)``.
    public func message(_ row: Row) throws -> Message {
        var message = try Message(wireBytes: row.blob(body))
        setID(&message, row.int64("id"))
        return message
    }

    /// The message with this id, nil when there is none.
    public func find(_ c: Connection, id: Int64) throws -> Message? {
        try c.queryFirst("SELECT \(selection()) FROM \(name) WHERE id = ?", [.integer(id)], message)
    }

    /// The messages the rows matching `condition` (SQL over the table's columns) hold,
    /// by id.
    public func list(_ c: Connection, where condition: String? = nil, _ arguments: [SQLValue] = []) throws -> [Message] {
        try c.query("SELECT \(selection()) FROM \(name)\(condition.map { " WHERE \($0)" } ?? "") ORDER BY id", arguments, message)
    }

    /// Stores a new message and answers it with its id.
    public func insert(_ tx: Transaction, _ message: Message) throws -> Message {
        var stored = message
        setID(&stored, 0)
        try tx.run(insertSQL, [.blob(stored.wireBytes())] + columns.map { $0.value(message) })
        setID(&stored, tx.lastInsertRowID)
        return stored
    }

    /// Writes a changed message over its row, body and columns together.
    public func update(_ tx: Transaction, _ message: Message) throws {
        var stored = message
        setID(&stored, 0)
        try tx.run(updateSQL, [.blob(stored.wireBytes())] + columns.map { $0.value(message) } + [.integer(id(message))])
    }
}
