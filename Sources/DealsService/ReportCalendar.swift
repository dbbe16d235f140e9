import Contracts

/// D7's report days: whole days in the business's time zone (a fixed UTC offset,
/// `DEALS_REPORT_UTC_OFFSET_MINUTES`), numbered from 1970-01-01 (``CivilDate``), and the
/// hours within them.
public struct ReportCalendar: Equatable, Sendable {
    public let offsetMinutes: Int64

    public init(offsetMinutes: Int64) {
        self.offsetMinutes = offsetMinutes
    }

    public func day(_ milliseconds: Int64) -> Int64 {
        CivilDate.floorDivide(milliseconds + offsetMinutes * 60_000, 86_400_000)
    }

    /// The local clock hour a moment falls in (hours since 1970-01-01 local).
    public func hour(_ milliseconds: Int64) -> Int64 {
        CivilDate.floorDivide(milliseconds + offsetMinutes * 60_000, 3_600_000)
    }

    /// `YYYY-MM-DD` as a day number; nil for anything else (or a date that does not exist).
    public static func day(parsing text: String) -> Int64? {
        CivilDate(parsing: text)?.day
    }

    public static func text(_ day: Int64) -> String {
        CivilDate(day: day).text
    }
}
