import Contracts

/// N5 with Alertmanager's semantics, as plain values: a condition (value ≥ threshold) must
/// hold for `forMinutes` before the alert fires; while it fires it says so again every
/// `repeatMinutes`; when it stops holding, a firing alert says "resolved" and a pending
/// one goes quietly back to inactive.
public enum AlertEvaluator {
    public enum Message: Equatable, Sendable {
        case firing(value: Int64)
        case stillFiring(value: Int64)
        case resolved(value: Int64)
    }

    public static func step(_ alert: Alert, value: Int64, now: Int64) -> (Alert, Message?) {
        var a = alert
        a.lastValue = value
        let holds = value >= alert.threshold
        switch (alert.state, holds) {
        case (.firing, true):
            guard now - (alert.lastNotifiedAtMilliseconds ?? 0) >= max(1, alert.repeatMinutes) * 60_000 else { return (a, nil) }
            a.lastNotifiedAtMilliseconds = now
            return (a, .stillFiring(value: value))
        case (.firing, false):
            a.state = .inactive
            a.sinceMilliseconds = nil
            a.lastNotifiedAtMilliseconds = now
            return (a, .resolved(value: value))
        case (.pending, true):
            guard now - (alert.sinceMilliseconds ?? now) >= alert.forMinutes * 60_000 else { return (a, nil) }
            a.state = .firing
            a.lastNotifiedAtMilliseconds = now
            return (a, .firing(value: value))
        case (_, true):
            a.sinceMilliseconds = now
            guard alert.forMinutes == 0 else {
                a.state = .pending
                return (a, nil)
            }
            a.state = .firing
            a.lastNotifiedAtMilliseconds = now
            return (a, .firing(value: value))
        case (_, false):
            a.state = .inactive
            a.sinceMilliseconds = nil
            return (a, nil)
        }
    }

    /// What the owner reads.
    public static func text(_ alert: Alert, _ message: Message) -> String {
        let unit = alert.metric == .lowQualityShare ? "%" : ""
        switch message {
        case let .firing(v):
            // The queue and stuck payments are figures of the moment, not counts over the window.
            let span = AlertStore.readFromServices.contains(alert.metric) ? "now" : "in the last \(alert.windowMinutes) min"
            return "🔴 <b>\(TemplateRenderer.escape(alert.name, for: .telegram))</b>: \(v)\(unit) \(span) (threshold \(alert.threshold)\(unit))"
        case let .stillFiring(v): return "🔴 still: <b>\(TemplateRenderer.escape(alert.name, for: .telegram))</b>: \(v)\(unit) (threshold \(alert.threshold)\(unit))"
        case let .resolved(v): return "✅ resolved: <b>\(TemplateRenderer.escape(alert.name, for: .telegram))</b>: \(v)\(unit)"
        }
    }
}
