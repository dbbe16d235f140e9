import CSQLite
import Dispatch
import FoundationEssentials
import Synchronization

/// A service's SQLite database: one writer connection and a few readers, WAL mode,
/// migrations applied at open (``SchemaMigrator``). The outbox, inbox and timer tables
/// are read through `Database+Outbox.swift` and `Database+Timers.swift`.
///
/// Every call blocks only its own dispatch queue, never Swift's cooperative pool.
/// Writes that arrive while the writer is busy are committed together (group commit):
/// each runs in its own savepoint, so one failing write rolls back alone, and every
/// caller hears back only after the shared COMMIT.
public final class Database: Sendable {
    public struct Configuration: Sendable {
        /// Read connections, each on its own queue. More than the cores only adds thread
        /// switches (measured: 1 reader on 2 cores serves 50% more reads than 4).
        public var readers = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        /// Most writes committed in one transaction.
        public var maxBatch = 256
        /// WAL pages after which a checkpoint runs (see ``Checkpointer``).
        public var checkpointPages: Int32 = 1000
        /// Page cache per connection, in KiB (nil: SQLite's 2 MiB). A service that keeps
        /// many files (telephony's shards) keeps its memory down with a small one.
        public var cacheKibibytes: Int? = nil
        /// The service's clock (P1): what events are stamped with when their writer names
        /// no time, so one service records one time whatever the system's is.
        public var now: @Sendable () -> Date = { Date() }
        /// C8: what is deleted or overwritten is zeroed in the file (`PRAGMA secure_delete`).
        /// Off only for a benchmark that measures what it costs.
        public var secureDelete = true

        public init() {}
    }

    /// A connection and the queue it is confined to.
    private final class Worker: @unchecked Sendable {
        let connection: Connection
        let queue: DispatchQueue

        init(_ connection: Connection, label: String) {
            self.connection = connection
            self.queue = DispatchQueue(label: label)
        }
    }

    private final class WriteJob: @unchecked Sendable {
        let perform: (Transaction) -> Void
        let complete: (StorageError?) -> Void

        init(perform: @escaping (Transaction) -> Void, complete: @escaping (StorageError?) -> Void) {
            self.perform = perform
            self.complete = complete
        }
    }

    private struct Queue {
        var jobs: [WriteJob] = []
        var draining = false
        var closed = false
    }

    public let path: String
    private let writer: Worker
    private let checkpointer: Checkpointer
    private let readers: [Worker]
    private let nextReader = Atomic<Int>(0)
    private let pending = Mutex(Queue())
    private let configuration: Configuration
    private let commitObservers = Mutex<[@Sendable (CommitSummary) -> Void]>([])

    /// Opens (creating if needed) the database at `path` and applies `migrations`.
    public init(path: String, migrations: [Migration], configuration: Configuration = Configuration()) throws(StorageError) {
        _ = Self.globalSetUp
        self.path = path
        self.configuration = configuration
        let writeConnection = try Connection(path: path, readOnly: false)
        let mode: String?
        do {
            mode = try writeConnection.queryFirst("PRAGMA journal_mode = WAL") { $0.string(0) }
        } catch {
            throw StorageError(.other, "\(path): cannot set WAL mode: \(error)")
        }
        guard mode?.lowercased() == "wal" else {
            throw StorageError(.other, "\(path): SQLite would not switch to WAL mode (journal_mode is \(mode ?? "unknown"))")
        }
        if let kib = configuration.cacheKibibytes { try writeConnection.execute("PRAGMA cache_size = -\(kib)") }
        // C8: what is deleted or overwritten (an erased person, a pruned event, an expired
        // send log) is zeroed in the file, not left in free space for anyone reading it.
        try writeConnection.execute("PRAGMA secure_delete = \(configuration.secureDelete ? "ON" : "OFF")")
        try SchemaMigrator.bootstrap(writeConnection)
        try SchemaMigrator.migrate(writeConnection, migrations, path: path)
        writer = Worker(writeConnection, label: "storage.writer")
        checkpointer = try Checkpointer(path: path, writer: writeConnection, threshold: configuration.checkpointPages)
        var readers: [Worker] = []
        for i in 0..<max(1, configuration.readers) {
            let reader = try Connection(path: path, readOnly: true)
            if let kib = configuration.cacheKibibytes { try reader.execute("PRAGMA cache_size = -\(kib)") }
            readers.append(Worker(reader, label: "storage.reader.\(i)"))
        }
        self.readers = readers
    }

    /// Process-wide SQLite settings, applied once before the first open.
    private static let globalSetUp: Void = {
        _ = csqlite_configure_process()
    }()

    // MARK: Writing

