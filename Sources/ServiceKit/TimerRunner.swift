import FoundationEssentials
import Glibc
import Storage
import Synchronization

/// Fires the service's durable timers ("do X at T", stored with `Transaction.setTimer`):
/// each in its own transaction that also removes it, so a timer's effect happens once,
/// and one due while the service was down fires right after the next start.
///
/// A timer whose effect fails is put back with backoff (`retryDelay`) and, after
/// `maxAttempts` failures, parked: kept with its last error, never fired again until it
/// is set anew. One failing timer never delays the others.
public final class TimerRunner: BackgroundService {
    /// The timer's effect, in the transaction that removes it.
    public typealias Handler = @Sendable (DurableTimer, Transaction) throws -> Void

    public struct Configuration: Sendable {
        /// Longest sleep between looks, so a clock jump is noticed.
        public var maximumWait: Duration = .seconds(30)
        public var maxAttempts = 10
        /// Seconds before attempt n + 1 after n failures: 2, 4, 8 ... up to an hour.
        public var retryDelay: @Sendable (Int) -> TimeInterval = { n in min(3600, pow(2, Double(min(n, 12)))) }
        public init() {}
    }

    private let database: Database
    private let logger: Logger
    private let clock: WallClock
    private let configuration: Configuration
    private let handlers = Mutex<[String: Handler]>([:])
    private let loop = BackgroundLoop()

    public init(database: Database, logger: Logger, clock: WallClock = .system, configuration: Configuration = Configuration()) {
        self.database = database
        self.logger = logger
        self.clock = clock
        self.configuration = configuration
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

    /// The handler's own failure, told apart from the database's.
    private struct EffectFailed: Error {
        let underlying: any Error
    }

    private func run() async {
        while !Task.isCancelled {
            do {
                let due = try await database.dueTimers(now: clock.now(), limit: 100)
                for timer in due where !Task.isCancelled {
                    do {
                        try await fire(timer)
                    } catch let failure as EffectFailed {
                        try await failed(timer, failure.underlying)
                    }
                }
                if due.count == 100 { continue }
                let next = try await database.nextTimerDue()
                let wait = next.map { Duration.milliseconds(max(0, Int64($0.timeIntervalSince(clock.now()) * 1000)) + 1) } ?? configuration.maximumWait
                await loop.wait(upTo: min(wait, configuration.maximumWait))
            } catch {
                // The database itself failed (busy, disk): every timer stays due; look again shortly.
                logger.error("timers cannot be read or stored; retrying in 1 s", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(1))
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
            do {
                try handler(timer, transaction)
            } catch {
                throw EffectFailed(underlying: error)
            }
        }
    }

    private func failed(_ timer: DurableTimer, _ error: any Error) async throws {
        let parked = try await database.timerFailed(
            timer, error: "\(error)", now: clock.now(), retryAfter: configuration.retryDelay, maxAttempts: configuration.maxAttempts)
        let fields = ["kind": timer.kind, "key": timer.key, "error": "\(error)"]
        if parked {
            logger.error("timer parked after \(configuration.maxAttempts) failed attempts; set it again to retry", fields)
        } else {
            logger.warn("timer failed; retrying with backoff", fields)
        }
    }
}
