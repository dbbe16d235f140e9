/// The numbers a PBX reports, in one form so one person's calls meet: E.164 (`+79161234567`)
/// for phone numbers, digits as they are for short internal extensions. A phone number
/// is read by the system's one phone rule (`PhoneNormalizer`, C1) with the deployment's
/// country, so a call's client and its contact, and a leg's destination and the staff
/// member's mobile, are the same key. A provider that writes international numbers
/// without `+` (Ringostat: `380441112233`) says so; a number it passes through in its
/// country's local form (`8 916 ...` in Russia) is still read as local.
public struct CallNumber: Sendable {
    /// Extensions are at most this many digits; anything longer is a phone number.
    public static let maxExtensionDigits = 6

    public let phones: PhoneNormalizer
    /// Numbers without `+` are international (the provider drops the `+`), unless they
    /// are written in the country's local form.
    public let internationalWithoutPlus: Bool

    public init(phones: PhoneNormalizer, internationalWithoutPlus: Bool = false) {
        self.phones = phones
        self.internationalWithoutPlus = internationalWithoutPlus
    }

    /// The same rule for a provider that writes international numbers without `+`.
    public var withoutPlus: CallNumber { CallNumber(phones: phones, internationalWithoutPlus: true) }

    public func normalize(_ raw: String) -> String? {
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
        if !plus && digits.count <= Self.maxExtensionDigits { return digits }
        let international = plus || (internationalWithoutPlus && !phones.isNationalForm(digits))
        guard case let .success(phone) = phones.normalize(international ? "+" + digits : digits), phone.extension.isEmpty else { return nil }
        return phone.number
    }

    /// Whether a normalized number is an internal extension rather than a phone.
    public static func isExtension(_ number: String) -> Bool { !number.hasPrefix("+") }
}

extension String {
    fileprivate var trimmingPrefixSpaces: Substring { drop { $0 == " " || $0 == "\t" } }
}
