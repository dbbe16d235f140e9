/// When a failed attempt is tried again. Outbound webhooks follow Svix's schedule: at
/// once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure — eight
/// attempts, then a dead letter. Messages through providers back off faster, six attempts.
public enum RetrySchedule {
    /// Seconds after attempt `n` (1-based) failed; nil: that was the last.
    public static func webhook(afterAttempt n: Int) -> Int64? {
        let delays: [Int64] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]
        return n >= 1 && n <= delays.count ? delays[n - 1] : nil
    }

    public static func message(afterAttempt n: Int) -> Int64? {
        let delays: [Int64] = [10, 60, 300, 1_800, 7_200]
        return n >= 1 && n <= delays.count ? delays[n - 1] : nil
    }

    /// An endpoint failing this long without a success is disabled.
    public static let disableAfterMilliseconds: Int64 = 5 * 86_400_000
}
