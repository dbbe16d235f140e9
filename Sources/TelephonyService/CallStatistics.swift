import Contracts
import ServiceKit

/// T11 over a set of sessions (a replica's, within a period): missed calls and how many
/// were called back and how fast, each employee's load, calls by weekday and hour in the
/// business's time zone (issue 26: a call at 23:30 UTC is Tuesday 03:30 in Dubai).
/// Plain values in, plain values out; replicas' answers add up with `CallStats.adding`.
public enum CallStatistics {
    /// `sessions` of one or more numbers, any order. A missed call counts as called back
    /// when a later answered call (either way) with that number exists among them.
    public static func of(_ sessions: [CallSession], in timeZone: ZoneRules = ZoneRules.named("UTC")!) -> CallStats {
        var stats = CallStats()
        stats.timeZone = timeZone.identifier
        var load: [Int64: StaffLoad] = [:]
        var hours: [Int64: Int64] = [:]
        let byNumber = Dictionary(grouping: sessions.filter { $0.direction != .internal }, by: \.clientNumber)
        for s in sessions {
            stats.calls += 1
            let second = CivilDate.floorDivide(s.startedAtMilliseconds, 1000)
            let local = second + Int64(timeZone.secondsFromGMT(at: second))
            let day = CivilDate(day: CivilDate.floorDivide(local, 86_400))
            hours[day.weekday * 100 + (local - day.day * 86_400) / 3600, default: 0] += 1  // weekday: Monday 1 ... Sunday 7
            for leg in s.legs {
                guard let staff = leg.staffID else { continue }
                var l = load[staff] ?? StaffLoad(staffID: staff)
                l.offered += 1
                if s.direction == .outbound { l.made += 1 }
                if leg.disposition == .answered {
                    l.answered += 1
                    l.talkSeconds += leg.talkSeconds
                }
                load[staff] = l
            }
            guard s.direction == .inbound, !s.answered else { continue }
            stats.missed += 1
            let reached = byNumber[s.clientNumber, default: []]
                .filter { $0.answered && $0.startedAtMilliseconds > s.startedAtMilliseconds }
                .map(\.startedAtMilliseconds).min()
            if let reached {
                stats.missedCalledBack += 1
                stats.callBackSecondsTotal += (reached - s.startedAtMilliseconds) / 1000
            }
        }
        stats.load = load.values.sorted { $0.staffID < $1.staffID }
        stats.byHour = hours.keys.sorted().map { HourCount(weekday: $0 / 100, hour: $0 % 100, calls: hours[$0]!) }
        return stats
    }
}
