import CSQLite

/// A prepared statement, owned by its connection's cache. Valid only on the
/// connection's thread, for the duration of one use.
public struct Statement {
    let handle: OpaquePointer
    let db: OpaquePointer
    let sql: String
    let columns: ColumnIndex

    func bind(_ values: [SQLValue]) throws(StorageError) {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case let .integer(v): rc = sqlite3_bind_int64(handle, index, v)
            case let .real(v): rc = sqlite3_bind_double(handle, index, v)
            case let .text(v):
                // The byte length, never -1: with -1 SQLite stops at the first NUL and
                // "Ann\u{0}ROOT" would be stored as "Ann".
                // An empty value still needs a pointer: a NULL one would bind SQL NULL.
                var text = v
                rc = text.withUTF8 { bytes in
                    guard let base = bytes.baseAddress, bytes.count > 0 else { return sqlite3_bind_text(handle, index, "", 0, SQLITE_TRANSIENT) }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text(handle, index, $0, Int32(bytes.count), SQLITE_TRANSIENT)
                    }
                }
            case let .blob(v):
                rc = v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
            case .null: rc = sqlite3_bind_null(handle, index)
            }
            guard rc == SQLITE_OK else { throw .sqlite(rc, db, doing: "bind parameter \(index) of \(sql)") }
        }
    }

    /// Steps once: true when a row is available.
    func step() throws(StorageError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw .sqlite(sqlite3_extended_errcode(db), db, doing: "run \(sql)")
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}

/// The current row of a query. Columns are read by name (as the SELECT names them, so
/// a mapper cannot drift from its column list) or by position.
public struct Row {
    let statement: OpaquePointer
    let columns: ColumnIndex

    /// The position of the column called `name`; a name the query does not give is a
    /// programming error, caught by the store's tests.
    @inline(__always)
    public func column(_ name: String) -> Int32 {
        guard let index = columns.positions[name] else {
            preconditionFailure("the query has no column \(name); it has \(columns.positions.keys.sorted())")
        }
        return index
    }

    public func isNull(_ name: String) -> Bool { isNull(column(name)) }
    public func int64(_ name: String) -> Int64 { int64(column(name)) }
    public func int(_ name: String) -> Int { int(column(name)) }
    public func bool(_ name: String) -> Bool { bool(column(name)) }
    public func string(_ name: String) -> String { string(column(name)) }
    public func blob(_ name: String) -> [UInt8] { blob(column(name)) }
    public func optionalInt64(_ name: String) -> Int64? { optionalInt64(column(name)) }
    public func optionalString(_ name: String) -> String? { optionalString(column(name)) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
    public func bool(_ column: Int32) -> Bool { sqlite3_column_int64(statement, column) != 0 }

    public func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }
    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    public func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}

/// SQLite's "copy this buffer now" destructor, which Swift cannot import as a macro.
let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A prepared statement's column names and positions, worked out once when it is
/// prepared (statements are cached).
final class ColumnIndex {
    let positions: [String: Int32]

    init(_ statement: OpaquePointer) {
        var positions: [String: Int32] = [:]
        for i in 0..<sqlite3_column_count(statement) {
            if let name = sqlite3_column_name(statement, i) { positions[String(cString: name)] = i }
        }
        self.positions = positions
    }
}
