import Contracts

/// T10: never dial outside the lead's local calling hours. The local time comes from the
/// number's country (its E.164 prefix, the country's main zone, no daylight saving);
/// an unknown country counts as Moscow time (seed 004's market).
public enum CallingHours {
    /// UTC offsets in minutes by country prefix, longest prefix first.
    static let offsets: [(prefix: String, minutes: Int64)] = [
        ("+998", 300), ("+996", 360), ("+995", 240), ("+994", 240), ("+380", 120), ("+375", 180), ("+374", 240), ("+373", 120),
        ("+372", 120), ("+371", 120), ("+370", 120), ("+77", 300), ("+7", 180), ("+49", 60), ("+48", 60), ("+44", 0), ("+1", -300),
    ]

    public static func offsetMinutes(_ number: String) -> Int64 {
        offsets.first { number.hasPrefix($0.prefix) }?.minutes ?? 180
    }

    /// The first moment at or after `now` inside `from..<to` local hours.
    public static func nextAllowed(_ number: String, now: Int64, from: Int64, to: Int64) -> Int64 {
        let offset = offsetMinutes(number) * 60_000
        let day: Int64 = 86_400_000
        let local = now + offset
        let msInDay = ((local % day) + day) % day
        let start = from * 3_600_000
        let end = to * 3_600_000
        if msInDay >= start && msInDay < end { return now }
        let dayStart = local - msInDay
        let next = msInDay < start ? dayStart + start : dayStart + day + start
        return next - offset
    }
}
