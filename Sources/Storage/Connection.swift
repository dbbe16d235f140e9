import CSQLite

/// One SQLite connection, confined to one thread (opened with NOMUTEX), with a cache of
/// prepared statements. Services reach it only inside ``Database`` reads and writes.
public final class Connection {
    let db: OpaquePointer
    public let path: String
    private var cache: [String: (handle: OpaquePointer, columns: ColumnIndex)] = [:]

    init(path: String, readOnly: Bool) throws(StorageError) {
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let error = StorageError.sqlite(rc, handle, doing: "open \(path)")
            sqlite3_close_v2(handle)
            throw error
        }
        db = handle
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5000)
        try execute("PRAGMA foreign_keys = ON")
        if !readOnly { try execute("PRAGMA synchronous = NORMAL") }
        // Savepoints (one per grouped write) journal the pages they touch; in a temp file
        // by default, which costs a file write per write.
        try execute("PRAGMA temp_store = MEMORY")
    }

    deinit {
        for statement in cache.values { sqlite3_finalize(statement.handle) }
        sqlite3_close_v2(db)
    }

    /// Runs SQL that returns no rows (several statements allowed), without caching.
    public func execute(_ sql: String) throws(StorageError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &error)
        if let error { sqlite3_free(error) }
        guard rc == SQLITE_OK else { throw .sqlite(sqlite3_extended_errcode(db), db, doing: "execute \(sql.prefix(200))") }
    }

    func prepare(_ sql: String) throws(StorageError) -> Statement {
        if let cached = cache[sql] { return Statement(handle: cached.handle, db: db, sql: sql, columns: cached.columns) }
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard rc == SQLITE_OK, let handle else { throw .sqlite(rc, db, doing: "prepare \(sql)") }
        let columns = ColumnIndex(handle)
        cache[sql] = (handle, columns)
        return Statement(handle: handle, db: db, sql: sql, columns: columns)
    }

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(StorageError) -> Int {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes(db))
    }

    /// Runs a query and maps every row.
    public func query<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var results: [T] = []
        while try statement.step() { results.append(try map(Row(statement: statement.handle, columns: statement.columns))) }
        return results
    }

    /// The first row of a query, mapped; nil when there is none.
    public func queryFirst<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Row) throws -> T) throws -> T? {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return try map(Row(statement: statement.handle, columns: statement.columns))
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }
}
