import FoundationEssentials
import Glibc
import Synchronization

/// Where a service reads the time of day for rules that depend on it (a timer's retry,
/// when an event was parked): the system clock in production, a hand-set one in tests,
/// so a time-dependent rule is tested without waiting.
public struct WallClock: Sendable {
    public let now: @Sendable () -> Date
    /// True for a clock that can jump ahead (read from a file): a loop waiting for a time
    /// to come looks again often instead of sleeping until it.
    public let jumps: Bool

    public init(jumps: Bool = false, now: @escaping @Sendable () -> Date) {
        self.now = now
        self.jumps = jumps
    }

    public static let system = WallClock { Date() }

    /// How long a loop waiting for the time `next` (UTC milliseconds; nil: nothing is
    /// planned) may sleep: until then, at most `atMost` — or 100 ms for a clock that
    /// jumps. Whatever plans something sooner wakes the loop itself.
    public func sleep(until next: Int64?, now: Int64, atMost: Duration = .seconds(60)) -> Duration {
        if jumps { return .milliseconds(100) }
        guard let next else { return atMost }
        return min(.milliseconds(max(0, next - now)), atMost)
    }

    /// Now in UTC milliseconds, as the stores keep times.
    public var milliseconds: Int64 { Int64(now().timeIntervalSince1970 * 1000) }

    /// A clock read from a file holding UTC milliseconds (`P_CLOCK_FILE`): scripted
    /// end-to-end scenarios over the real processes move a service's business time (a
    /// callback due at 10:00, a lease running out) by writing the file. Read on every
    /// call; while the file is missing or unreadable the system time is used.
    public static func file(_ path: String) -> WallClock {
        WallClock(jumps: true) {
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(data: data, encoding: .utf8)?.trimming(.spacesAndNewlines), let ms = Int64(text)
            else { return Date() }
            return Date(timeIntervalSince1970: Double(ms) / 1000)
        }
    }

    /// A clock that moves only when told to.
    public static func manual(_ time: ManualTime) -> WallClock {
        WallClock(jumps: true) { time.now }
    }
}

/// The time a manual ``WallClock`` shows; tests advance it.
public final class ManualTime: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public var milliseconds: Int64 { Int64(now.timeIntervalSince1970 * 1000) }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
