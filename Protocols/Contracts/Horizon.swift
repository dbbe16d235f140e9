/// How far from now the system takes a time (G1): a year ahead for what is planned
/// (bookings, lessons, callbacks), a few minutes of clock skew for what providers say
/// has happened (payments), and months from 2000 on for reports. Past the horizon a
/// date is a typo (9999 for 2026), not a plan: it is refused with the limit named.
public enum Horizon {
    /// Bookings, lessons and callbacks start at most this far ahead: a year and a day.
    public static let aheadMilliseconds: Int64 = 366 * 86_400_000
    /// A payment may be stamped this far in the future (the provider's clock ahead of ours).
    public static let skewMilliseconds: Int64 = 5 * 60_000
    /// The years a report month may name.
    public static let years: ClosedRange<Int64> = 2000...2100

    /// Why `time` (UTC milliseconds) is too far ahead of `now` to plan, or nil.
    public static func tooFarAhead(_ time: Int64, now: Int64) -> String? {
        time > now + aheadMilliseconds ? "is more than a year ahead (plans are taken up to 366 days from now)" : nil
    }
}
