import Foundation

/// The view of the database inside one ``Database/write(_:)``: reads and writes see
/// each other, and events appended here commit or roll back with the state change
/// (the outbox).
public struct Transaction {
    public let connection: Connection

    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(StorageError) -> Int {
        try connection.run(sql, values)
    }

    public func query<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        try connection.query(sql, values, map)
    }

    public func queryFirst<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> T? {
        try connection.queryFirst(sql, values, map)
    }

    public var lastInsertRowID: Int64 { connection.lastInsertRowID }

    /// Records an event in the outbox, in this transaction. Returns its id.
    @discardableResult
    public func appendEvent(type: String, aggregateID: String, payload: [UInt8], at time: Date = Date())
        throws(StorageError) -> String
    {
        let id = UUID().uuidString.lowercased()
        try connection.run(
            "INSERT INTO outbox (event_id, event_type, aggregate_id, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            [.text(id), .text(type), .text(aggregateID), .blob(payload), .integer(Int64(time.timeIntervalSince1970 * 1000))])
        return id
    }
}

/// An event waiting in the outbox.
public struct OutboxEvent: Sendable, Equatable {
    public let sequence: Int64
    public let eventID: String
    public let type: String
    public let aggregateID: String
    public let payload: [UInt8]
    public let createdAtMilliseconds: Int64
}
