import Contracts

/// N1, N3: what a recipient's address may be on each channel, checked when a rule, a
/// channel or an alert is saved, so nothing reaches a provider that could be read as
/// something else (a CR LF in an email address became a second SMTP `RCPT TO`).
public enum RecipientAddress {
    /// Why `address` is not an address on `channel`, nil when it is. Webhook addresses are
    /// URLs, judged by the outbound policy (`OutboundPolicy.refusal(url:)`), not here.
    public static func problem(_ address: String, channel: NotificationChannel) -> String? {
        switch channel {
        case .email: emailProblem(address)
        case .sms, .whatsapp: isE164(address) ? nil : "\"\(printable(address))\" is not a phone number in E.164 (+ and 8 to 15 digits, such as +79161234567)"
        case .telegram: isTelegramChat(address) ? nil : "\"\(printable(address))\" is not a Telegram chat: a chat id (digits, - for groups) or @username"
        case .webhook, .unspecified: nil
        }
    }

    /// An addr-spec an SMTP relay takes as one recipient: one @, a dot-atom local part,
    /// a domain of letters, digits and hyphens (internationalised names as their letters);
    /// nothing that could end the command line or start another.
    public static func emailProblem(_ address: String) -> String? {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "\"\(printable(address))\" is not an email address: it needs exactly one @" }
        let local = parts[0], domain = parts[1]
        let specials: Set<Unicode.Scalar> = ["<", ">", "(", ")", "[", "]", "\\", ",", ";", ":", "\"", " "]
        let localOK = (1...64).contains(local.utf8.count) && !local.hasPrefix(".") && !local.hasSuffix(".") && !local.contains("..")
            && local.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !specials.contains($0) && !isControl($0) }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let domainOK = (1...253).contains(domain.utf8.count) && labels.count >= 2 && labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") && !isControl($0) }
        }
        return localOK && domainOK ? nil : "\"\(printable(address))\" is not an email address"
    }

    static func isE164(_ text: String) -> Bool {
        let digits = text.utf8.dropFirst()
        return text.hasPrefix("+") && (8...15).contains(digits.count) && digits.first != 48 && digits.allSatisfy { (48...57).contains($0) }
    }

    /// A numeric chat id (negative for groups and channels) or a public @username
    /// (5–32 of letters, digits and _).
    static func isTelegramChat(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if bytes.first == 64 {
            let name = bytes.dropFirst()
            return (5...32).contains(name.count) && name.allSatisfy { (65...90).contains($0) || (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
        }
        let digits = bytes.first == 45 ? bytes.dropFirst() : bytes[...]
        return (1...20).contains(digits.count) && digits.allSatisfy { (48...57).contains($0) }
    }

    static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || c.value == 0x7F || (0x80...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029
    }

    /// The address as it can be shown in an error: control characters escaped, at most 100.
    static func printable(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars.prefix(100) {
            out += isControl(c) ? "\\u{\(String(c.value, radix: 16))}" : String(c)
        }
        return out
    }
}
