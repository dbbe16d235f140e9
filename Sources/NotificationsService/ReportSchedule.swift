import Contracts
import Foundation

/// Issue 26 item 6: when a scheduled report goes and which days it covers, in the
/// business's time zone (daylight saving included). Weekly: Mondays at the hour, for
/// Monday to Sunday before; monthly: the 1st at the hour, for the month before.
public enum ReportSchedule {
    /// The first sending strictly after `now`.
    public static func next(after now: Int64, every: ReportPeriod, hour: Int64, zone: TimeZone) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: Double(now) / 1000)
        var wanted = DateComponents()
        wanted.hour = Int(hour)
        wanted.minute = 0
        wanted.second = 0
        switch every {
        case .month: wanted.day = 1
        default: wanted.weekday = 2  // Monday
        }
        let found = calendar.nextDate(after: date, matching: wanted, matchingPolicy: .nextTime) ?? date.addingTimeInterval(7 * 86_400)
        return Int64((found.timeIntervalSince1970 * 1000).rounded())
    }

    /// The report days a sending at `at` covers, `from` and `to` included (YYYY-MM-DD).
    public static func period(sentAt at: Int64, every: ReportPeriod, zone: TimeZone) -> (from: String, to: String) {
        let local = CivilDate(day: CivilDate.floorDivide(at + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(at) / 1000))) * 1000, 86_400_000))
        switch every {
        case .month:
            let (y, m, _) = local.parts
            let first = m == 1 ? CivilDate(year: y - 1, month: 12, day: 1) : CivilDate(year: y, month: m - 1, day: 1)
            return (first.text, CivilDate(year: y, month: m, day: 1).day.advanced(by: -1).civilText)
        default:
            let monday = local.day - (local.weekday - 1)
            return (CivilDate(day: monday - 7).text, CivilDate(day: monday - 1).text)
        }
    }
}

extension Int64 {
    fileprivate var civilText: String { CivilDate(day: self).text }
}
