import Contracts
import Foundation
import ServiceKit
import Sockets
import Storage
import Wire

/// Delivers outbound webhooks: each due delivery POSTed with the Standard Webhooks headers
/// (its webhook-id the same on every attempt); a 2xx within 15 s is delivered, anything
/// else is tried again on Svix's schedule, then kept as dead. An endpoint that has failed
/// for 5 days without a success is disabled (`webhook.endpoint_disabled`, for an admin)
/// and its pending deliveries are dead; replays bring them back.
public final class WebhookDispatcher: BackgroundService {
    private let database: Database
    private let logger: Logger
    private let clock: WallClock
    private let loop = BackgroundLoop()
    private let client: ProviderClient
    static let concurrency = 64
    /// Where an admin is told of a disabled endpoint (a Telegram chat); nil: nobody.
    private let adminChat: String?

    public init(database: Database, logger: Logger, clock: WallClock, outbound: OutboundPolicy, adminChat: String? = nil) {
        self.adminChat = adminChat
        client = ProviderClient(maxConnectionsPerHost: 64, outbound: outbound)
        self.database = database
        self.logger = logger
        self.clock = clock
        database.onCommit { [loop] commit in if commit.topics.contains(EventIntake.deliveriesTopic) { loop.wake() } }
    }

    public func start() { loop.start { [self] in await run() } }
    public func stop() async { await loop.stop() }

    private func run() async {
        while !Task.isCancelled {
            let due: [(WebhookDelivery, String, String)]
            do {
                let now = clock.milliseconds
                due = try await database.read { c in
                    try c.query(
                        """
                        SELECT d.delivery, d.payload, s.secret, s.subscription FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
                        WHERE d.status = 1 AND d.next_at <= ? ORDER BY d.next_at LIMIT 512
                        """, [.integer(now)]) { row in
                        (try WebhookStore.delivery(row), row.string("secret"), try WebhookSubscription(wireBytes: row.blob("subscription")).url)
                    }
                }
            } catch {
                logger.error("cannot read due webhook deliveries", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(1))
                continue
            }
            var outcomes: [(WebhookDelivery, DeliveryAttempt)] = []
            await withTaskGroup(of: (WebhookDelivery, DeliveryAttempt).self) { group in
                var running = 0
                for (delivery, secret, url) in due {
                    if running == Self.concurrency, let done = await group.next() { outcomes.append(done); running -= 1 }
                    group.addTask { [self] in (delivery, await post(delivery, secret: secret, url: url)) }
                    running += 1
                }
                for await done in group { outcomes.append(done) }
            }
            if !outcomes.isEmpty {
                do {
                    try await record(outcomes)
                } catch {
                    logger.error("cannot record webhook deliveries", ["error": "\(error)"])
                }
            }
            // Less than a full batch: sleep until the next delivery is due (a new one wakes the loop).
            if due.count < 512 {
                let next = try? await database.read { c in try c.queryFirst("SELECT MIN(next_at) FROM deliveries WHERE status = 1", []) { $0.optionalInt64(0) } ?? nil }
                await loop.wait(upTo: clock.sleep(until: next ?? nil, now: clock.milliseconds))
            }
        }
    }

    func post(_ d: WebhookDelivery, secret: String, url: String) async -> DeliveryAttempt {
        let started = clock.milliseconds
        let body = Array(d.payload.utf8)
        let headers = [("Content-Type", "application/json"), ("User-Agent", "Switchboard-Webhooks/1")]
            + WebhookSignature.headers(secret: secret, id: d.messageID, timestamp: started / 1000, body: body)
        let clock0 = ContinuousClock.now
        let result = await client.post(url, headers: headers, body: body, timeout: .seconds(15))
        let elapsed = ContinuousClock.now - clock0
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        switch result {
        case let .success(answer): return DeliveryAttempt(atMilliseconds: started, responseStatus: Int64(answer.status), durationMilliseconds: ms)
        case let .failure(f): return DeliveryAttempt(atMilliseconds: started, responseStatus: 0, error: f.message, durationMilliseconds: ms)
        }
    }

    func record(_ outcomes: [(WebhookDelivery, DeliveryAttempt)]) async throws {
        let now = clock.milliseconds
        let adminChat = self.adminChat
        try await database.write { tx in
            var failingEndpoints: Set<Int64> = []
            var healthyEndpoints: Set<Int64> = []
            for (sent, attempt) in outcomes {
                guard var d = try tx.queryFirst("SELECT delivery, payload FROM deliveries WHERE id = ? AND status = 1", [.integer(sent.id)], WebhookStore.delivery) else { continue }
                d.attempts.append(attempt)
                if (200..<300).contains(attempt.responseStatus) {
                    d.status = .delivered
                    d.deliveredAtMilliseconds = now
                    d.nextAttemptAtMilliseconds = nil
                    healthyEndpoints.insert(d.subscriptionID)
                } else {
                    // The schedule counts every attempt: a replayed dead delivery gets one more.
                    if let delay = RetrySchedule.webhook(afterAttempt: d.attempts.count) {
                        d.nextAttemptAtMilliseconds = now + delay * 1000
                    } else {
                        d.status = .dead
                        d.nextAttemptAtMilliseconds = nil
                    }
                    failingEndpoints.insert(d.subscriptionID)
                }
                try WebhookStore.save(tx, d)
            }
            for id in healthyEndpoints.union(failingEndpoints) {
                guard var s = try WebhookStore.load(tx.connection, id) else { continue }
                if healthyEndpoints.contains(id) {
                    s.failingSinceMilliseconds = nil
                } else {
                    s.failingSinceMilliseconds = s.failingSinceMilliseconds ?? now
                    if !s.disabled, now - s.failingSinceMilliseconds! >= RetrySchedule.disableAfterMilliseconds {
                        s.disabled = true
                        s.disabledAtMilliseconds = now
                        for var d in try tx.query("SELECT delivery, payload FROM deliveries WHERE subscription_id = ? AND status = 1", [.integer(id)], WebhookStore.delivery) {
                            d.status = .dead
                            d.nextAttemptAtMilliseconds = nil
                            try WebhookStore.save(tx, d)
                        }
                        try tx.appendEvent(type: Notifications.Event.endpointDisabled, aggregateID: "subscription-\(id)", payload: s.wireBytes())
                        if let chat = adminChat, !chat.isEmpty {
                            try OutboundLog.notice(
                                tx, ruleID: -1_000_000_000 - id, eventID: "disabled-\(id)-\(now)", chat: chat,
                                text: "⚠️ Webhook endpoint \(id) (\(TemplateRenderer.escape(s.url, for: .telegram))) failed for 5 days and is disabled; enable it again with PUT /v1/webhook-subscriptions/\(id).",
                                why: "webhook endpoint \(id) disabled", at: now)
                        }
                    }
                }
                try tx.run("UPDATE subscriptions SET subscription = ? WHERE id = ?", [.blob(s.wireBytes()), .integer(id)])
            }
        }
    }
}
