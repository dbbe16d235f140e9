import FoundationEssentials
import Glibc
import Contracts

extension ServiceEnvironment {
    /// The country national numbers belong to (C1), the same for every process:
    /// `SWITCHBOARD_DEFAULT_COUNTRY` (ISO code, `RU` when unset). `CONTACTS_DEFAULT_COUNTRY`,
    /// its older name, is still read. One variable for all, because the gateway, telephony
    /// and contacts must turn one number into one key: the telephony shard a call is
    /// routed to is computed from it.
    public func phones() throws(ConfigurationError) -> PhoneNormalizer {
        let older = "CONTACTS_DEFAULT_COUNTRY"
        let olderValue = values[older].flatMap { $0.isEmpty ? nil : $0 }
        let code = string(.defaultCountry, fallback: olderValue)
        guard let phones = PhoneNormalizer(defaultCountry: code) else {
            let named = (values[name(of: .defaultCountry)] ?? "").isEmpty && olderValue != nil
            throw ConfigurationError(
                variable: named ? older : name(of: .defaultCountry),
                problem: "is \"\(code)\"; expected one of \(PhoneNormalizer.countries.keys.sorted().joined(separator: ", "))")
        }
        return phones
    }

    /// The business's time zone (issue 26), `SWITCHBOARD_TIME_ZONE`; an unknown name stops the start.
    public func timeZone() throws(ConfigurationError) -> ZoneRules {
        let name = string(.timeZone)
        guard let zone = ZoneRules.named(name) else {
            throw ConfigurationError(variable: self.name(of: .timeZone), problem: "is \"\(name)\"; expected an IANA time zone such as Europe/Moscow")
        }
        return zone
    }

    /// Call numbers read with `phones()`.
    public func callNumbers() throws(ConfigurationError) -> CallNumber { CallNumber(phones: try phones()) }
}
