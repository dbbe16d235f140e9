/// Rules on a string's characters that the schema gives (``TextRule`` in
/// Protocols/ContractSchema states each as a regular expression in the OpenAPI
/// document); these are the same checks, written out.
enum TextRule {
    case currencyCode
    case digits
    case nonBlank

    /// What is wrong with `text`, nil when it keeps the rule.
    func problem(_ text: String) -> String? {
        switch self {
        case .currencyCode:
            text.utf8.count == 3 && text.utf8.allSatisfy({ (65...90).contains($0) }) ? nil
                : "must be an ISO 4217 code of three capital letters such as RUB (not \"\(text)\")"
        case .digits:
            !text.isEmpty && text.utf8.allSatisfy({ (48...57).contains($0) }) ? nil : "must be digits only (not \"\(text)\")"
        case .nonBlank:
            text.unicodeScalars.contains { !Self.isSpace($0) && $0 != "\u{0}" } ? nil : "must not be empty or only spaces"
        }
    }

    /// White space as JSON Schema validators (Python's `\\s`) count it: a superset of
    /// what the services trim, so a name that passes is never empty once trimmed.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }
}
