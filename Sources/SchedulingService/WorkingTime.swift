import Contracts
import Foundation
import Synchronization

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
        guard from < to, let zone = Zones.named(r.timeZone) else { return [] }
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
    public static func instant(_ date: CivilDate, minute: Int64, _ zone: TimeZone) -> Int64 {
        let wall = (date.day * 1440 + minute) * 60_000
        // The offset at the wall time read as UTC, then at the instant that gives: right
        // on both sides of a change, and inside a skipped hour later by the gap's length.
        let guess = wall - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall) / 1000))) * 1000
        return wall - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess) / 1000))) * 1000
    }
}

/// Time zones by IANA name, each read from the system's zone files once.
enum Zones {
    private static let known = Mutex<[String: TimeZone]>([:])

    static func named(_ name: String) -> TimeZone? {
        if let zone = known.withLock({ $0[name] }) { return zone }
        guard let zone = TimeZone(identifier: name) else { return nil }
        known.withLock { $0[name] = zone }
        return zone
    }
}
