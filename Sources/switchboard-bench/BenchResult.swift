/// One scenario's figures: throughput and latency percentiles.
struct BenchResult {
    var scenario: String
    var calls: Int
    var seconds: Double
    var latenciesNanoseconds: [UInt64]
    var errors: Int
    /// Figures of the scenario's own (`double_claims`), written after the common ones.
    var figures: [(name: String, value: Int)] = []

    var callsPerSecond: Double { Double(calls) / seconds }

    func percentileMicroseconds(_ p: Double) -> Double {
        guard !latenciesNanoseconds.isEmpty else { return 0 }
        let sorted = latenciesNanoseconds.sorted()
        let index = min(sorted.count - 1, Int(Double(sorted.count) * p))
        return Double(sorted[index]) / 1000
    }

    /// Nanoseconds per call, for scenarios that time a loop rather than each call.
    var nanosecondsPerCall: Double { seconds * 1e9 / Double(max(1, calls)) }

    var json: String {
        if latenciesNanoseconds.isEmpty {
            return "{\"scenario\": \"\(scenario)\", \"calls_per_s\": \(Int(callsPerSecond.rounded())), \"ns_per_op\": \(Int(nanosecondsPerCall.rounded())), \"errors\": \(errors)"
                + figures.map { ", \"\($0.name)\": \($0.value)" }.joined() + "}"
        }
        return "{\"scenario\": \"\(scenario)\", \"calls_per_s\": \(Int(callsPerSecond.rounded())), "
            + "\"p50_us\": \(Int(percentileMicroseconds(0.5).rounded())), "
            + "\"p99_us\": \(Int(percentileMicroseconds(0.99).rounded())), \"errors\": \(errors)"
            + figures.map { ", \"\($0.name)\": \($0.value)" }.joined() + "}"
    }

    static func table(_ results: [BenchResult]) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var lines = [pad("scenario", 28) + pad("calls/s", 12) + pad("p50 µs", 10) + pad("p99 µs", 10) + "errors"]
        for r in results {
            lines.append(
                pad(r.scenario, 28) + pad(String(Int(r.callsPerSecond.rounded())), 12)
                    + pad(String(format1(r.percentileMicroseconds(0.5))), 10)
                    + pad(String(format1(r.percentileMicroseconds(0.99))), 10) + String(r.errors)
                    + r.figures.map { "  \($0.name)=\($0.value)" }.joined())
        }
        return lines.joined(separator: "\n")
    }

    private static func format1(_ value: Double) -> String {
        String(Double(Int(value * 10)) / 10)
    }
}
