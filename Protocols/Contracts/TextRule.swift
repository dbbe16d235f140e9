/// Rules on a string's characters that the schema gives (`TextRule` in
/// Protocols/ContractSchema states each as a regular expression in the OpenAPI
/// document); these are the same checks, written out once for the gateway's readers and
/// the services' generated `violations()`.
public enum TextRule: Sendable {
    case currencyCode
    case countryCode
    case digits
    case nonBlank
    case slug
    case date
    case month
    case line
    case name

    /// nonBlank's expression as the schema states it, for parameters the gateway declares
    /// itself (GatewayRulesTests checks it against the generated document).
    public static let nonBlankPattern = "^[^\\u0000]*[^\\u0000\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^\\u0000]*$"

    /// What is wrong with `text`, nil when it keeps the rule.
    public func problem(_ text: String) -> String? {
        switch self {
        case .currencyCode:
            Money.exponents[text] != nil ? nil
                : "must be an ISO 4217 code this system knows, such as RUB (not \"\(text.prefix(20))\")"
        case .countryCode:
            text.utf8.count == 2 && text.utf8.allSatisfy({ (65...90).contains($0) }) ? nil
                : "must be an ISO 3166-1 code of two capital letters such as RU (not \"\(text)\")"
        case .digits:
            !text.isEmpty && text.utf8.allSatisfy({ (48...57).contains($0) }) ? nil : "must be digits only (not \"\(text)\")"
        case .nonBlank:
            text.unicodeScalars.contains { !Self.isSpace($0) && $0 != "\u{0}" } ? nil : "must not be empty or only spaces"
        case .slug:
            Self.isSlug(text) ? nil : "must be lower-case letters and digits, words joined by single hyphens, such as timepad-main (not \"\(text)\")"
        case .date:
            Self.isDate(text) ? nil : "must be a date written YYYY-MM-DD, such as 2026-12-01 (not \"\(text)\")"
        case .month:
            Self.isDate(text + "-01") && Int64(text.prefix(4)).map(Horizon.years.contains) == true ? nil
                : "must be a month written YYYY-MM of the years \(Horizon.years.lowerBound)–\(Horizon.years.upperBound), such as 2026-12 (not \"\(text.prefix(20))\")"
        case .line:
            Self.isOneLine(text) ? nil : "must be one line, without control characters or line breaks"
        case .name:
            !Self.isOneLine(text) ? "must be one line, without control characters or line breaks"
                : text.unicodeScalars.contains { !Self.isSpace($0) } ? nil : "must not be empty or only spaces"
        }
    }

    /// White space as JSON Schema validators (Python's `\\s`) count it: a superset of
    /// what the services trim, so a name that passes is never empty once trimmed.
    public static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// No C0 control, DEL, NEL or line/paragraph separator: what could end a header
    /// line, a CSV row or a log line.
    public static func isOneLine(_ text: String) -> Bool {
        !text.unicodeScalars.contains { c in
            switch c.value {
            case 0x00...0x1F, 0x7F, 0x85, 0x2028, 0x2029: true
            default: false
            }
        }
    }

    /// The shape of a date (month 01–12, day 01–31); whether the day exists is the service's to say.
    static func isDate(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 45, b[7] == 45, b.enumerated().allSatisfy({ [4, 7].contains($0.offset) || (48...57).contains($0.element) }) else { return false }
        let month = Int(b[5] - 48) * 10 + Int(b[6] - 48), day = Int(b[8] - 48) * 10 + Int(b[9] - 48)
        return (1...12).contains(month) && (1...31).contains(day)
    }

    static func isSlug(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, first != 45, last != 45 else { return false }
        for (i, b) in bytes.enumerated() {
            let alnum = (97...122).contains(b) || (48...57).contains(b)
            guard alnum || (b == 45 && bytes[i - 1] != 45) else { return false }
        }
        return true
    }
}
