import Synchronization

/// Whether a shard still takes writes here, or was handed to another replica (T12).
final class ShardGate: Sendable {
    private let owner = Mutex<String?>(nil)

    var handedTo: String? { owner.withLock { $0 } }

    func close(handingTo replica: String) { owner.withLock { $0 = replica } }
}
