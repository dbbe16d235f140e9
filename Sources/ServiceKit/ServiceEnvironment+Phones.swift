import Contracts

extension ServiceEnvironment {
    /// The country national numbers belong to (C1), the same for every process:
    /// `SWITCHBOARD_DEFAULT_COUNTRY` (ISO code, `RU` when unset). `CONTACTS_DEFAULT_COUNTRY`,
    /// its older name, is still read. One variable for all, because the gateway, telephony
    /// and contacts must turn one number into one key: the telephony shard a call is
    /// routed to is computed from it.
    public func phones() throws(ConfigurationError) -> PhoneNormalizer {
        _ = string(.defaultCountry)  // declared; the older name below is part of it
        let variable = values["SWITCHBOARD_DEFAULT_COUNTRY"].flatMap { $0.isEmpty ? nil : "SWITCHBOARD_DEFAULT_COUNTRY" }
            ?? values["CONTACTS_DEFAULT_COUNTRY"].flatMap { $0.isEmpty ? nil : "CONTACTS_DEFAULT_COUNTRY" }
        let code = variable.flatMap { values[$0] } ?? PhoneNormalizer.fallbackCountry
        guard let phones = PhoneNormalizer(defaultCountry: code) else {
            throw ConfigurationError(
                variable: variable ?? "SWITCHBOARD_DEFAULT_COUNTRY",
                problem: "is \"\(code)\"; expected one of \(PhoneNormalizer.countries.keys.sorted().joined(separator: ", "))")
        }
        return phones
    }

    /// Call numbers read with `phones()`.
    public func callNumbers() throws(ConfigurationError) -> CallNumber { CallNumber(phones: try phones()) }
}
