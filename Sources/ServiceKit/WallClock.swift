import Foundation
import Synchronization

/// Where a service reads the time of day for rules that depend on it (a timer's retry,
/// when an event was parked): the system clock in production, a hand-set one in tests,
/// so a time-dependent rule is tested without waiting.
public struct WallClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = WallClock { Date() }

    /// Now in UTC milliseconds, as the stores keep times.
    public var milliseconds: Int64 { Int64(now().timeIntervalSince1970 * 1000) }

    /// A clock read from a file holding UTC milliseconds (`P_CLOCK_FILE`): scripted
    /// end-to-end scenarios over the real processes move a service's business time (a
    /// callback due at 10:00, a lease running out) by writing the file. Read on every
    /// call; while the file is missing or unreadable the system time is used.
    public static func file(_ path: String) -> WallClock {
        WallClock {
            guard let data = FileManager.default.contents(atPath: path),
                let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), let ms = Int64(text)
            else { return Date() }
            return Date(timeIntervalSince1970: Double(ms) / 1000)
        }
    }

    /// A clock that moves only when told to.
    public static func manual(_ time: ManualTime) -> WallClock {
        WallClock { time.now }
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
