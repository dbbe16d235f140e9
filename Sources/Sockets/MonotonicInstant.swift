import Glibc

/// A point on CLOCK_MONOTONIC in nanoseconds: immune to wall-clock changes, which is
/// what deadlines and timeouts need.
public struct MonotonicInstant: Sendable, Comparable, Hashable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    public static func now() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    public static func < (a: MonotonicInstant, b: MonotonicInstant) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func + (a: MonotonicInstant, d: Duration) -> MonotonicInstant {
        let ns = d.nanosecondsClamped
        return ns >= 0
            ? MonotonicInstant(nanoseconds: a.nanoseconds &+ UInt64(ns))
            : MonotonicInstant(nanoseconds: a.nanoseconds -| UInt64(-ns))
    }

    /// Time from `self` until `later`; zero if `later` has passed.
    public func duration(until later: MonotonicInstant) -> Duration {
        later.nanoseconds > nanoseconds ? .nanoseconds(Int64(later.nanoseconds - nanoseconds)) : .zero
    }
}

extension Duration {
    /// Whole nanoseconds, saturating instead of trapping on absurd values.
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return ns.addingReportingOverflow(attoseconds / 1_000_000_000).overflow
            ? (seconds < 0 ? .min : .max) : ns + attoseconds / 1_000_000_000
    }

    public var microsecondsClamped: Int64 { nanosecondsClamped / 1000 }
}

infix operator -| : AdditionPrecedence
extension UInt64 {
    /// Subtraction that stops at zero.
    static func -| (a: UInt64, b: UInt64) -> UInt64 { a > b ? a - b : 0 }
}
