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
final class Checkpointer: @unchecked Sendable {
    static let threshold: Int32 = 1000

    private let connection: Connection
    /// Held so the hook is removed before the writer can close.
    private let writer: Connection
    private let queue = DispatchQueue(label: "storage.checkpointer")
    private let running = Atomic<Bool>(false)
    private let target: UnsafeMutablePointer<csqlite_wal_hook_target>

    init(path: String, writer: Connection) throws(StorageError) {
        connection = try Connection(path: path, readOnly: false)
        self.writer = writer
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

    /// Called on the writer's queue after each commit.
    private func walGrew(to pages: Int32) {
        guard pages >= Self.threshold, !running.exchange(true, ordering: .acquiring) else { return }
        queue.async { [self] in
            try? connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            running.store(false, ordering: .releasing)
        }
    }
}