    /// The `traceparent` of the work the current task does (P5): the events its writes
    /// publish carry it, so a subscriber's handling joins the same trace.
    @TaskLocal public static var trace: String = ""

    /// Runs `step` in one write transaction after another until it handles fewer than
    /// `batch` rows (it is given the batch size, and says how many it handled): a rewrite of
    /// many rows (a retention pass) never holds the writer long. Returns the rows in all.
    @discardableResult
    public func writeInBatches(of batch: Int, _ step: @escaping @Sendable (Transaction, Int) throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let handled = try await write { try step($0, batch) }
            total += handled
            if handled < batch { return total }
        }
    }

    /// Runs `body` in a write transaction and returns its result once committed.
    /// A thrown error rolls back `body`'s changes (and its events) only.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        // Read here, in the caller's task: the body runs on the writer's thread.
        let trace = Self.trace
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = Mutex<Result<T, any Error>?>(nil)
            let job = WriteJob(
                perform: { transaction in
                    transaction.trace = trace
                    let result: Result<T, any Error>
                    do {
                        try transaction.connection.run("SAVEPOINT write")
                        do {
                            result = .success(try body(transaction))
                            try transaction.connection.run("RELEASE write")
                        } catch {
                            try transaction.connection.run("ROLLBACK TO write")
                            try transaction.connection.run("RELEASE write")
                            throw error
                        }
                    } catch {
                        outcome.withLock { $0 = .failure(error) }
                        return
                    }
                    outcome.withLock { $0 = result }
                },
                complete: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else {
                        continuation.resume(with: outcome.withLock { $0 } ?? .failure(StorageError(.other, "write did not run")))
                    }
                })
            enqueue(job)
        }
    }

    private func enqueue(_ job: WriteJob) {
        let (start, closed) = pending.withLock { q -> (Bool, Bool) in
            if q.closed { return (false, true) }
            q.jobs.append(job)
            if q.draining { return (false, false) }
            q.draining = true
            return (true, false)
        }
        if closed {
            job.complete(StorageError(.busy, "\(path) is closed"))
            return
        }
        if start { writer.queue.async { [self] in drain() } }
    }

    /// Runs on the writer queue: commits batches until no writes wait.
    private func drain() {
        while true {
            let batch = pending.withLock { q -> [WriteJob] in
                let n = min(q.jobs.count, configuration.maxBatch)
                let batch = Array(q.jobs.prefix(n))
                q.jobs.removeFirst(n)
                if batch.isEmpty { q.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let connection = writer.connection
            let transaction = Transaction(connection: connection, now: configuration.now)
            var failure: StorageError?
            do {
                try connection.run("BEGIN IMMEDIATE")
                for job in batch { job.perform(transaction) }
                try connection.run("COMMIT")
            } catch {
                failure = error
                try? connection.execute("ROLLBACK")
            }
            // Observers first: a caller told "committed" must never find a cache the commit
            // made stale still standing (T10's remembered queue top answered an operator's
            // next with the lease their own outcome had just closed).
            if failure == nil {
                let summary = transaction.touched.summary
                for observer in commitObservers.withLock({ $0 }) { observer(summary) }
            }
            for job in batch { job.complete(failure) }
            checkpointer.restartIfWanted()
        }
    }

    // MARK: Reading

    /// Runs `body` on a read-only connection inside one snapshot.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let worker = readers[nextReader.wrappingAdd(1, ordering: .relaxed).oldValue % readers.count]
        return try await withCheckedThrowingContinuation { continuation in
            worker.queue.async {
                let connection = worker.connection
                do {
                    try connection.run("BEGIN")
                    defer { try? connection.execute("COMMIT") }
                    continuation.resume(returning: try body(connection))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    // MARK: Maintenance

    /// Copies the WAL into the main file and truncates it, e.g. before exit. (While the
    /// service runs, the ``Checkpointer`` keeps the WAL short without blocking writes.)
    public func checkpoint() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writer.queue.async { [writer] in
                do {
                    try writer.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Refuses new writes, waits for queued ones to commit, then checkpoints.
    public func close() async throws {
        pending.withLock { $0.closed = true }
        // The writer queue is serial: once this runs, every earlier drain has finished.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            writer.queue.async { continuation.resume() }
        }
        while pending.withLock({ $0.draining }) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                writer.queue.async { continuation.resume() }
            }
        }
        try await checkpoint()
    }

    /// Calls `observer` on the writer's queue after every commit with what it touched,
    /// before the writes in it return (the relay and the timer runner wake on it instead
    /// of polling fast; caches drop what the commit made stale).
    public func onCommit(_ observer: @escaping @Sendable (CommitSummary) -> Void) {
        commitObservers.withLock { $0.append(observer) }
    }

}
