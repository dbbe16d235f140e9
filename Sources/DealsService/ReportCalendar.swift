import Foundation

/// D7's report days: whole days in the business's time zone (a fixed UTC offset,
/// `DEALS_REPORT_UTC_OFFSET_MINUTES`), numbered from 1970-01-01, and the hours within them.
public struct ReportCalendar: Equatable, Sendable {
    public let offsetMinutes: Int64

    public init(offsetMinutes: Int64) {
        self.offsetMinutes = offsetMinutes
    }

    public func day(_ milliseconds: Int64) -> Int64 {
        Self.floorDivide(milliseconds + offsetMinutes * 60_000, 86_400_000)
    }

    /// The local clock hour a moment falls in (hours since 1970-01-01 local).
    public func hour(_ milliseconds: Int64) -> Int64 {
        Self.floorDivide(milliseconds + offsetMinutes * 60_000, 3_600_000)
    }

    /// `YYYY-MM-DD` as a day number; nil for anything else (or a date that does not exist).
    public static func day(parsing text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            text.utf8.enumerated().allSatisfy({ [4, 7].contains($0.offset) ? $0.element == 45 : (48...57).contains($0.element) }),
            let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]), (1...12).contains(m), d >= 1
        else { return nil }
        let days = daysFromCivil(y, m, d)
        // A day past its month's end (2026-02-30) names nothing.
        guard civil(days) == (y, m, d) else { return nil }
        return days
    }

    public static func text(_ day: Int64) -> String {
        let (y, m, d) = civil(day)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    // Howard Hinnant's civil-date algorithms (proleptic Gregorian calendar).
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
