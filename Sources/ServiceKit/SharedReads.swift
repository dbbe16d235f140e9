import Synchronization

/// One round's reads of the same thing, shared: the first read of a key asks, every later
/// one (even while the first is still in flight) takes its answer or its error. Made per
/// round of work (a batch of sends), so nothing read is older than the round.
public final class SharedReads<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let reads = Mutex<[Key: Task<Value, any Error>]>([:])

    public init() {}

    public func value(_ key: Key, _ read: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = reads.withLock { reads in
            if let running = reads[key] { return running }
            let started = Task { try await read() }
            reads[key] = started
            return started
        }
        return try await task.value
    }
}
