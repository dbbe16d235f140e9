import RPC
import Synchronization
import Wire

/// Counters and latency histograms per RPC method, rendered in Prometheus' text format
/// on the admin port's /metrics.
public final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    public static let buckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Histogram {
        var counts = [UInt64](repeating: 0, count: Metrics.buckets.count)
        var sum: Double = 0
        var count: UInt64 = 0
    }

    private struct State {
        var calls: [String: [Status.Code: UInt64]] = [:]
        var latency: [String: Histogram] = [:]
        /// Families other parts of the service render (the relays' event figures).
        var sources: [@Sendable () -> String] = []
    }

    public let service: String
    private let state = Mutex(State())

    public init(service: String) {
        self.service = service
    }

    public func recordCall(method: String, code: Status.Code, duration: Duration) {
        let seconds = Double(duration.nanosecondsClamped) / 1e9
        state.withLock { s in
            s.calls[method, default: [:]][code, default: 0] += 1
            var h = s.latency[method] ?? Histogram()
            if let bucket = Self.buckets.firstIndex(where: { seconds <= $0 }) { h.counts[bucket] += 1 }
            h.sum += seconds
            h.count += 1
            s.latency[method] = h
        }
    }

    /// Adds metric families, rendered after the RPC ones on every scrape.
    public func add(_ source: @escaping @Sendable () -> String) {
        state.withLock { $0.sources.append(source) }
    }

    /// The Prometheus text exposition (version 0.0.4).
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = "# HELP switchboard_rpc_calls_total Calls answered, by method and status.\n# TYPE switchboard_rpc_calls_total counter\n"
        for method in snapshot.calls.keys.sorted() {
            for (code, count) in snapshot.calls[method]!.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                out += "switchboard_rpc_calls_total{service=\"\(service)\",method=\"\(method)\",code=\"\(code.name)\"} \(count)\n"
            }
        }
        out += "# HELP switchboard_rpc_duration_seconds Time from request to answer.\n# TYPE switchboard_rpc_duration_seconds histogram\n"
        for method in snapshot.latency.keys.sorted() {
            let h = snapshot.latency[method]!
            let labels = "service=\"\(service)\",method=\"\(method)\""
            var cumulative: UInt64 = 0
            for (i, bound) in Self.buckets.enumerated() {
                cumulative += h.counts[i]
                out += "switchboard_rpc_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "switchboard_rpc_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(h.count)\n"
            out += "switchboard_rpc_duration_seconds_sum{\(labels)} \(h.sum)\n"
            out += "switchboard_rpc_duration_seconds_count{\(labels)} \(h.count)\n"
        }
        for source in snapshot.sources { out += source() }
        return out
    }
}
