/// The relays' figures in Prometheus' text format (P2): per subscription, what waits
/// (count and age of the oldest), what is parked, and deliveries by outcome, so a
/// stalled or refusing subscriber shows on a dashboard rather than in one log line.
enum EventMetrics {
    static func render(service: String, sources: [EventSource], now: Int64) -> String {
        let relays = sources.flatMap { source in source.relays.map { (source.name, $0) } }
        guard !relays.isEmpty else { return "" }
        // Per subscriber and outbox file (`main`, or telephony's `shard-03`).
        let figures = relays.map { (source, relay) in ("\(relay.subscription.subscriber)\u{0}\(source)", relay.progress) }
        func labels(_ key: String) -> String {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            return "service=\"\(service)\",subscriber=\"\(parts[0])\"" + (parts[1] == "main" ? "" : ",outbox=\"\(parts[1])\"")
        }
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
