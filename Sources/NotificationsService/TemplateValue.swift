import Contracts
import Foundation

/// A variable's value as an event offers it: text, an amount of money, or an instant —
/// the last two written in the recipient's locale and time zone when rendered (N2).
public enum TemplateValue: Sendable, Equatable {
    case text(String)
    /// An id or a count: written as digits, a number in webhook payloads.
    case integer(Int64)
    case money(minor: Int64, currency: String)
    case time(milliseconds: Int64)

    /// Written for people: `ru` "1 500,00 RUB", "01.12.2026 19:00"; `en` "1,500.00 RUB", "2026-12-01 19:00".
    func written(filter: String?, locale: String, zone: TimeZone) -> String {
        switch self {
        case let .integer(n): return String(n)
        case let .text(s):
            switch filter {
            case "upper": return s.uppercased()
            case "lower": return s.lowercased()
            default: return s
            }
        case let .money(minor, currency):
            let exponent = Money.exponents[currency] ?? 2
            var scale: Int64 = 1
            for _ in 0..<exponent { scale *= 10 }
            let magnitude = minor.magnitude
            var whole = magnitude / UInt64(scale)
            let fraction = magnitude % UInt64(scale)
            let (group, decimal) = locale == "ru" ? ("\u{00A0}", ",") : (",", ".")
            var groups: [String] = []
            repeat {
                let part = whole % 1000
                whole /= 1000
                groups.append(whole > 0 ? part.zeroPadded(to: 3) : String(part))
            } while whole > 0
            var out = minor < 0 ? "-" : ""
            out += groups.reversed().joined(separator: group)
            if exponent > 0 {
                out += decimal + fraction.zeroPadded(to: Int(exponent))
            }
            return out + " " + currency
        case let .time(ms):
            // Civil-date arithmetic on the zone's offset at that instant (Calendar is slow).
            let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
            let local = ms + offset
            let day = CivilDate.floorDivide(local, 86_400_000)
            let (y, mo, d) = CivilDate(day: day).parts
            let minutes = (local - day * 86_400_000) / 60_000
            func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let date = locale == "ru" ? "\(two(d)).\(two(mo)).\(y)" : "\(y)-\(two(mo))-\(two(d))"
            let clock = "\(two(minutes / 60)):\(two(minutes % 60))"
            switch filter {
            case "date": return date
            case "clock": return clock
            default: return date + " " + clock
            }
        }
    }
}
