import Contracts
import Foundation
import RPC
import Storage
import Synchronization
import Wire

/// Delivers this service's outbox to one subscriber (P2): at least once, in commit
/// order (so in order per aggregate), one batch at a time. While the subscriber is down
/// or refuses, the same batch is retried with jittered backoff for as long as it takes;
/// the position is stored only after the subscriber's OK, so a restart resends the
/// unacknowledged batch and the subscriber's inbox drops what it already has.
public final class OutboxRelay: Sendable {
    public struct Configuration: Sendable {
        public var batchSize = 256
        /// How long one delivery may take before it counts as failed.
        public var callTimeout: Duration = .seconds(10)
        /// Without a commit to wake it, the relay still looks this often.
        public var idleWait: Duration = .seconds(1)
        public var backoff = ConnectionBackoff(initial: .milliseconds(100), maximum: .seconds(30))
        public init() {}
    }

    public let subscription: Subscription
    private let database: Database
    private let client: RPCClient
    private let source: String
    private let logger: Logger
    private let configuration: Configuration
    private let loop = BackgroundLoop()
    /// Events acknowledged by the subscriber since start (for metrics and tests).
    public let delivered = Atomic<Int>(0)

    public init(
        database: Database, subscription: Subscription, source: String, logger: Logger,
        configuration: Configuration = Configuration()
    ) {
        self.database = database
        self.subscription = subscription
        self.source = source
        self.logger = logger
        self.configuration = configuration
        var clientConfiguration = RPCClient.Configuration()
        clientConfiguration.caller = source
        clientConfiguration.retry = .none  // the relay's own loop retries, with its backoff
        clientConfiguration.backoff = ConnectionBackoff(initial: .milliseconds(100), maximum: .seconds(5))
        client = RPCClient(endpoint: subscription.endpoint, configuration: clientConfiguration)
        database.onCommit { [loop] commit in if commit.appendedEvents { loop.wake() } }
    }

    public func start() {
        loop.start { [self] in await run() }
    }

    /// Stops after the delivery in progress; what was not acknowledged goes next start.
    public func stop() async {
        await loop.stop()
        client.shutdown()
    }

    private func run() async {
        var position: Int64
        do {
            position = try await database.deliveredThrough(subscriber: subscription.subscriber)
        } catch {
            logger.error("relay cannot read its position", ["subscriber": subscription.subscriber, "error": "\(error)"])
            return
        }
        var backoff = configuration.backoff
        var failing = false
        while !Task.isCancelled {
            let page: OutboxPage
            do {
                page = try await database.events(after: position, types: subscription.types, limit: configuration.batchSize)
            } catch {
                logger.error("relay cannot read the outbox", ["subscriber": subscription.subscriber, "error": "\(error)"])
                await loop.wait(upTo: backoff.next())
                continue
            }
            guard let last = page.events.last else {
                position = page.scannedThrough
                await loop.wait(upTo: configuration.idleWait)
                continue
            }
            let batch = EventBatch(events: page.events.map { event in
                EventEnvelope(
                    id: event.eventID, type: event.type, aggregateID: event.aggregateID, sequence: event.sequence,
                    occurredAtMilliseconds: event.createdAtMilliseconds, source: source, payload: event.payload)
            })
            do {
                _ = try await client.call(Events.deliver, batch, options: CallOptions(timeout: configuration.callTimeout))
                try await database.markDelivered(subscriber: subscription.subscriber, through: last.sequence)
                position = last.sequence
                delivered.add(batch.events.count, ordering: .relaxed)
                if failing {
                    logger.info("relay delivering again", ["subscriber": subscription.subscriber])
                    failing = false
                }
                backoff.reset()
            } catch {
                let delay = backoff.next()
                // One line when a streak starts, not one per attempt: a subscriber down for
                // an hour must not flood the log.
                if !failing {
                    logger.warn("relay delivery failed; retrying with backoff", [
                        "subscriber": subscription.subscriber, "endpoint": subscription.endpoint.description,
                        "first_event": batch.events[0].id, "error": "\(error)",
                    ])
                    failing = true
                }
                try? await Task.sleep(for: delay)
            }
        }
    }
}
