/// B1: an amount in integer minor units of an ISO 4217 currency, with that currency's
/// own exponent (JPY 0, RUB 2, KWD 3). Never a floating-point number: parsing, adding,
/// multiplying and taking percentages are exact or refuse (overflow is an error, not a
/// wrap), and the one rounding rule is half-even, per line.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let minor: Int64
    public let currency: String

    /// The one ceiling of every amount the system takes, in minor units (10^12: ten
    /// billion roubles): a manual payment, a provider's hook, a price, a deal's amount.
    /// The schema's maximums say the same number (a test holds them together).
    public static let maximumMinor: Int64 = 1_000_000_000_000

    public enum Problem: Error, Equatable {
        case unknownCurrency(String)
        case notAnAmount(String)
        case tooManyDecimals(String, allowed: Int)
        case overflow
        case differentCurrencies(String, String)
    }

    /// Minor-unit exponents of the currencies served (ISO 4217).
    public static let exponents: [String: Int] = [
        "RUB": 2, "USD": 2, "EUR": 2, "GBP": 2, "KZT": 2, "UAH": 2, "BYN": 2, "AMD": 2, "GEL": 2, "AZN": 2, "UZS": 2, "KGS": 2, "TRY": 2,
        "PLN": 2, "CZK": 2, "CHF": 2, "CNY": 2, "INR": 2, "AED": 2,
        "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0,
        "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
    ]

    public init(minor: Int64, currency: String) throws(Problem) {
        guard Self.exponents[currency] != nil else { throw .unknownCurrency(currency) }
        self.minor = minor
        self.currency = currency
    }

    public var exponent: Int { Self.exponents[currency] ?? 2 }

    /// `"1234.5"`, `"1234.50"`, `"-3"` in the currency's units, as a provider sends it.
    public init(parsing text: String, currency: String) throws(Problem) {
        guard let exponent = Self.exponents[currency] else { throw .unknownCurrency(currency) }
        var digits = Substring(text)
        let negative = digits.hasPrefix("-")
        if negative || digits.hasPrefix("+") { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            parts.count == 1 || !parts[1].isEmpty
        else { throw .notAnAmount(text) }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= exponent else { throw .tooManyDecimals(text, allowed: exponent) }
        var value: Int64 = 0
        let all: String = String(parts[0]) + fraction + String(repeating: "0", count: exponent - fraction.count)
        for c in all {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(c.asciiValue! - 48))
            guard !o1, !o2 else { throw .overflow }
            value = plus
        }
        try self.init(minor: negative ? -value : value, currency: currency)
    }

    public static func + (a: Money, b: Money) throws(Problem) -> Money {
        guard a.currency == b.currency else { throw .differentCurrencies(a.currency, b.currency) }
        let (sum, overflow) = a.minor.addingReportingOverflow(b.minor)
        guard !overflow else { throw .overflow }
        return try Money(minor: sum, currency: a.currency)
    }

    public func times(_ quantity: Int64) throws(Problem) -> Money {
        let (product, overflow) = minor.multipliedReportingOverflow(by: quantity)
        guard !overflow else { throw .overflow }
        return try Money(minor: product, currency: currency)
    }

    /// `basisPoints` hundredths of a percent of this amount (1250 = 12.5%), rounded half
    /// to even in minor units: the one rounding rule (B1).
    public func percent(basisPoints: Int64) throws(Problem) -> Money {
        let (product, overflow) = minor.multipliedReportingOverflow(by: basisPoints)
        guard !overflow else { throw .overflow }
        return try Money(minor: Self.divideHalfEven(product, 10_000), currency: currency)
    }

    /// a / b rounded half to even (b > 0).
    public static func divideHalfEven(_ a: Int64, _ b: Int64) -> Int64 {
        var q = a / b
        let r = a % b
        let twice = abs(r) * 2
        if twice > b || (twice == b && q % 2 != 0) { q += a < 0 ? -1 : 1 }
        return q
    }

    public static func - (a: Money, b: Money) throws(Problem) -> Money {
        guard a.currency == b.currency else { throw .differentCurrencies(a.currency, b.currency) }
        let (difference, overflow) = a.minor.subtractingReportingOverflow(b.minor)
        guard !overflow else { throw .overflow }
        return try Money(minor: difference, currency: a.currency)
    }

    /// Minor units summed, refusing to wrap.
    public static func sum(_ values: some Sequence<Int64>) throws(Problem) -> Int64 {
        var total: Int64 = 0
        for v in values {
            let (s, overflow) = total.addingReportingOverflow(v)
            guard !overflow else { throw .overflow }
            total = s
        }
        return total
    }

    /// a × b / c rounded half to even, exact in 128 bits (c > 0): a share of an amount
    /// (a group's margin × a manager's revenue ÷ the group's).
    public static func scaled(_ a: Int64, times b: Int64, over c: Int64) throws(Problem) -> Int64 {
        precondition(c > 0)
        let negative = (a < 0) != (b < 0)
        let product = a.magnitude.multipliedFullWidth(by: b.magnitude)
        guard product.high < c.magnitude else { throw .overflow }
        let (q, r) = c.magnitude.dividingFullWidth(product)
        var quotient = q
        if r * 2 > c.magnitude || (r * 2 == c.magnitude && quotient % 2 == 1) { quotient += 1 }
        guard quotient <= UInt64(Int64.max) else { throw .overflow }
        return negative ? -Int64(quotient) : Int64(quotient)
    }

    /// `total` split into `parts` amounts that add up to it exactly: the remainder goes one
    /// minor unit each to the first parts (a prepayment spread over its months).
    public static func allocate(_ total: Int64, parts: Int) -> [Int64] {
        guard parts > 0 else { return [] }
        let n = Int64(parts)
        let base = total / n
        let rest = Int(total - base * n)
        return (0..<parts).map { base + ($0 < abs(rest) ? (rest > 0 ? 1 : -1) : 0) }
    }

    /// `1234.50 RUB`, `1234 JPY`, `1.234 KWD`.
    public var description: String {
        let scale = (0..<exponent).reduce(Int64(1)) { p, _ in p * 10 }
        let whole = String(abs(minor) / scale)
        let sign = minor < 0 ? "-" : ""
        guard exponent > 0 else { return "\(sign)\(whole) \(currency)" }
        return "\(sign)\(whole).\((abs(minor) % scale).zeroPadded(to: exponent)) \(currency)"
    }
}
