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
    public var exposure: Exposure = .readWrite
    public var form: Form = .plain
    public var required = false
    /// May be sent as null (to clear it, in a PATCH).
    public var nullable = false
    public var minimum: Int64?
    public var maximum: Int64?
    public var minLength: Int?
    public var maxLength: Int?
    public var maxItems: Int?
    public var pattern: String?
    public var description: String?

    public init() {}

    /// The JSON name of a field called `swiftName`.
    public func name(for swiftName: String) -> String {
        if let name { return name }
        var out = swiftName
        for (from, to) in [("IDs", "Ids"), ("ID", "Id")] where out.hasSuffix(from) || out.contains(from) {
            out = out.replacingOccurrences(of: from, with: to)
        }
        return out
    }
}
