/// The numbers a PBX reports, in one form so one person's calls meet: E.164 (`+79161234567`)
/// for phone numbers, digits as they are for short internal extensions. Ringostat sends
/// numbers without `+` (`380441112233`); Russian callers come as `8 916 ...` too.
public enum CallNumber {
    /// Extensions are at most this many digits; anything longer is a phone number.
    public static let maxExtensionDigits = 6

    public static func normalize(_ raw: String) -> String? {
        let plus = raw.trimmingPrefixSpaces.hasPrefix("+")
        var digits = ""
        for c in raw.unicodeScalars {
            switch c {
            case "0"..."9": digits.unicodeScalars.append(c)
            case " ", "-", "(", ")", ".", "+", "\t": continue
            default: return nil
            }
        }
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        if !plus && digits.count <= maxExtensionDigits { return digits }
        if !plus && digits.count == 11 && digits.hasPrefix("8") { return "+7" + digits.dropFirst() }
        if !plus && digits.count == 10 && digits.hasPrefix("9") { return "+7" + digits }
        guard digits.count >= 8 else { return nil }
        return "+" + digits
    }

    /// Whether a normalized number is an internal extension rather than a phone.
    public static func isExtension(_ number: String) -> Bool { !number.hasPrefix("+") }
}

extension String {
    fileprivate var trimmingPrefixSpaces: Substring { drop { $0 == " " || $0 == "\t" } }
}
