/// N1: the country of an international phone number, by its calling code, for what an SMS
/// or WhatsApp message costs (providers price by country).
///
/// The table holds the calling codes of Russia and its neighbours, Europe and the
/// countries most often dialled from there. +7 is Russia except +7 6 and +7 7,
/// Kazakhstan. +1 is left out on purpose: its numbering plan spans the USA, Canada and
/// the Caribbean, which an area code alone does not tell apart. A number of a country not
/// in the table has no country (its send costs the channel's `costMinor`).
public enum PhoneCountry {
    /// ISO 3166-1 alpha-2 of `number` (E.164, with or without `+`, spaces and dashes ignored), or nil.
    public static func of(_ number: String) -> String? {
        var digits = number.unicodeScalars.filter { !" -()".unicodeScalars.contains($0) }.map(Character.init)
        if digits.first == "+" { digits.removeFirst() }
        guard digits.count >= 8, digits.count <= 15, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let text = String(digits)
        if text.hasPrefix("7") { return text.hasPrefix("76") || text.hasPrefix("77") ? "KZ" : "RU" }
        // Calling codes are a prefix code: no code is the start of another.
        for length in 1...3 {
            if let country = codes[String(text.prefix(length))] { return country }
        }
        return nil
    }

    static let codes: [String: String] = [
        "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR", "34": "ES", "36": "HU", "39": "IT",
        "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK", "46": "SE", "47": "NO", "48": "PL", "49": "DE",
        "51": "PE", "52": "MX", "54": "AR", "55": "BR", "56": "CL", "57": "CO",
        "60": "MY", "61": "AU", "62": "ID", "63": "PH", "64": "NZ", "65": "SG", "66": "TH",
        "81": "JP", "82": "KR", "84": "VN", "86": "CN", "90": "TR", "91": "IN", "92": "PK", "98": "IR",
        "350": "GI", "351": "PT", "352": "LU", "353": "IE", "354": "IS", "355": "AL", "356": "MT", "357": "CY", "358": "FI", "359": "BG",
        "370": "LT", "371": "LV", "372": "EE", "373": "MD", "374": "AM", "375": "BY", "376": "AD", "377": "MC", "378": "SM",
        "380": "UA", "381": "RS", "382": "ME", "385": "HR", "386": "SI", "387": "BA", "389": "MK",
        "420": "CZ", "421": "SK", "423": "LI",
        "966": "SA", "971": "AE", "972": "IL", "974": "QA",
        "992": "TJ", "993": "TM", "994": "AZ", "995": "GE", "996": "KG", "998": "UZ",
    ]
}
