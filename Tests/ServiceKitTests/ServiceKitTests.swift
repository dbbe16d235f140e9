import RPC
import ServiceKit
import Storage
import Testing
import Wire

@Suite struct ServiceEnvironmentTests {
    static let port = Setting.integer("PORT", fallback: 7101, range: 0...65535, "port")
    static let grace = Setting.integer("GRACE_SECONDS", fallback: 10, range: 0...3600, "grace")
    static let host = Setting.text("HOST", fallback: "127.0.0.1", "host")

    @Test func p1ReadsValuesWithThePrefixAndDefaults() throws {
        let env = ServiceEnvironment(prefix: "CONTACTS", values: ["CONTACTS_PORT": "7200", "OTHER_PORT": "1"])
        #expect(try env.int(Self.port) == 7200)
        #expect(try env.int(Self.grace) == 10)
        #expect(env.string(Self.host) == "127.0.0.1")
    }

    @Test func p1BadValuesNameTheVariable() {
        let env = ServiceEnvironment(prefix: "CONTACTS", values: ["CONTACTS_PORT": "70000", "CONTACTS_GRACE_SECONDS": "ten"])
        for setting in [Self.port, Self.grace] {
            do {
                _ = try env.int(setting)
                Issue.record("\(setting.key) should be refused")
            } catch {
                #expect(error.variable == "CONTACTS_\(setting.key)")
                #expect(error.description.contains("expected a whole number"))
            }
        }
    }
}

@Suite struct StorageStatusMappingTests {
    @Test func storageErrorsBecomeActionableStatuses() {
        #expect(StorageError(.uniqueViolation, "x").rpcError.code == .alreadyExists)
        #expect(StorageError(.foreignKeyViolation, "x").rpcError.code == .failedPrecondition)
        #expect(StorageError(.busy, "x").rpcError.code == .unavailable)
        // Internal details stay in the log, not in the client's message.
        let other = StorageError(.other, "prepare SELECT secret FROM t: no such column").rpcError
        #expect(other.code == .internal && !other.message.contains("secret"))
    }
}

@Suite struct MetricsTests {
    @Test func rendersCountersAndCumulativeHistogramBuckets() {
        let metrics = Metrics(service: "contacts")
        metrics.recordCall(method: "a/B", code: .ok, duration: .microseconds(200))
        metrics.recordCall(method: "a/B", code: .ok, duration: .milliseconds(3))
        metrics.recordCall(method: "a/B", code: .notFound, duration: .milliseconds(30))
        let text = metrics.render()
        #expect(text.contains("switchboard_rpc_calls_total{service=\"contacts\",method=\"a/B\",code=\"ok\"} 2"))
        #expect(text.contains("switchboard_rpc_calls_total{service=\"contacts\",method=\"a/B\",code=\"not_found\"} 1"))
        #expect(text.contains("switchboard_rpc_duration_seconds_bucket{service=\"contacts\",method=\"a/B\",le=\"0.00025\"} 1"))
        #expect(text.contains("switchboard_rpc_duration_seconds_bucket{service=\"contacts\",method=\"a/B\",le=\"0.005\"} 2"))
        #expect(text.contains("switchboard_rpc_duration_seconds_bucket{service=\"contacts\",method=\"a/B\",le=\"+Inf\"} 3"))
        #expect(text.contains("switchboard_rpc_duration_seconds_count{service=\"contacts\",method=\"a/B\"} 3"))
    }
}

@Suite struct LoggerTests {
    @Test func quotesControlCharactersAndQuotes() {
        #expect(Logger.quoted("a\"b\\c\nd\u{1}") == "\"a\\\"b\\\\c\\nd\\u0001\"")
    }
}

/// How long a loop waiting for a planned time sleeps: until it on the system clock, never
/// long on one that jumps (a file a scripted test moves).
@Suite struct WallClockSleepTests {
    @Test func aLoopSleepsUntilItsNextTimeAtMostAMinuteAndBrieflyOnAClockThatJumps() {
        let system = WallClock.system
        #expect(system.sleep(until: 10_500, now: 10_000) == .milliseconds(500))
        #expect(system.sleep(until: 9_000, now: 10_000) == .zero, "overdue: at once")
        #expect(system.sleep(until: nil, now: 10_000) == .seconds(60), "nothing planned: a minute, or until woken")
        #expect(system.sleep(until: 10_000 + 3_600_000, now: 10_000) == .seconds(60))
        let file = WallClock.file("/nonexistent/clock")
        #expect(file.jumps && file.sleep(until: 10_000 + 3_600_000, now: 10_000) == .milliseconds(100))
    }
}
