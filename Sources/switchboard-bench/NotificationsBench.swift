import Contracts
import Foundation
import HTTP
import NotificationsService
import RPC
import Sockets
import Storage
import Synchronization
import Wire

/// `switchboard-bench notifications` (N1–N3), against the real executable (build -c release):
/// - notifications.render: one template (a name, an amount, a time) rendered for Telegram, in process;
/// - notifications.send: payment.paid events delivered to the service's inbox in batches of
///   100, each matching a rule that sends over the signed-webhook channel to a local fake
///   provider; sends per second until every one is logged as sent; `lost` = events without
///   a sent message, `doubled` = messages the provider got twice;
/// - notifications.webhook: deal.created events for one subscription whose receiver fails
///   10% of attempts (503, seeded); the business clock jumps past the 5 s retry; deliveries
///   per second until all are delivered; `lost` / `doubled` by webhook-id.
enum NotificationsBench {
    static let seed: UInt64 = 20_261_216

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        var results: [BenchResult] = []
        if options.wants("notifications.render") { results.append(render(options)) }
        if options.wants("notifications.send") { results.append(try await send(options, events: 5_000)) }
        if options.wants("notifications.webhook") { results.append(try await webhooks(options, events: 5_000)) }
        return results
    }

    static func render(_ options: BenchOptions) -> BenchResult {
        let template = try! TemplateRenderer(parsing: "Спасибо, <b>{{contact.first_name}}</b>! Получили {{payment.amount}} ({{payment.paid_at | time}}) на «{{payment.purpose}}».")
        let values: [String: TemplateValue] = [
            "contact.first_name": .text("Мария"), "payment.amount": .money(minor: 150_050, currency: "RUB"),
            "payment.paid_at": .time(milliseconds: 1_800_000_000_000), "payment.purpose": .text("Помощь приютам & <друзья>"),
        ]
        let zone = TimeZone(identifier: "Europe/Moscow")!
        var latencies: [UInt64] = []
        var total = 0
        let end = MonotonicInstant.now() + options.duration
        let started = MonotonicInstant.now()
        while MonotonicInstant.now() < end {
            let t0 = MonotonicInstant.now()
            for _ in 0..<100 { total &+= template.render(values, channel: .telegram, locale: "ru", zone: zone).utf8.count }
            latencies.append(UInt64(MonotonicInstant.now().nanoseconds - t0.nanoseconds) / 100)
        }
        let seconds = Double(MonotonicInstant.now().nanoseconds - started.nanoseconds) / 1e9
        return BenchResult(scenario: "notifications.render", calls: latencies.count * 100, seconds: seconds, latenciesNanoseconds: latencies, errors: total == 0 ? 1 : 0)
    }

    /// A local endpoint that records each request's webhook-id; `failEvery`: 1 in 10 attempts answered 503 (seeded).
    final class Receiver: Sendable {
        final class Log: Sendable { let ids = Mutex<[String: Int]>([:]); let count = Atomic<Int>(0) }
        let log = Log()
        let server: HTTPServer
        init(failing: Bool) throws {
            let log = self.log
            server = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0)) { request in
                let n = log.count.add(1, ordering: .relaxed).newValue
                var random = DialerBench.Seeded(state: seed &+ UInt64(n))
                if failing && random.next(10) == 0 { return HTTPResponse(status: 503, contentType: "text/plain", body: "busy") }
                let id = request.header("webhook-id") ?? ""
                log.ids.withLock { $0[id, default: 0] += 1 }
                return HTTPResponse(status: 200, contentType: "application/json", body: "{}")
            }
            try server.start()
        }
        var doubled: Int { log.ids.withLock { $0.values.filter { $0 > 1 }.count } }
        var distinct: Int { log.ids.withLock { $0.count } }
    }

    /// `clock`: a business-clock file, set a minute ahead (events' times are the real ones), for jumping past retries.
    static func start(_ folder: URL, clock: URL?) throws -> (BenchProcess, RPCClient) {
        var environment = [
            "NOTIFICATIONS_PORT": "0", "NOTIFICATIONS_ADMIN_PORT": "0", "NOTIFICATIONS_DATA_DIR": folder.path,
            "NOTIFICATIONS_CONTACTS": "127.0.0.1:1", "NOTIFICATIONS_DEALS": "127.0.0.1:1",
            "NOTIFICATIONS_OUTBOUND_ALLOW": "loopback",
        ]
        if let clock {
            try Data("\(Int64(Date().timeIntervalSince1970 * 1000) + 60_000)".utf8).write(to: clock)
            environment["NOTIFICATIONS_CLOCK_FILE"] = clock.path
        }
        let service = try BenchProcess("switchboard-notifications", environment)
        return (service, BenchPKI.client("notifications", port: service.port))
    }

    static func events(_ n: Int, type: String, payload: (Int) -> [UInt8]) -> [EventBatch] {
        stride(from: 0, to: n, by: 100).map { first in
            EventBatch(events: (first..<min(n, first + 100)).map { i in
                EventEnvelope(id: "bench-\(type)-\(i)", type: type, aggregateID: "a-\(i)", sequence: Int64(i + 1), occurredAtMilliseconds: Int64(Date().timeIntervalSince1970 * 1000), source: "bench", payload: payload(i))
            })
        }
    }

    static func send(_ options: BenchOptions, events n: Int) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("notifications-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let receiver = try Receiver(failing: false)
        let (service, client) = try start(folder, clock: nil)
        defer { client.shutdown(); service.stop() }
        _ = try await client.call(Notifications.putChannel, ChannelSettings(channel: .webhook, provider: "webhook", baseURL: "http://127.0.0.1:\(receiver.server.port)", token: WebhookSignature.newSecret()))
        let template = try await client.call(Notifications.createTemplate, MessageTemplate(name: "Thanks", channel: .webhook, eventType: Billing.Event.paymentPaid, body: "Thanks for {{payment.amount}} ({{payment.purpose}})"))
        _ = try await client.call(Notifications.createRule, NotificationRule(name: "Thanks", eventType: Billing.Event.paymentPaid, templateID: template.id, recipient: .address, address: "http://127.0.0.1:\(receiver.server.port)/provider", enabled: true))
        let batches = events(n, type: Billing.Event.paymentPaid) { i in
            Payment(id: Int64(i + 1), provider: .leyka, providerPaymentID: "\(i)", status: .paid, amountMinor: 50_000 + Int64(i), currency: "RUB", purpose: "Помощь приютам").wireBytes()
        }
        let started = MonotonicInstant.now()
        var latencies: [UInt64] = []
        for batch in batches {
            let t0 = MonotonicInstant.now()
            _ = try await client.call(Events.deliver, batch, options: CallOptions(timeout: .seconds(30)))
            latencies.append(UInt64(MonotonicInstant.now().nanoseconds - t0.nanoseconds) / UInt64(batch.events.count))
        }
        let limit = MonotonicInstant.now() + .seconds(300)
        var shown = MonotonicInstant.now()
        while receiver.distinct < n && MonotonicInstant.now() < limit {
            try await Task.sleep(for: .milliseconds(20))
            if MonotonicInstant.now() > shown + .seconds(5) {
                shown = MonotonicInstant.now()
                FileHandle.standardError.write(Data("notifications.send: \(receiver.distinct) of \(n) received (\(receiver.log.count.load(ordering: .relaxed)) requests)\n".utf8))
            }
        }
        let seconds = Double(MonotonicInstant.now().nanoseconds - started.nanoseconds) / 1e9
        service.stop()
        let database = try Database(path: folder.appendingPathComponent("notifications.sqlite").path, migrations: NotificationsSchema.migrations)
        let sent = try await database.read { c in try c.queryFirst("SELECT count(*) FROM sends WHERE status = 2", []) { $0.int(0) } ?? 0 }
        try await database.close()
        var result = BenchResult(scenario: "notifications.send", calls: sent, seconds: seconds, latenciesNanoseconds: latencies, errors: 0)
        result.figures = [("sent", sent), ("lost", n - min(n, receiver.distinct)), ("doubled", receiver.doubled)]
        return result
    }

    static func webhooks(_ options: BenchOptions, events n: Int) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("webhooks-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let receiver = try Receiver(failing: true)
        let clock = folder.appendingPathComponent("now")
        let (service, client) = try start(folder, clock: clock)
        defer { client.shutdown(); service.stop() }
        _ = try await client.call(Notifications.createSubscription, WebhookSubscription(url: "http://127.0.0.1:\(receiver.server.port)/hooks", eventTypes: [Deals.Event.created]))
        let batches = events(n, type: Deals.Event.created) { i in
            DealStageChanged(deal: Deal(id: Int64(i + 1), title: "Deal \(i)", contactID: Int64(i + 1), pipelineID: 1, stageID: 1, status: .open, amountMinor: 100_000, currency: "RUB")).wireBytes()
        }
        let started = MonotonicInstant.now()
        for batch in batches { _ = try await client.call(Events.deliver, batch, options: CallOptions(timeout: .seconds(30))) }
        // The first attempts, then the business clock past the 5 s retry (and the next, 5 min).
        let limit = MonotonicInstant.now() + .seconds(300)
        var jumped: Int64 = 60_000
        while receiver.distinct < n && MonotonicInstant.now() < limit {
            try await Task.sleep(for: .milliseconds(50))
            if receiver.log.count.load(ordering: .relaxed) >= n {
                jumped += 400_000
                try Data("\(Int64(Date().timeIntervalSince1970 * 1000) + jumped)".utf8).write(to: clock, options: .atomic)
            }
        }
        let seconds = Double(MonotonicInstant.now().nanoseconds - started.nanoseconds) / 1e9
        var result = BenchResult(scenario: "notifications.webhook", calls: receiver.distinct, seconds: seconds, latenciesNanoseconds: [], errors: 0)
        result.figures = [("attempts", receiver.log.count.load(ordering: .relaxed)), ("lost", n - receiver.distinct), ("doubled", receiver.doubled)]
        return result
    }
}
