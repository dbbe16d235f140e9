/// A calendar date without a time zone (proleptic Gregorian), as days since 1970-01-01:
/// report days (D7) and a resource's local dates (S1) are computed from it. Howard
/// Hinnant's civil-date algorithms.
public struct CivilDate: Hashable, Comparable, Sendable {
    public let day: Int64

    public init(day: Int64) {
        self.day = day
    }

    public init(year: Int64, month: Int64, day: Int64) {
        let y = month <= 2 ? year - 1 : year
        let era = Self.floorDivide(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        self.day = era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD`; nil for anything else or a date that does not exist (2026-02-30).
    public init?(parsing text: String) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 45, b[7] == 45,
            b.enumerated().allSatisfy({ [4, 7].contains($0.offset) || (48...57).contains($0.element) })
        else { return nil }
        func number(_ r: Range<Int>) -> Int64 { r.reduce(0) { $0 * 10 + Int64(b[$1] - 48) } }
        let (y, m, d) = (number(0..<4), number(5..<7), number(8..<10))
        guard (1...12).contains(m), d >= 1 else { return nil }
        let date = CivilDate(year: y, month: m, day: d)
        guard date.parts == (y, m, d) else { return nil }
        self = date
    }

    public var parts: (year: Int64, month: Int64, day: Int64) {
        let z = day + 719_468
        let era = Self.floorDivide(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// ISO 8601: 1 Monday … 7 Sunday (1970-01-01 was a Thursday).
    public var weekday: Int64 { Self.floorMod(day + 3, 7) + 1 }

    public var text: String {
        let (y, m, d) = parts
        return "\(y.zeroPadded(to: 4))-\(m.zeroPadded(to: 2))-\(d.zeroPadded(to: 2))"
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.day < b.day }

    public static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDivide(a, b) * b }
}
