import Sockets

/// Runs `concurrency` loops that each make one call after another for `duration`,
/// after a warm-up, and records every call's latency.
enum LoadRunner {
    /// `executor` places the calling loops: nil on Swift's global pool (an external
    /// caller), or a reactor (a caller inside one of our servers, e.g. a gateway handler).
    static func run(
        scenario: String, concurrency: Int, warmUp: Duration, duration: Duration,
        executor: (any TaskExecutor)? = nil, call: @escaping @Sendable (Int) async -> Bool
    ) async -> BenchResult {
        await withTaskExecutorPreference(executor) {
            await measure(scenario: scenario, concurrency: concurrency, warmUp: warmUp, duration: duration, call: call)
        }
    }

    private static func measure(
        scenario: String, concurrency: Int, warmUp: Duration, duration: Duration,
        call: @escaping @Sendable (Int) async -> Bool
    ) async -> BenchResult {
        let warmUpEnd = MonotonicInstant.now() + warmUp
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var i = 0
                    while MonotonicInstant.now() < warmUpEnd {
                        _ = await call(worker * 1_000_000 + i)
                        i += 1
                    }
                }
            }
        }
        let start = MonotonicInstant.now()
        let end = start + duration
        let perWorker = await withTaskGroup(of: ([UInt64], Int).self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var latencies: [UInt64] = []
                    latencies.reserveCapacity(1 << 16)
                    var errors = 0
                    var i = 0
                    while true {
                        let before = MonotonicInstant.now()
                        if before >= end { break }
                        let ok = await call(worker * 1_000_000 + i)
                        latencies.append(MonotonicInstant.now().nanoseconds - before.nanoseconds)
                        if !ok { errors += 1 }
                        i += 1
                    }
                    return (latencies, errors)
                }
            }
            var all: [([UInt64], Int)] = []
            for await result in group { all.append(result) }
            return all
        }
        let elapsed = Double(MonotonicInstant.now().nanoseconds - start.nanoseconds) / 1e9
        let latencies = perWorker.flatMap(\.0)
        return BenchResult(
            scenario: scenario, calls: latencies.count, seconds: elapsed, latenciesNanoseconds: latencies,
            errors: perWorker.map(\.1).reduce(0, +))
    }
}
