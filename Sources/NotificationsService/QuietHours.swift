import Foundation

/// N3: quiet hours [from, to) in minutes after local midnight, wrapping midnight (22:00–08:00).
public enum QuietHours {
    /// When they end, if `now` (UTC milliseconds) is inside them in `zone`; nil otherwise.
    public static func end(of now: Int64, from: Int64, to: Int64, zone: TimeZone) -> Int64? {
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(now) / 1000))) * 1000
        let local = now + offset
        let minute = (local % 86_400_000 + 86_400_000) % 86_400_000 / 60_000
        let inside = from <= to ? (minute >= from && minute < to) : (minute >= from || minute < to)
        guard inside else { return nil }
        let dayStart = local - (local % 86_400_000 + 86_400_000) % 86_400_000
        var end = dayStart + to * 60_000
        if end <= local { end += 86_400_000 }
        return end - offset
    }
}
