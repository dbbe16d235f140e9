import Contracts
import Foundation

/// A variable's value as an event offers it: text, an amount of money, or an instant —
/// the last two written in the recipient's locale and time zone when rendered (N2).
public enum TemplateValue: Sendable, Equatable {
    case text(String)
    case money(minor: Int64, currency: String)
    case time(milliseconds: Int64)

    /// Written for people: `ru` "1 500,00 RUB", "01.12.2026 19:00"; `en` "1,500.00 RUB", "2026-12-01 19:00".
    func written(filter: String?, locale: String, zone: TimeZone) -> String {
        switch self {
        case let .text(s):
            switch filter {
            case "upper": return s.uppercased()
            case "lower": return s.lowercased()
            default: return s
            }
        case let .money(minor, currency):
            guard let m = try? Money(minor: minor, currency: currency) else { return "\(minor) \(currency)" }
            let plain = String(m.description.dropLast(currency.count + 1))
            let negative = plain.hasPrefix("-")
            let parts = plain.dropFirst(negative ? 1 : 0).split(separator: ".")
            let (group, decimal) = locale == "ru" ? ("\u{00A0}", ",") : (",", ".")
            var whole = ""
            for (i, c) in parts[0].reversed().enumerated() {
                if i > 0 && i % 3 == 0 { whole = group + whole }
                whole = String(c) + whole
            }
            return (negative ? "-" : "") + whole + (parts.count > 1 ? decimal + parts[1] : "") + " " + currency
        case let .time(ms):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(ms) / 1000))
            func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
            let date = locale == "ru" ? "\(two(c.day)).\(two(c.month)).\(c.year ?? 0)" : "\(c.year ?? 0)-\(two(c.month))-\(two(c.day))"
            let clock = "\(two(c.hour)):\(two(c.minute))"
            switch filter {
            case "date": return date
            case "clock": return clock
            default: return date + " " + clock
            }
        }
    }
}
