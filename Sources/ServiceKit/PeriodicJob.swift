/// Work done now and then every `interval` (pruning old events, expired answers), as a
/// ``BackgroundService``: a failed pass is logged and the next one comes on time.
public final class PeriodicJob: BackgroundService {
    private let name: String
    private let interval: Duration
    private let logger: Logger
    private let work: @Sendable () async throws -> Void
    private let loop = BackgroundLoop()

    public init(_ name: String, every interval: Duration, logger: Logger, _ work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    public func start() {
        loop.start { [self] in
            while !Task.isCancelled {
                do {
                    try await work()
                } catch {
                    logger.error("\(name) failed", ["error": "\(error)"])
                }
                await loop.wait(upTo: interval)
            }
        }
    }

    public func stop() async {
        await loop.stop()
    }
}
