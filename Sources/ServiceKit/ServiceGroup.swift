import FoundationEssentials
import Glibc
import Synchronization

/// A long-running part of a service (an outbox relay, the timer runner, the lead
/// intake queue): started once, stopped and awaited at shutdown.
public protocol BackgroundService: AnyObject, Sendable {
    func start()
    /// Returns when the work in progress has ended; what is not done waits for the next start.
    func stop() async
}

/// The background services a host runs, after swift-service-lifecycle's ServiceGroup:
/// started in the order added, stopped in reverse (what produces work stops before what
/// delivers it), each awaited, all within the shutdown's grace period.
public final class ServiceGroup: Sendable {
    private let members = Mutex<[(name: String, service: any BackgroundService)]>([])
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func add(_ name: String, _ service: any BackgroundService) {
        members.withLock { $0.append((name, service)) }
    }

    var all: [(name: String, service: any BackgroundService)] { members.withLock { $0 } }

    public func startAll() {
        for member in members.withLock({ $0 }) { member.service.start() }
    }

    /// Stops every member, last started first. One that does not stop by `deadline` is
    /// logged and left (the process exits anyway); the rest still get their stop, at
    /// least 100 ms each.
    public func stopAll(by deadline: ContinuousClock.Instant) async {
        var stopped: [String] = []
        for member in members.withLock({ $0 }).reversed() {
            let service = member.service
            // Past the deadline (one before it hung), each still gets a moment to stop.
            if await Self.race(max(deadline, .now + .milliseconds(100)), { await service.stop() }) {
                stopped.append(member.name)
            } else {
                logger.warn("did not stop within the grace period", ["part": member.name])
            }
        }
        logger.info("background work stopped", ["parts": stopped.joined(separator: ", ")])
    }

    /// Whether `work` ended before `deadline`. Unstructured on purpose: a stop that hangs
    /// must not hold the shutdown (a task group would wait for it).
    static func race(_ deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let answered = OnceFlag()
        return await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
            let timer = Task {
                // Cancelled means the work ended (and answered) first.
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                if answered.setOnce() { waiter.resume(returning: false) }
            }
            Task {
                await work()
                if answered.setOnce() { waiter.resume(returning: true) }
                timer.cancel()
            }
        }
    }
}
