import Contracts
import Storage
import Wire

/// T10 (issue 26): the numbers of one shard the dialer never calls, in the shard's own
/// file. A number is marked by someone over the API or by an operator's `refused`; the
/// first mark is kept.
enum DoNotCallList {
    static func contains(_ c: Connection, _ phone: String) throws -> Bool {
        try c.queryFirst("SELECT 1 FROM do_not_call WHERE phone = ?", [.text(phone)]) { $0.int(0) } != nil
    }

    /// Marks the number (E.164 already); the entry as kept, the first mark when there was one.
    static func mark(_ tx: Transaction, _ entry: DoNotCallEntry) throws -> DoNotCallEntry {
        try tx.run("INSERT OR IGNORE INTO do_not_call (phone, entry) VALUES (?, ?)", [.text(entry.phone), .blob(entry.wireBytes())])
        return try find(tx.connection, entry.phone) ?? entry
    }

    static func find(_ c: Connection, _ phone: String) throws -> DoNotCallEntry? {
        try c.queryFirst("SELECT entry FROM do_not_call WHERE phone = ?", [.text(phone)]) { try DoNotCallEntry(wireBytes: $0.blob(0)) }
    }

    /// Numbers after `cursor`, by number.
    static func page(_ c: Connection, after cursor: String, limit: Int) throws -> [DoNotCallEntry] {
        try c.query("SELECT entry FROM do_not_call WHERE phone > ? ORDER BY phone LIMIT ?", [.text(cursor), .integer(Int64(limit))]) {
            try DoNotCallEntry(wireBytes: $0.blob(0))
        }
    }
}
