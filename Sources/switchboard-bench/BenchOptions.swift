import RPC

/// Command-line options shared by every benchmark.
struct BenchOptions {
    var suite = ""
    var json = false
    var duration: Duration = .seconds(5)
    /// `--seconds` was given (a suite with a long default of its own, chaos, takes it).
    var durationGiven = false
    /// `--seed N`: what the chaos run's faults and writes are drawn from.
    var seed: UInt64?
    var warmUp: Duration = .seconds(1)
    /// An already running server to measure instead of an in-process one.
    var target: Endpoint?
    /// Run only the scenarios whose names start with this.
    var only: String?

    func wants(_ scenario: String) -> Bool { only.map { scenario.hasPrefix($0) } ?? true }

    static let usage = """
        usage: switchboard-bench <suite> [--json] [--seconds N] [--warmup-seconds N] [--target host:port] [--only SCENARIO-PREFIX] [--seed N]
        suites: limits, memory, gateway, rpc, contacts, deals, codec, hooks, telephony, dialer, scheduling, billing, notifications, conversations, console, import, operations, chaos
        Build with -c release: swift run -c release switchboard-bench rpc
        """

    static func parse(_ arguments: [String]) throws(BenchUsageError) -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        guard let suite = rest.popFirst() else { throw BenchUsageError(message: "no suite given") }
        options.suite = suite
        while let flag = rest.popFirst() {
            switch flag {
            case "--json": options.json = true
            case "--seconds", "--warmup-seconds":
                guard let text = rest.popFirst(), let value = Double(text), value >= 0 else {
                    throw BenchUsageError(message: "\(flag) needs a number of seconds")
                }
                let d = Duration.milliseconds(Int64(value * 1000))
                if flag == "--seconds" {
                    options.duration = d
                    options.durationGiven = true
                } else {
                    options.warmUp = d
                }
            case "--seed":
                guard let text = rest.popFirst(), let value = UInt64(text) else { throw BenchUsageError(message: "--seed needs a whole number") }
                options.seed = value
            case "--only":
                guard let prefix = rest.popFirst() else { throw BenchUsageError(message: "--only needs a scenario name") }
                options.only = prefix
            case "--target":
                guard let text = rest.popFirst(), let endpoint = Endpoint(parsing: text) else {
                    throw BenchUsageError(message: "--target needs host:port")
                }
                options.target = endpoint
            default:
                throw BenchUsageError(message: "unknown option \(flag)")
            }
        }
        return options
    }
}

struct BenchUsageError: Error {
    var message: String
}
