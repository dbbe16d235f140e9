import CSQLite
import Foundation

extension Database {
    /// A consistent copy of the whole database at `path` (SQLite's online backup, from a
    /// reader, so writes go on meanwhile; what they commit during the copy is in it or
    /// not, never half). The destination is replaced. Used to hand a file over whole
    /// (telephony's shards, T12).
    public func backup(to path: String) async throws {
        try? FileManager.default.removeItem(atPath: path)
        try await read { source in
            let destination = try Connection(path: path, readOnly: false)
            guard let backup = sqlite3_backup_init(destination.db, "main", source.db, "main") else {
                throw StorageError.sqlite(sqlite3_extended_errcode(destination.db), destination.db, doing: "start a backup to \(path)")
            }
            var rc: Int32
            repeat {
                rc = sqlite3_backup_step(backup, 256)
                if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { sqlite3_sleep(5) }
            } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
            let finished = sqlite3_backup_finish(backup)
            guard rc == SQLITE_DONE, finished == SQLITE_OK else {
                throw StorageError.sqlite(finished == SQLITE_OK ? rc : finished, destination.db, doing: "back up to \(path)")
            }
            // The copy stands alone: no WAL beside it.
            try destination.execute("PRAGMA journal_mode = DELETE")
        }
    }
}
