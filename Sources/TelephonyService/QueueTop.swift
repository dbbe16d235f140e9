import Contracts
import Synchronization

/// T10: what a shard's queue looks like at its top, remembered until the shard's next
/// commit, so asking every shard for its best entry (each replica, on every operator's
/// next) costs a lookup instead of queries while nothing changed. Only ever a hint: a
/// claim re-checks the entry in its own transaction.
final class QueueTop: Sendable {
    struct Snapshot: Sendable {
        /// The best ready entry reserved for nobody (nil: none).
        let best: (seq: Int64, entry: QueueEntry)?
        /// Some ready entry is a callback reserved for one operator: ask the file.
        let reserved: Bool
        /// The earliest moment a waiting entry or a lease comes due.
        let nextDue: Int64
        let settingsVersion: Int64
        /// T10: each operator holding a lease, and its entry (one open lease per operator).
        let held: [Int64: Int64]
    }

    private let state = Mutex<(generation: UInt64, snapshot: Snapshot?, taken: UInt64)>((0, nil, 0))

    /// Every commit to the shard's file makes what was remembered stale.
    func committed() {
        state.withLock {
            $0.generation &+= 1
            $0.snapshot = nil
        }
    }

    var generation: UInt64 { state.withLock { $0.generation } }

    /// What is remembered, if still true at `now` under these settings.
    func snapshot(now: Int64, settingsVersion: Int64) -> Snapshot? {
        state.withLock { s in
            guard let snapshot = s.snapshot, snapshot.nextDue > now, snapshot.settingsVersion == settingsVersion else { return nil }
            return snapshot
        }
    }

    /// Remembers a snapshot read at `generation`; one read before a later commit is dropped.
    func remember(_ snapshot: Snapshot, readAt generation: UInt64) {
        state.withLock { s in
            if s.generation == generation { s.snapshot = snapshot }
        }
    }
}
