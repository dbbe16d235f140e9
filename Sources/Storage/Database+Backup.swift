import CSQLite
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension Database {
    /// A consistent copy of the whole database at `path` (SQLite's online backup, from a
    /// reader, so writes go on meanwhile; what they commit during the copy is in it or
    /// not, never half). The destination is replaced. Used to hand a file over whole
    /// (telephony's shards, T12).
    public func backup(to path: String) async throws {
        try await read { source in try source.copyDatabase(to: path, pagesPerStep: 256) }
    }
}

extension Connection {
    /// Copies this connection's database, as its read transaction sees it, to `destination`
    /// (replaced) with SQLite's online backup. Inside a read transaction the source never
    /// changes under the copy, which would make it start over. The copy stands alone,
    /// without a WAL beside it.
    func copyDatabase(to destination: String, pagesPerStep: Int32) throws(StorageError) {
        try? FileManager.default.removeItem(atPath: destination)
        let target = try Connection(path: destination, readOnly: false)
        // The copy is nothing until it is whole: no journal or sync per step; one sync at
        // the end (the caller renames it into place after).
        try target.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        guard let backup = sqlite3_backup_init(target.db, "main", db, "main") else {
            throw .sqlite(sqlite3_extended_errcode(target.db), target.db, doing: "start a backup of \(path) to \(destination)")
        }
        var rc: Int32
        repeat {
            rc = sqlite3_backup_step(backup, pagesPerStep)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { sqlite3_sleep(5) }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let finished = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finished == SQLITE_OK else {
            throw .sqlite(finished == SQLITE_OK ? rc : finished, target.db, doing: "back up \(path) to \(destination)")
        }
        try target.execute("PRAGMA journal_mode = DELETE")
        let file = open(destination, O_RDONLY)
        if file >= 0 {
            defer { close(file) }
            guard fsync(file) == 0 else { throw StorageError(.other, "back up \(path) to \(destination): fsync failed (errno \(errno))") }
        }
    }
}
