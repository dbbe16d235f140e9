import Storage

/// S2/S4: the time resources are held, one row per resource and holder in `busy`: an
/// appointment by its id (buffers included), a group lesson by −its id. Every check that
/// a resource is free and every hold goes through here, inside the caller's write.
enum BusyTime {
    /// The longest a hold can be (24 h and two 8 h buffers): how far back an overlapping row can start.
    static let longest: Int64 = (24 * 60 + 2 * 480) * 60_000

    /// The first holder other than `ignoring` (0: none) of `resource` during `from..<to`.
    static func firstClash(_ c: Connection, resource: Int64, from: Int64, to: Int64, ignoring: Int64 = 0) throws -> Int64? {
        try c.queryFirst(
            "SELECT appointment_id FROM busy WHERE resource_id = ? AND busy_from < ? AND busy_from > ? AND busy_to > ? AND appointment_id != ? LIMIT 1",
            [.integer(resource), .integer(to), .integer(from - longest), .integer(from), .integer(ignoring)]) { $0.int64(0) }
    }

    /// `resource`'s holds that can touch `from..<to` (a new hold's buffers included).
    static func stretches(_ c: Connection, resource: Int64, from: Int64, to: Int64, ignoring: Int64 = 0) throws -> [WorkingTime.Stretch] {
        try c.query(
            "SELECT busy_from, busy_to FROM busy WHERE resource_id = ? AND busy_from < ? AND busy_from > ? AND appointment_id != ?",
            [.integer(resource), .integer(to + 2 * 480 * 60_000), .integer(from - longest), .integer(ignoring)]) { WorkingTime.Stretch($0.int64(0), $0.int64(1)) }
    }

    /// `holder` holds `resources` during `from..<to` from now on (instead of before).
    static func hold(_ tx: Transaction, holder: Int64, resources: [Int64], from: Int64, to: Int64) throws {
        try release(tx, holder: holder)
        for r in resources {
            try tx.run("INSERT INTO busy (resource_id, busy_from, busy_to, appointment_id) VALUES (?, ?, ?, ?)",
                [.integer(r), .integer(from), .integer(to), .integer(holder)])
        }
    }

    static func release(_ tx: Transaction, holder: Int64) throws {
        try tx.run("DELETE FROM busy WHERE appointment_id = ?", [.integer(holder)])
    }
}
