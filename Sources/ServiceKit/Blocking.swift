import Dispatch
import Synchronization

/// Runs async work to its end from synchronous code: a service's setUp, which runs
/// before the host starts serving (loading state, fetching a shard), and so may wait.
/// Never call it from a task (it would hold a thread of the cooperative pool).
public func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<Result<T, any Error>?>(nil)
    Task.detached {
        do {
            let value = try await work()
            result.withLock { $0 = .success(value) }
        } catch {
            result.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}
