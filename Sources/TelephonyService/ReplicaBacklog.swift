import ServiceKit
import Storage

/// The loop behind work the inbox leaves in this replica's own file (in the event's
/// transaction) for the shards it owns: woken by a commit that touches `topic`, it runs
/// `step` (one batch: apply, then forget what was applied) until a step says nothing more
/// waits, and tries again in 5 s after a failure, so nothing kept is ever lost.
final class ReplicaBacklog: Sendable {
    private let loop = BackgroundLoop()
    let logger: Logger
    /// What a failure's log line says could not be done.
    let failure: String
    /// One batch; true when a full batch was done (more may wait).
    let step: @Sendable () async throws -> Bool

    init(control: Database, topic: String, logger: Logger, failure: String, step: @escaping @Sendable () async throws -> Bool) {
        self.logger = logger
        self.failure = failure
        self.step = step
        control.onCommit { [loop] commit in if commit.topics.contains(topic) { loop.wake() } }
    }

    func start() {
        loop.start { [self] in
            while !Task.isCancelled {
                do {
                    if try await step() { continue }
                } catch {
                    logger.error(failure, ["error": "\(error)"])
                }
                await loop.wait(upTo: .seconds(5))
            }
        }
    }

    func stop() async { await loop.stop() }
}
