import CSQLite
import FoundationEssentials

/// Several services' SQLite files held at one moment (P5's hot backup). Copied one
/// after another, a backup would hold a subscriber's copy from after its publisher's:
/// ids the publisher gives again after a restore that the subscriber already holds for
/// something else, events the publisher counts as delivered that the subscriber's copy
/// never applied. So the cut first takes every file's write lock, in order (each writer
/// of those services waits, briefly), opens a read transaction on each while no file
/// can change, and lets the writers go: every file is then read as of that one instant,
/// and the copies take as long as they take while the services write on (WAL).
public final class DatabaseCut {
    /// The files, in the order given.
    public let paths: [String]
    private let readers: [Connection]

    /// Holds `paths` at one instant. Waits at most `lockWait` for each write lock (a long
    /// write in progress); past it nothing is held and the cut fails as busy, to be tried
    /// again.
    public init(_ paths: [String], lockWait: Duration = .seconds(2)) throws(StorageError) {
        self.paths = paths
        let milliseconds = Int32(lockWait.components.seconds * 1000 + lockWait.components.attoseconds / 1_000_000_000_000_000)
        var writers: [Connection] = []
        // Released whatever happens: the services must never wait on a failed cut.
        defer { for writer in writers { try? writer.execute("ROLLBACK") } }
        for path in paths {
            let writer = try Connection(path: path, readOnly: false)
            sqlite3_busy_timeout(writer.db, milliseconds)
            try writer.execute("BEGIN IMMEDIATE")
            writers.append(writer)
        }
        var readers: [Connection] = []
        for path in paths {
            let reader = try Connection(path: path, readOnly: true)
            // The read transaction starts at its first read: now, while nothing can commit.
            try reader.execute("BEGIN; SELECT count(*) FROM sqlite_schema;")
            readers.append(reader)
        }
        self.readers = readers
    }

    deinit {
        for reader in readers { try? reader.execute("COMMIT") }
    }

    /// Where file `index`'s outbox stood at the cut.
    public func outboxPosition(_ index: Int) throws -> DatabaseFile.OutboxPosition {
        try DatabaseFile.position(readers[index])
    }

    /// File `index`'s schema version at the cut.
    public func schemaVersion(_ index: Int) throws -> Int {
        try DatabaseFile.schemaVersion(readers[index])
    }

    /// Copies file `index` as it was at the cut to `destination` (replaced), with SQLite's
    /// online backup; the copy stands alone, without a WAL. `pagesPerStep` bounds how long
    /// one step holds this process's locks.
    public func copy(_ index: Int, to destination: String, pagesPerStep: Int32 = 1024) throws(StorageError) {
        try readers[index].copyDatabase(to: destination, pagesPerStep: pagesPerStep)
    }
}
