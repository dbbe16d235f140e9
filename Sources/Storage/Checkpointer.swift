import CSQLite
import Dispatch
import Synchronization

/// Keeps the WAL short without making writers wait.
///
/// SQLite's automatic checkpoint runs inside the committing writer and waits for the
/// disk (fsync): measured, it left the writer blocked a third of the time. Instead a
/// hook on the writer reports the WAL's size after each commit, and once it passes
/// `threshold` pages a separate connection runs a PASSIVE checkpoint on its own queue;
/// PASSIVE never blocks the writer or readers.
///
/// PASSIVE alone is not enough under steady reads: the WAL only starts over when no
/// reader still uses it, and with reads always in flight (RPC reads, the outbox relay)
/// that moment never comes. Measured: 900 MB of WAL after 8 s of stage changes. So
/// when the WAL has grown to four times the threshold, the writer runs a RESTART
/// between two batches (``restartIfWanted()``): it waits briefly for the readers of
/// the moment to finish so that the next commit starts the WAL from the top, and
/// `journal_size_limit` gives the space back.
final class Checkpointer: @unchecked Sendable {
    let threshold: Int32

    private let connection: Connection
    /// Held so the hook is removed before the writer can close.
    private let writer: Connection
    private let queue = DispatchQueue(label: "storage.checkpointer")
    private let running = Atomic<Bool>(false)
    private let restartWanted = Atomic<Bool>(false)
    private let target: UnsafeMutablePointer<csqlite_wal_hook_target>

    init(path: String, writer: Connection, threshold: Int32) throws(StorageError) {
        connection = try Connection(path: path, readOnly: false)
        self.writer = writer
        self.threshold = threshold
        try writer.execute("PRAGMA journal_size_limit = \(Int(threshold) * 4 * 4096)")
        target = .allocate(capacity: 1)
        target.initialize(to: csqlite_wal_hook_target(
            callback: { context, pages in
                Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue().walGrew(to: pages)
            },
            context: Unmanaged.passUnretained(self).toOpaque()))
        csqlite_set_wal_hook(writer.db, target)
    }

    deinit {
        csqlite_set_wal_hook(writer.db, nil)
        target.deallocate()
    }

    /// Called on the writer's queue between batches: restarts the WAL if it has grown
    /// past four times the threshold. Readers of the moment get 50 ms to finish; a
    /// RESTART that cannot have them gives up and is tried after a later batch.
    func restartIfWanted() {
        guard restartWanted.exchange(false, ordering: .acquiring) else { return }
        try? writer.execute("PRAGMA busy_timeout = 50")
        try? writer.execute("PRAGMA wal_checkpoint(RESTART)")
        try? writer.execute("PRAGMA busy_timeout = 5000")
    }

    /// Called on the writer's queue after each commit.
    private func walGrew(to pages: Int32) {
        guard pages >= threshold, !running.exchange(true, ordering: .acquiring) else { return }
        let restart = pages >= 4 * threshold
        queue.async { [self] in
            try? connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            // The bulk is copied without holding anyone up; the writer itself does the
            // RESTART between two batches, with only the last few frames left to copy.
            if restart { restartWanted.store(true, ordering: .releasing) }
            running.store(false, ordering: .releasing)
        }
    }
}
