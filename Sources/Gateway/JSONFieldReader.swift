import Contracts
import JSON
import Wire

/// Reads the fields of one JSON object of a request body into contract values,
/// collecting every problem as a field violation named by its JSON path
/// (`phones[1]`, `source.channel`), so a caller fixes all of them in one go.
///
/// Strict on types: true/false is never a number and a number never a boolean or a
/// string; a whole number is an integer literal within Int64 (2.0, 1e18 and
/// -9223372036854775809 are refused, never rounded); a string never holds the NUL
/// character (no stored name is cut short or hides a second value after it).
struct JSONFieldReader {
    let object: JSONObject
    /// Prefix of the field names reported (`stages[0].`).
    let path: String
    var violations: [FieldViolation] = []

    init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    mutating func fail(_ key: String, _ detail: String) {
        violations.append(FieldViolation(field: path + key, description: detail))
    }

    /// The value, nil when absent or null.
    private func present(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    /// True when the field is there as JSON null (for PATCH: "clear this").
    func isNull(_ key: String) -> Bool { object[key] == .null }

    func has(_ key: String) -> Bool { object[key] != nil }

    mutating func string(_ key: String) -> String? {
        guard let value = present(key) else { return nil }
        return text(value, field: key)
    }

    /// A string value checked for NUL; `field` is the name reported.
    private mutating func text(_ value: JSONValue, field: String) -> String? {
        guard case let .string(s) = value else {
            fail(field, "must be a string, not \(value.kindDescription)")
            return nil
        }
        guard !s.utf8.contains(0) else {
            fail(field, "must not contain the NUL character (\\u0000)")
            return nil
        }
        return s
    }

    mutating func strings(_ key: String) -> [String]? {
        guard let value = present(key) else { return nil }
        guard case let .array(items) = value else {
            fail(key, "must be an array of strings, not \(value.kindDescription)")
            return nil
        }
        var out: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let s = text(item, field: "\(key)[\(i)]") { out.append(s) } else { ok = false }
        }
        return ok ? out : nil
    }

    mutating func integer(_ key: String) -> Int64? {
        guard let value = present(key) else { return nil }
        return Self.integer(value, field: path + key, into: &violations)
    }

    static func integer(_ value: JSONValue, field: String, into violations: inout [FieldViolation]) -> Int64? {
        guard case let .number(n) = value else {
            violations.append(FieldViolation(field: field, description: "must be a whole number, not \(value.kindDescription)"))
            return nil
        }
        guard n.isInteger else {
            violations.append(FieldViolation(field: field, description: "must be a whole number written without a fraction or exponent (\(n.text) is not)"))
            return nil
        }
        guard let v = n.int64 else {
            violations.append(FieldViolation(field: field, description: "must be between -9223372036854775808 and 9223372036854775807 (\(n.text) is not)"))
            return nil
        }
        return v
    }

    /// A whole number above zero: an id.
    mutating func id(_ key: String) -> Int64? {
        guard let v = integer(key) else { return nil }
        guard v > 0 else {
            fail(key, "must be a positive whole number (an id), not \(v)")
            return nil
        }
        return v
    }

    /// An id the request cannot do without: absent or null is "is required" (`what`
    /// says what it names).
    mutating func requiredID(_ key: String, _ what: String) -> Int64? {
        if let v = id(key) { return v }
        if !violations.contains(where: { $0.field == path + key }) {
            fail(key, isNull(key) ? "must be \(what), not null" : "is required: \(what)")
        }
        return nil
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = present(key) else { return nil }
        guard case let .bool(flag) = value else {
            fail(key, "must be true or false, not \(value.kindDescription)")
            return nil
        }
        return flag
    }

    mutating func object(_ key: String) -> JSONObject? {
        guard let value = present(key) else { return nil }
        guard case let .object(o) = value else {
            fail(key, "must be an object, not \(value.kindDescription)")
            return nil
        }
        return o
    }

    /// One of `allowed` (the names the API shows), or a violation that lists them.
    mutating func choice<Value>(_ key: String, _ allowed: [(name: String, value: Value)]) -> Value? {
        guard let name = string(key) else { return nil }
        guard let found = allowed.first(where: { $0.name == name }) else {
            fail(key, "must be one of \(allowed.map(\.name).joined(separator: ", ")) (not \"\(name)\")")
            return nil
        }
        return found.value
    }

    mutating func source(_ key: String) -> ContactSource? {
        guard let o = object(key) else { return nil }
        var inner = JSONFieldReader(o, path: path + key + ".")
        let source = ContactSource(
            channel: inner.string("channel") ?? "", trackingNumber: inner.string("trackingNumber") ?? "",
            utmSource: inner.string("utmSource") ?? "", utmMedium: inner.string("utmMedium") ?? "",
            utmCampaign: inner.string("utmCampaign") ?? "")
        inner.refuseUnknown(["channel", "trackingNumber", "utmSource", "utmMedium", "utmCampaign"])
        violations += inner.violations
        return source
    }

    /// An object of string values, in name order.
    mutating func customFields(_ key: String) -> [CustomField]? {
        guard let o = object(key) else { return nil }
        var fields: [CustomField] = []
        for (name, value) in o.members.sorted(by: { $0.key < $1.key }) {
            guard !name.utf8.contains(0) else {
                fail(key, "a name must not contain the NUL character (\\u0000)")
                continue
            }
            if let text = text(value, field: "\(key).\(name)") { fields.append(CustomField(name: name, value: text)) }
        }
        return fields
    }

    /// Fields the caller sent that the request does not have: a typo (`phone` for
    /// `phones`) must not pass silently.
    mutating func refuseUnknown(_ known: Set<String>, hint: String = "") {
        for key in object.keys where !known.contains(key) {
            fail(key, "is not a field of this request" + hint)
        }
    }

    func failure() -> RPCError? {
        violations.isEmpty ? nil : .invalidArgument("the request has \(violations.count) invalid field(s)", details: violations)
    }
}
