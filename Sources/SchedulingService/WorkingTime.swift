import Contracts
import ServiceKit

/// S1: when a resource works, as UTC instants, from its weekly hours, days off and date
/// overrides in its own wall time. A 9:00 start stays 9:00 local across a daylight-saving
/// change; a stretch that starts in the hour a spring change skips starts later by the
/// gap (02:30 becomes 03:30), as java.time and RFC 5545 resolve it.
public enum WorkingTime {
    public struct Stretch: Equatable, Sendable {
        public let start: Int64
        public let end: Int64
        public init(_ start: Int64, _ end: Int64) {
            self.start = start
            self.end = end
        }
    }

    /// The resource's working stretches overlapping `from..<to` (UTC ms), in order.
    public static func open(_ r: Resource, from: Int64, to: Int64) -> [Stretch] {
        guard from < to, let zone = ZoneRules.named(r.timeZone) else { return [] }
        let off = Set(r.daysOff)
        let overrides = Dictionary(r.overrides.map { ($0.date, $0.hours) }, uniquingKeysWith: { _, last in last })
        // Local dates that can touch the range: a day either side covers any offset.
        let first = CivilDate(day: CivilDate.floorDivide(from, 86_400_000) - 1)
        let last = CivilDate(day: CivilDate.floorDivide(to, 86_400_000) + 1)
        var out: [Stretch] = []
        var date = first
        while date <= last {
            defer { date = CivilDate(day: date.day + 1) }
            // The date's text only when some date is special (most resources have none).
            let text = off.isEmpty && overrides.isEmpty ? "" : date.text
            guard text.isEmpty || !off.contains(text) else { continue }
            let weekday = date.weekday
            let hours = (text.isEmpty ? nil : overrides[text]) ?? r.hours.filter { $0.weekday == weekday }
            for h in hours.sorted(by: { $0.fromMinute < $1.fromMinute }) where h.fromMinute < h.toMinute {
                let start = instant(date, minute: h.fromMinute, zone)
                let end = instant(date, minute: h.toMinute, zone)
                let s = max(start, from), e = min(end, to)
                if s < e { out.append(Stretch(s, e)) }
            }
        }
        return out
    }

    /// The UTC instant of a local wall time (`minute` after local midnight; 1440 is the
    /// next midnight).
    /// As java.time and zoneinfo resolve it: a wall time a change skips is read with the
    /// offset before the change (later by the gap's length: 02:10 on New York's spring-forward
    /// day is 03:10 EDT), one a change repeats takes the earlier of its two instants.
    public static func instant(_ date: CivilDate, minute: Int64, _ zone: ZoneRules) -> Int64 {
        let wall = (date.day * 1440 + minute) * 60_000
        func offset(_ instant: Int64) -> Int64 { Int64(zone.secondsFromGMT(at: CivilDate.floorDivide(instant, 1000))) * 1000 }
        // The offsets a day either side of the wall time read as UTC: before and after any
        // change near it (zones never change twice within a day).
        let before = wall - offset(wall - 86_400_000), after = wall - offset(wall + 86_400_000)
        if before + offset(before) == wall { return before }
        if after + offset(after) == wall { return after }
        return before
    }
}
