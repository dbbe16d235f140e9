import Contracts
import Foundation
import ServiceKit
import Storage
import Wire

/// N5: alerts an admin sets, the events their metrics count, and the pass that checks them
/// all on the business clock — each message queued as a send to the alert's Telegram chat,
/// so it is logged and retried like any other.
public struct AlertStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// The events metrics count: recorded with the event, in its transaction.
    static let counted: Set<String> = [Telephony.Event.missed, Deals.Event.leadLowQuality, Billing.Event.paymentFailed, "lead.opened"]

    static func count(_ tx: Transaction, type: String, eventID: String, at: Int64) throws {
        try tx.run("INSERT OR IGNORE INTO metric_events (type, at, event_id) VALUES (?, ?, ?)", [.text(type), .integer(at), .text(eventID)])
    }

    public func create(_ input: Alert) async throws -> Alert {
        try Self.check(input)
        return try await database.write { tx in
            var a = Self.defaults(input)
            a.state = .inactive
            return try Self.table.insert(tx, a)
        }
    }

    public func update(_ input: Alert) async throws -> Alert {
        try Self.check(input)
        return try await database.write { tx in
            guard let old = try Self.load(tx.connection, input.id) else { throw RPCError.notFound("alert \(input.id) does not exist") }
            var a = Self.defaults(input)
            (a.state, a.sinceMilliseconds, a.lastNotifiedAtMilliseconds, a.lastValue) = (old.state, old.sinceMilliseconds, old.lastNotifiedAtMilliseconds, old.lastValue)
            try Self.table.update(tx, a)
            return a
        }
    }

    public func list() async throws -> AlertList {
        try await database.read { c in AlertList(alerts: try Self.table.list(c)) }
    }

    /// Alerts are kept whole (Sources/README.md, "Storage").
    static let table = MessageTable<Alert>("alerts", body: "alert", id: \.id, setID: { $0.id = $1 })

    static func load(_ c: Connection, _ id: Int64) throws -> Alert? {
        try table.find(c, id: id)
    }

    static func check(_ a: Alert) throws(RPCError) {
        guard a.metric != .unspecified else { throw RPCError.invalidArgument("name the metric", details: [FieldViolation(field: "metric", description: "is missing")]) }
        // N5: alerts go to the owner's Telegram chat: a chat id or @username, nothing else.
        if let problem = RecipientAddress.problem(a.chatID, channel: .telegram) {
            throw RPCError.invalidArgument("the alert's chat is not valid", details: [FieldViolation(field: "chatId", description: problem)])
        }
    }

    static func defaults(_ a: Alert) -> Alert {
        var out = a
        if out.windowMinutes == 0 { out.windowMinutes = 60 }
        if out.repeatMinutes == 0 { out.repeatMinutes = 240 }
        return out
    }

    /// Metrics other services' figures give (``ServiceStatistics``), not events counted here.
    public static let readFromServices: Set<AlertMetric> = [.dialingQueue, .stuckPayments]

    /// The metrics the enabled alerts watch.
    public func metricsInUse() async throws -> Set<AlertMetric> {
        try await database.read { c in
            Set(try Self.table.list(c).filter { !$0.disabled }.map(\.metric))
        }
    }

    /// The metric's value now; nil when it is read from a service that did not answer.
    static func value(_ c: Connection, _ a: Alert, now: Int64, readings: [AlertMetric: Int64]) throws -> Int64? {
        if readFromServices.contains(a.metric) { return readings[a.metric] }
        return try value(c, a, now: now)
    }

    /// The metric's value now, from the events counted here.
    static func value(_ c: Connection, _ a: Alert, now: Int64) throws -> Int64 {
        let from = now - a.windowMinutes * 60_000
        func count(_ type: String) throws -> Int64 {
            try c.queryFirst("SELECT count(*) FROM metric_events WHERE type = ? AND at > ? AND at <= ?", [.text(type), .integer(from), .integer(now)]) { $0.int64(0) } ?? 0
        }
        switch a.metric {
        case .missedCalls: return try count(Telephony.Event.missed)
        case .lowQualityLeads: return try count(Deals.Event.leadLowQuality)
        case .failedPayments: return try count(Billing.Event.paymentFailed)
        case .lowQualityShare:
            let low = try count(Deals.Event.leadLowQuality), opened = try count("lead.opened")
            return low + opened == 0 ? 0 : low * 100 / (low + opened)
        case .dialingQueue, .stuckPayments, .unspecified: return 0
        }
    }

    /// One pass over every alert; what it queues, the sender sends. Reads first and
    /// writes only what changed (an alert's state, a message), so an idle service with
    /// alerts set does not write every pass; `prune` also drops metric events older than
    /// the longest window anyone may set (7 days).
    /// `readings`: the metrics read from other services for this pass (an alert on one
    /// missing from it keeps its state).
    public func check(prune: Bool = false, readings: [AlertMetric: Int64] = [:]) async throws {
        let now = clock.milliseconds
        let steps = try await database.read { c in
            try Self.table.list(c).filter { !$0.disabled }.compactMap { alert -> (before: Alert, next: Alert, message: AlertEvaluator.Message?)? in
                guard let value = try Self.value(c, alert, now: now, readings: readings) else { return nil }
                let (next, message) = AlertEvaluator.step(alert, value: value, now: now)
                return (before: alert, next: next, message: message)
            }.filter { $0.next != $0.before || $0.message != nil }
        }
        guard !steps.isEmpty || prune else { return }
        try await database.write { tx in
            for step in steps {
                // Changed by an admin since the read: the next pass looks again.
                guard try Self.load(tx.connection, step.before.id) == step.before else { continue }
                try Self.table.update(tx, step.next)
                if let message = step.message { try OutboundLog.alert(tx, step.next, text: AlertEvaluator.text(step.next, message), at: now) }
            }
            if prune { try tx.run("DELETE FROM metric_events WHERE at < ?", [.integer(now - 7 * 86_400_000)]) }
        }
    }
}

/// Checks the alerts every `interval` of the business clock's time.
public final class AlertRunner: BackgroundService {
    private let store: AlertStore
    private let logger: Logger
    private let loop = BackgroundLoop()
    private let interval: Int64
    private let clock: WallClock

    private let statistics: ServiceStatistics

    public init(store: AlertStore, statistics: ServiceStatistics = ServiceStatistics(telephony: [], billing: nil), logger: Logger, clock: WallClock, intervalSeconds: Int64 = 15) {
        self.store = store
        self.statistics = statistics
        self.logger = logger
        self.clock = clock
        self.interval = intervalSeconds * 1000
    }

    public func start() {
        loop.start { [self] in
            var last: Int64 = 0, pruned: Int64 = 0
            while !Task.isCancelled {
                let now = clock.milliseconds
                if now - last >= interval {
                    last = now
                    let prune = now - pruned >= 3_600_000
                    if prune { pruned = now }
                    do {
                        let wanted = try await store.metricsInUse().intersection(AlertStore.readFromServices)
                        let readings = wanted.isEmpty ? [:] : await statistics.read(wanted)
                        for metric in wanted where readings[metric] == nil {
                            logger.warn("an alert's metric could not be read; its alerts keep their state", ["metric": metric.name])
                        }
                        try await store.check(prune: prune, readings: readings)
                    } catch {
                        logger.error("cannot check alerts", ["error": "\(error)"])
                    }
                }
                await loop.wait(upTo: clock.sleep(until: last + interval, now: clock.milliseconds))
            }
        }
    }

    public func stop() async { await loop.stop() }
}
