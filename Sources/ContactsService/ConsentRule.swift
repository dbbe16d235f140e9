import Contracts
import Wire

/// C8: what a person's word on a channel and purpose does to what they have said so far.
/// The latest word for each channel and purpose stands; a word recorded late with an
/// earlier time goes into the history without overriding a newer one.
public enum ConsentRule {
    /// How far ahead of the service's clock a word's time may be (clock skew), in ms.
    public static let skewMilliseconds: Int64 = 5 * 60 * 1000

    /// The field errors of `consent` as recorded at `now`.
    public static func violations(_ consent: Consent, now: Int64) -> [FieldViolation] {
        var found: [FieldViolation] = []
        if consent.channel == .unspecified { found.append(FieldViolation(field: "channel", description: "is required")) }
        if consent.purpose == .unspecified { found.append(FieldViolation(field: "purpose", description: "is required")) }
        let source = consent.source.trimming(.spaces)
        if source.isEmpty { found.append(FieldViolation(field: "source", description: "is required: where the person said it")) }
        if source.count > 200 { found.append(FieldViolation(field: "source", description: "is at most 200 characters")) }
        if let at = consent.atMilliseconds, at > now + skewMilliseconds { found.append(FieldViolation(field: "at", description: "is in the future")) }
        if let at = consent.atMilliseconds, at < 0 { found.append(FieldViolation(field: "at", description: "is before 1970")) }
        return found
    }

    /// `current` after `word`: it replaces the word on the same channel and purpose unless
    /// that one is newer. Kept in channel, then purpose order.
    public static func current(_ current: [Consent], after word: Consent) -> [Consent] {
        var kept = current
        if let index = kept.firstIndex(where: { $0.channel == word.channel && $0.purpose == word.purpose }) {
            guard (word.atMilliseconds ?? 0) >= (kept[index].atMilliseconds ?? 0) else { return kept }
            kept[index] = word
        } else {
            kept.append(word)
        }
        return kept.sorted { ($0.channel.rawValue, $0.purpose.rawValue) < ($1.channel.rawValue, $1.purpose.rawValue) }
    }
}
