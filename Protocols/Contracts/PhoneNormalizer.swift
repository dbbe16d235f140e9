import FoundationEssentials

/// C1: turns a phone as people type it into E.164 with the extension kept apart. The one
/// phone rule of the system: contacts, telephony and the gateway read numbers with it,
/// each with the deployment's country (`ServiceEnvironment.phones()`), so one person's
/// number is one key everywhere (and one telephony shard).
///
/// Accepts `+7 (916) 123-45-67`, `8 916 123 45 67`, `0049 30 1234567`,
/// `+7 495 123-45-67 доб. 12`, `tel:+74951234567;ext=12`. A national number (no `+`
/// or `00`) takes the configured default country, dropping its trunk prefix (8 in
/// Russia, 0 in most of Europe). Anything that cannot be a phone number is an error
/// with a reason, never a silent drop.
public struct PhoneNormalizer: Sendable {
    /// A country's calling code, its trunk prefix, and its national number length
    /// when that is fixed.
    public struct Country: Sendable {
        public let callingCode: String
        public let trunkPrefix: String
        public let nationalLength: Int?
    }

    public static let countries: [String: Country] = [
        "RU": Country(callingCode: "7", trunkPrefix: "8", nationalLength: 10),
        "KZ": Country(callingCode: "7", trunkPrefix: "8", nationalLength: 10),
        "BY": Country(callingCode: "375", trunkPrefix: "8", nationalLength: 9),
        "UA": Country(callingCode: "380", trunkPrefix: "0", nationalLength: 9),
        "US": Country(callingCode: "1", trunkPrefix: "1", nationalLength: 10),
        "CA": Country(callingCode: "1", trunkPrefix: "1", nationalLength: 10),
        "GB": Country(callingCode: "44", trunkPrefix: "0", nationalLength: nil),
        "DE": Country(callingCode: "49", trunkPrefix: "0", nationalLength: nil),
        "FR": Country(callingCode: "33", trunkPrefix: "0", nationalLength: 9),
        "IT": Country(callingCode: "39", trunkPrefix: "", nationalLength: nil),
        "ES": Country(callingCode: "34", trunkPrefix: "", nationalLength: 9),
        "PL": Country(callingCode: "48", trunkPrefix: "", nationalLength: 9),
        "TR": Country(callingCode: "90", trunkPrefix: "0", nationalLength: 10),
        "GE": Country(callingCode: "995", trunkPrefix: "0", nationalLength: 9),
        "AM": Country(callingCode: "374", trunkPrefix: "0", nationalLength: 8),
        "UZ": Country(callingCode: "998", trunkPrefix: "", nationalLength: 9),
    ]

    public let defaultCountry: String
    private let country: Country

    /// The country a deployment that names none reads its numbers in.
    public static let fallbackCountry = "RU"
    public static let fallback = PhoneNormalizer(defaultCountry: fallbackCountry)!

    /// Fails for a country code this normalizer does not know.
    public init?(defaultCountry: String) {
        guard let country = Self.countries[defaultCountry.uppercased()] else { return nil }
        self.defaultCountry = defaultCountry.uppercased()
        self.country = country
    }

    /// Why a phone was refused, in words a person can act on.
    public struct Failure: Error, Equatable, Sendable {
        public let reason: String
    }

    public func normalize(_ raw: String) -> Result<Phone, Failure> {
        // Fullwidth digits and invisible characters pasted along are the same phone.
        var text = TextForm.canonical(raw).trimming(.spacesAndNewlines).lowercased()
        guard !text.isEmpty else { return .failure(Failure(reason: "is empty")) }
        if text.hasPrefix("tel:") { text.removeFirst(4) }

        var ext = ""
        for marker in [";ext=", "доб.", "доб", "ext.", "ext", "#", "x"] {
            if let range = text.firstRange(of: marker) {
                let tail = text[range.upperBound...].trimming(.spaces)
                guard !tail.isEmpty, tail.count <= 8, tail.allSatisfy(\.isASCIIDigit) else {
                    return .failure(Failure(reason: "has an extension that is not 1 to 8 digits"))
                }
                ext = tail
                text = String(text[..<range.lowerBound])
                break
            }
        }

        var digits = ""
        var international = false
        for (i, ch) in text.enumerated() {
            if ch.isASCIIDigit {
                digits.append(ch)
            } else if ch == "+" && i == 0 {
                international = true
            } else if !" -().\u{a0}/".contains(ch) {
                return .failure(Failure(reason: "contains \"\(ch)\", which is not part of a phone number"))
            }
        }
        if !international && digits.hasPrefix("00") {
            international = true
            digits.removeFirst(2)
        }
        guard !digits.isEmpty else { return .failure(Failure(reason: "has no digits")) }

        let full: String
        if international {
            full = digits
        } else {
            var national = digits
            if let length = country.nationalLength {
                if national.count == length + country.trunkPrefix.count, !country.trunkPrefix.isEmpty,
                    national.hasPrefix(country.trunkPrefix)
                {
                    national.removeFirst(country.trunkPrefix.count)
                } else if national.count == length + country.callingCode.count, national.hasPrefix(country.callingCode) {
                    national.removeFirst(country.callingCode.count)
                }
                guard national.count == length else {
                    return .failure(Failure(
                        reason: "has \(digits.count) digits; a \(defaultCountry) number has \(length) after the country code (or write it with +)"))
                }
            } else if !country.trunkPrefix.isEmpty, national.hasPrefix(country.trunkPrefix) {
                national.removeFirst(country.trunkPrefix.count)
            }
            full = country.callingCode + national
        }
        guard (8...15).contains(full.count) else {
            return .failure(Failure(reason: "has \(full.count) digits with the country code; E.164 numbers have 8 to 15"))
        }
        guard full.first != "0" else { return .failure(Failure(reason: "has a country code starting with 0")) }
        return .success(Phone(number: "+" + full, extension: ext))
    }

    /// Whether `digits` (no `+`) is written the way a caller dials this country's
    /// numbers at home: its trunk prefix and then a whole national number. Providers that
    /// write international numbers without `+` still pass such local forms through.
    public func isNationalForm(_ digits: String) -> Bool {
        guard !country.trunkPrefix.isEmpty, digits.hasPrefix(country.trunkPrefix) else { return false }
        guard let length = country.nationalLength else { return true }
        return digits.count == length + country.trunkPrefix.count
    }
}

extension Character {
    public var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
