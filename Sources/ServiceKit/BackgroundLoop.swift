import Synchronization

/// One long-running loop of a service (an outbox relay, the timer runner, a retry
/// queue): started once, woken early by `wake()`, stopped by cancelling and waking it
/// and waiting for the pass in progress to end.
public final class BackgroundLoop: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let signal = WakeSignal()

    public init() {}

    /// Runs `body` once in a task; a second start does nothing.
    public func start(_ body: @escaping @Sendable () async -> Void) {
        task.withLock { current in
            guard current == nil else { return }
            current = Task { await body() }
        }
    }

    /// Ends a `wait` in progress, or the next one.
    public func wake() { signal.signal() }

    /// Returns when woken or after `limit`.
    public func wait(upTo limit: Duration) async { await signal.wait(upTo: limit) }

    public func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        signal.signal()
        await running?.value
    }
}
