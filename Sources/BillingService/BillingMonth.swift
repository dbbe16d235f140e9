import Contracts

/// A calendar month in UTC ("2027-03"): the unit of group economics and bonuses.
public struct BillingMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Months since 0000-01.
    public let index: Int64

    public init(index: Int64) { self.index = index }

    public init(year: Int64, month: Int64) { index = year * 12 + month - 1 }

    /// `YYYY-MM`; nil for anything else.
    public init?(parsing text: String) {
        let b = Array(text.utf8)
        guard b.count == 7, b[4] == 45, b.enumerated().allSatisfy({ $0.offset == 4 || (48...57).contains($0.element) }) else { return nil }
        let year = b[0..<4].reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
        let month = b[5..<7].reduce(Int64(0)) { $0 * 10 + Int64($1 - 48) }
        guard (1...12).contains(month), Horizon.years.contains(year) else { return nil }
        self.init(year: year, month: month)
    }

    /// The month an instant (UTC milliseconds) falls in.
    public init(milliseconds: Int64) {
        let (y, m, _) = CivilDate(day: CivilDate.floorDivide(milliseconds, 86_400_000)).parts
        self.init(year: y, month: m)
    }

    public var year: Int64 { index / 12 }
    public var month: Int64 { index % 12 + 1 }
    public var startMilliseconds: Int64 { CivilDate(year: year, month: month, day: 1).day * 86_400_000 }
    public var endMilliseconds: Int64 { next.startMilliseconds }
    public var next: BillingMonth { BillingMonth(index: index + 1) }
    public func contains(_ milliseconds: Int64) -> Bool { milliseconds >= startMilliseconds && milliseconds < endMilliseconds }

    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        return "\(year)-\(m)"
    }

    public static func < (a: BillingMonth, b: BillingMonth) -> Bool { a.index < b.index }
}
