import Contracts

/// One environment variable a process reads, declared once: the process reads it
/// through this value, and Compose/README.md's table of settings is written from the
/// same declarations (`swift run switchboard settings`), so the two cannot drift.
public struct Setting: Sendable, Hashable {
    /// Whether the name carries the service's prefix (`DEALS_LEAD_WAIT_MS`) or is the
    /// same for every process (`SWITCHBOARD_DEFAULT_COUNTRY`).
    public enum Scope: Sendable, Hashable {
        case service
        case shared
    }

    /// The name after the prefix, or the whole name of a shared setting.
    public let key: String
    public let scope: Scope
    /// The value used when the variable is unset or empty.
    public let fallback: String
    /// The default as the table shows it, when the value alone would not say it.
    public let shownDefault: String
    /// What it means, for the table.
    public let meaning: String
    /// Whole numbers only: the values accepted.
    public let range: ClosedRange<Int>?

    init(key: String, scope: Scope, fallback: String, shownDefault: String?, meaning: String, range: ClosedRange<Int>?) {
        self.key = key
        self.scope = scope
        self.fallback = fallback
        self.shownDefault = shownDefault ?? (fallback.isEmpty ? "none" : "`\(fallback)`")
        self.meaning = meaning
        self.range = range
    }

    /// The variable's whole name for a process with `prefix` (`P` in the table).
    public func name(prefix: String) -> String {
        scope == .shared ? key : "\(prefix)_\(key)"
    }

    /// Text; empty when unset unless `fallback` says otherwise.
    public static func text(_ key: String, fallback: String = "", shown: String? = nil, _ meaning: String, scope: Scope = .service) -> Setting {
        Setting(key: key, scope: scope, fallback: fallback, shownDefault: shown, meaning: meaning, range: nil)
    }

    /// A whole number in `range`; anything else stops the start, naming the variable.
    public static func integer(_ key: String, fallback: Int, range: ClosedRange<Int>, shown: String? = nil, _ meaning: String) -> Setting {
        Setting(key: key, scope: .service, fallback: "\(fallback)", shownDefault: shown, meaning: meaning, range: range)
    }

    /// Another service's RPC address, `host:port`.
    public static func address(_ key: String, fallback: String, _ meaning: String) -> Setting {
        Setting(key: key, scope: .service, fallback: fallback, shownDefault: nil, meaning: meaning, range: nil)
    }
}

extension Setting {
    /// C1: one country for every process that reads phone numbers.
    public static let defaultCountry = Setting.text(
        "SWITCHBOARD_DEFAULT_COUNTRY", fallback: PhoneNormalizer.fallbackCountry,
        """
        (no prefix; `CONTACTS_DEFAULT_COUNTRY` is its older name) the country of phone numbers written without a country code \
        (C1). Contacts, telephony and the gateway read every number with the same rule and this country, so set it once for all \
        of them: a call's number, its contact and a staff member's mobile are one key, and the telephony shard a call goes to \
        is its number's. Ringostat's numbers, written without `+`, are read as international unless they are in the country's \
        local form (`8 916 ...`)
        """, scope: .shared)

    /// Issue 26: the business's clock, for reports by weekday and hour.
    public static let timeZone = Setting.text(
        "SWITCHBOARD_TIME_ZONE", fallback: "UTC",
        """
        (no prefix) the business's time zone, an IANA name (`Europe/Moscow`, `Asia/Dubai`): call statistics by weekday and \
        hour are in it unless a request names another
        """, scope: .shared)

    /// P5: where this process sends its spans; off when unset.
    public static let otlpEndpoint = Setting.text(
        "OTLP_ENDPOINT", shown: "none (spans are only logged)",
        """
        an OpenTelemetry collector's OTLP/HTTP traces URL, `http://collector:4318/v1/traces` (Jaeger, the OpenTelemetry \
        Collector): spans of sampled traces are sent there as JSON in batches, never holding up a request; reached through \
        the outbound policy (allow its range with `OUTBOUND_ALLOW`)
        """)

    /// The ranges the outbound policy lets this process reach anyway.
    public static let outboundAllow = Setting.text(
        "OUTBOUND_ALLOW", shown: "none (`loopback` under `switchboard up`)",
        "ranges the URLs an admin gives may reach despite the outbound policy: CIDRs, `loopback`, `private`")
}
