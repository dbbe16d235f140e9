import Foundation
import Storage
import Synchronization

/// Fires the service's durable timers ("do X at T", stored with `Transaction.setTimer`):
/// each in its own transaction that also removes it, so a timer's effect happens once,
/// and one due while the service was down fires right after the next start.
public final class TimerRunner: Sendable {
    /// The timer's effect, in the transaction that removes it.
    public typealias Handler = @Sendable (DurableTimer, Transaction) throws -> Void

    private let database: Database
    private let logger: Logger
    private let handlers = Mutex<[String: Handler]>([:])
    private let loop = BackgroundLoop()
    /// Longest sleep between looks, so a clock jump is noticed.
    private let maximumWait: Duration

    public init(database: Database, logger: Logger, maximumWait: Duration = .seconds(30)) {
        self.database = database
        self.logger = logger
        self.maximumWait = maximumWait
        database.onCommit { [loop] commit in if commit.changedTimers { loop.wake() } }
    }

    /// Handles timers of `kind`; register before `start`.
    public func on(_ kind: String, _ handler: @escaping Handler) {
        handlers.withLock { $0[kind] = handler }
    }

    public func start() {
        loop.start { [self] in await run() }
    }

    public func stop() async {
        await loop.stop()
    }

    private func run() async {
        while !Task.isCancelled {
            do {
                let due = try await database.dueTimers(now: Date(), limit: 100)
                for timer in due where !Task.isCancelled {
                    try await fire(timer)
                }
                if due.count == 100 { continue }
                let next = try await database.nextTimerDue()
                let wait = next.map { Duration.milliseconds(max(0, Int64($0.timeIntervalSinceNow * 1000)) + 1) } ?? maximumWait
                await loop.wait(upTo: min(wait, maximumWait))
            } catch {
                // A failing effect stays due and is tried again, after a pause.
                logger.error("timer failed; retrying in 1 s", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(1))
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private func fire(_ timer: DurableTimer) async throws {
        let handler = handlers.withLock { $0[timer.kind] }
        let logger = self.logger
        try await database.write { transaction in
            guard try transaction.takeTimer(timer) else { return }
            guard let handler else {
                logger.error("timer of an unknown kind dropped", ["kind": timer.kind, "key": timer.key])
                return
            }
            try handler(timer, transaction)
        }
    }
}
