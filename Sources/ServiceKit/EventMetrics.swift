/// The relays' figures in Prometheus' text format (P2): per subscription, what waits
/// (count and age of the oldest), what is parked, and deliveries by outcome, so a
/// stalled or refusing subscriber shows on a dashboard rather than in one log line.
enum EventMetrics {
    static func render(service: String, relays: [OutboxRelay], now: Int64) -> String {
        guard !relays.isEmpty else { return "" }
        let figures = relays.map { ($0.subscription.subscriber, $0.progress) }
        func labels(_ subscriber: String) -> String { "service=\"\(service)\",subscriber=\"\(subscriber)\"" }
        var out = "# HELP switchboard_events_pending Events committed and not yet delivered to the subscriber.\n# TYPE switchboard_events_pending gauge\n"
        for (subscriber, p) in figures { out += "switchboard_events_pending{\(labels(subscriber))} \(p.pending)\n" }
        out += "# HELP switchboard_events_oldest_pending_seconds Age of the oldest event waiting for the subscriber (0: none).\n# TYPE switchboard_events_oldest_pending_seconds gauge\n"
        for (subscriber, p) in figures {
            let age = p.oldestPendingMilliseconds.map { Double(max(0, now - $0)) / 1000 } ?? 0
            out += "switchboard_events_oldest_pending_seconds{\(labels(subscriber))} \(age)\n"
        }
        out += "# HELP switchboard_events_parked Events held for the subscriber: refused, or waiting behind a refused one.\n# TYPE switchboard_events_parked gauge\n"
        for (subscriber, p) in figures { out += "switchboard_events_parked{\(labels(subscriber))} \(p.parked)\n" }
        out += "# HELP switchboard_event_deliveries_total Events by what became of them since start (failed: attempts of a batch that did not reach the subscriber).\n# TYPE switchboard_event_deliveries_total counter\n"
        for (subscriber, p) in figures {
            for (outcome, n) in [("delivered", p.delivered), ("refused", p.refused), ("held", p.held), ("failed", p.failedAttempts)] {
                out += "switchboard_event_deliveries_total{\(labels(subscriber)),outcome=\"\(outcome)\"} \(n)\n"
            }
        }
        return out
    }
}
