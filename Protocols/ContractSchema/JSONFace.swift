import Foundation

/// How a field shows in the gateway's JSON (G1): its name, whether callers may send
/// it, and the constraints the services enforce, which the OpenAPI document states and
/// the generated reader checks first.
public struct JSONFace: Sendable, Equatable {
    public enum Exposure: Sendable, Equatable {
        /// Read and written.
        case readWrite
        /// Shown in answers, refused in requests (ids, times the service sets).
        case readOnly
        /// Never in JSON (visibility, flags the gateway derives).
        case hidden
        /// Taken in requests, never shown in answers (a provider's token).
        case writeOnly

        /// Read from request bodies.
        public var isInput: Bool { self == .readWrite || self == .writeOnly }
        /// Written in answers.
        public var isOutput: Bool { self == .readWrite || self == .readOnly }
    }

    /// How the value is written: as itself, or in the API's form of it.
    public enum Form: Sendable, Equatable {
        case plain
        /// Milliseconds since 1970 shown as an RFC 3339 UTC time.
        case timestamp
        /// A list of ``CustomField`` shown as one object of string values.
        case nameValueObject
    }

    /// nil: the Swift name with `ID` written `Id` (`responsibleID` -> `responsibleId`).
    public var name: String?
    /// The JSON name of a query parameter, when it differs from `name` (`limit` for
    /// `pageSize`).
    public var exposure: Exposure = .readWrite
    public var form: Form = .plain
    public var required = false
    /// May be sent as null (to clear it, in a PATCH); `nullSets` is the Swift statement
    /// that null runs (`clearResponsible = true`), else the field becomes nil.
    public var nullable = false
    public var nullSets: String?
    /// A Swift statement run when the field is sent at all (`replaceEmails = true`).
    public var presenceSets: String?
    /// A message field whose own fields stand at this level in JSON (input only).
    public var inline = false
    /// Taken when its message is created; a patch never changes it (it has a method of
    /// its own, like a deal's stage, or never changes, like its contact).
    public var setOnCreate = false
    /// On a message field of a PATCH request: the fields of that message a patch may
    /// change stand at this level in JSON, each optional (null clears an optional one),
    /// and the JSON names sent go in the sibling field named here (a repeated string).
    public var patchMask: String?
    /// Left out of answers when empty or default (instead of written, or null).
    public var omitEmpty = false
    /// The enum values a request may send (API names); nil: every case but 0.
    public var allowed: [String]?
    public var minimum: Int64?
    public var maximum: Int64?
    public var minLength: Int?
    public var maxLength: Int?
    public var maxItems: Int?
    public var minItems: Int?
    /// A rule on the characters of a string, beyond its length.
    public var rule: TextRule?
    /// JSON Schema keywords added to this field's input schema as they are (a business
    /// rule the document should state so generated requests keep it, e.g. `contains`).
    public var inputSchemaExtra: String?
    public var description: String?

    public init() {}

    /// The JSON name of a field called `swiftName`; a timestamp drops its unit
    /// (`createdAtMilliseconds` -> `createdAt`).
    public func name(for swiftName: String) -> String {
        if let name { return name }
        var out = swiftName
        if form == .timestamp, out.hasSuffix("Milliseconds") { out.removeLast("Milliseconds".count) }
        for (from, to) in [("IDs", "Ids"), ("ID", "Id")] where out.hasSuffix(from) || out.contains(from) {
            out = out.replacingOccurrences(of: from, with: to)
        }
        return out
    }
}

/// Rules on a string's characters, each a regular expression in the OpenAPI document and
/// the same check in the gateway's reader.
public enum TextRule: String, Sendable, Equatable {
    /// Three capital letters (ISO 4217).
    case currencyCode
    /// Two capital letters (ISO 3166-1 alpha-2).
    case countryCode
    /// ASCII digits only (PBX extensions).
    case digits
    /// At least one character that is not white space: a name, not only spaces (white
    /// space as JSON Schema's validators count it, which includes every space the services trim).
    case nonBlank
    /// A name that goes in a URL path: lower-case letters, digits and inner hyphens.
    case slug
    /// A calendar date, YYYY-MM-DD (RFC 3339's full-date).
    case date
    /// A calendar month, YYYY-MM (B5, B6), of the years 2000–2100 (`Horizon.years`; WireTests
    /// hold the two together).
    case month
    /// One line: no control characters (C0, DEL, NEL) and no line or paragraph separator,
    /// so the value cannot break a header, a CSV row or a log line (a lead's partner,
    /// region, a sender name, a chat id). May be empty.
    case line
    /// A name: one line (as `line`) with at least one character that is not white space.
    case name

    /// The ISO 4217 codes the services know (`Money.exponents` in the contracts; WireTests
    /// hold the two together).
    public static let knownCurrencies = [
        "AED", "AMD", "AZN", "BHD", "BYN", "CHF", "CLP", "CNY", "CZK", "EUR", "GBP", "GEL", "INR", "IQD", "ISK", "JOD", "JPY",
        "KGS", "KRW", "KWD", "KZT", "LYD", "OMR", "PLN", "RUB", "TND", "TRY", "UAH", "USD", "UZS", "VND",
    ]

    /// The only values it takes, when they are a closed list (the document's `enum`).
    public var choices: [String]? { self == .currencyCode ? Self.knownCurrencies : nil }

    /// The regular expression (ECMA-262, as JSON Schema) the document gives.
    public var pattern: String {
        switch self {
        case .currencyCode: "^[A-Z]{3}$"
        case .countryCode: "^[A-Z]{2}$"
        case .digits: "^[0-9]+$"
        // The gateway's white space spelled out (``isSpace``), not `\\s`: regular
        // expression engines disagree on whether U+001C–U+001F are spaces.
        case .nonBlank: "^[^\\u0000]*[^\\u0000\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^\\u0000]*$"
        case .slug: "^[a-z0-9]+(-[a-z0-9]+)*$"
        case .date: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
        case .month: "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
        case .line: "^[^\\u0000-\\u001f\\u007f\\u0085\\u2028\\u2029]*$"
        case .name: "^[^\\u0000-\\u001f\\u007f\\u0085\\u2028\\u2029]*[^\\u0000-\\u0020\\u007f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^\\u0000-\\u001f\\u007f\\u0085\\u2028\\u2029]*$"
        }
    }
}
