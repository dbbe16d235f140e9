import Contracts
import JSON
import Wire

/// Reads the fields of one JSON object of a request (the generated readers call it),
/// collecting every problem as a field violation named by its JSON path (`phones[1]`,
/// `source.channel`), one per field, so a caller fixes all of them in one go.
///
/// Strict on types and as exact as JSON Schema on constraints, since the OpenAPI
/// document states the same ones: true/false is never a number and a number never a
/// boolean or a string; a whole number is one by its exact value, within Int64 (2.0 is 2,
/// as JSON Schema has it; 2.5 and -9223372036854775809 are refused, never rounded);
/// lengths count Unicode code points;
/// null is taken only where the caller says "clear"; a string never holds the NUL
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

    /// The value, nil when absent. Null is a value here: readers refuse it.
    private func present(_ key: String) -> JSONValue? { object[key] }

    /// True when the field is there as JSON null (for PATCH: "clear this").
    func isNull(_ key: String) -> Bool { object[key] == .null }

    func has(_ key: String) -> Bool { object[key] != nil }

    /// Records "is required" when the field is absent.
    mutating func require(_ key: String, _ what: String? = nil) {
        if object[key] == nil { fail(key, "is required" + (what.map { ": \($0)" } ?? "")) }
    }

    mutating func string(_ key: String, minLength: Int? = nil, maxLength: Int? = nil, rule: TextRule? = nil) -> String? {
        guard let value = present(key) else { return nil }
        return text(value, field: key, minLength: minLength, maxLength: maxLength, rule: rule)
    }

    /// A string value checked for NUL and length; `field` is the name reported.
    private mutating func text(_ value: JSONValue, field: String, minLength: Int? = nil, maxLength: Int? = nil, rule: TextRule? = nil) -> String? {
        guard case let .string(s) = value else {
            fail(field, "must be a string, not \(value.kindDescription)")
            return nil
        }
        if let problem = FieldChecks.textProblem(s, minLength: minLength, maxLength: maxLength, rule: rule) {
            fail(field, problem)
            return nil
        }
        return s
    }

    mutating func strings(_ key: String, maxItems: Int? = nil, minLength: Int? = nil, maxLength: Int? = nil, rule: TextRule? = nil) -> [String]? {
        guard let items = array(key, maxItems: maxItems, of: "strings") else { return nil }
        var out: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let s = text(item, field: "\(key)[\(i)]", minLength: minLength, maxLength: maxLength, rule: rule) { out.append(s) } else { ok = false }
        }
        return ok ? out : nil
    }

    mutating func integers(_ key: String, maxItems: Int? = nil, minimum: Int64? = nil, maximum: Int64? = nil) -> [Int64]? {
        guard let items = array(key, maxItems: maxItems, of: "whole numbers") else { return nil }
        var out: [Int64] = []
        for (i, item) in items.enumerated() {
            guard let v = Self.integer(item, field: path + "\(key)[\(i)]", minimum: minimum, maximum: maximum, into: &violations) else { return nil }
            out.append(v)
        }
        return out
    }

    /// The elements of an array field, at most `maxItems`.
    private mutating func array(_ key: String, maxItems: Int?, minItems: Int? = nil, of what: String) -> [JSONValue]? {
        guard let value = present(key) else { return nil }
        guard case let .array(items) = value else {
            fail(key, "must be an array of \(what), not \(value.kindDescription)")
            return nil
        }
        if let problem = FieldChecks.itemsProblem(count: items.count, minItems: minItems, maxItems: maxItems) {
            fail(key, problem)
            return nil
        }
        return items
    }

    mutating func integer(_ key: String, minimum: Int64? = nil, maximum: Int64? = nil) -> Int64? {
        guard let value = present(key) else { return nil }
        return Self.integer(value, field: path + key, minimum: minimum, maximum: maximum, into: &violations)
    }

    static func integer(_ value: JSONValue, field: String, minimum: Int64? = nil, maximum: Int64? = nil, into violations: inout [FieldViolation]) -> Int64? {
        guard case let .number(n) = value else {
            violations.append(FieldViolation(field: field, description: "must be a whole number, not \(value.kindDescription)"))
            return nil
        }
        guard n.isInteger else {
            violations.append(FieldViolation(field: field, description: "must be a whole number (\(n.text) is not)"))
            return nil
        }
        guard let v = n.int64 else {
            violations.append(FieldViolation(field: field, description: "must be between -9223372036854775808 and 9223372036854775807 (\(n.text) is not)"))
            return nil
        }
        if let problem = FieldChecks.integerProblem(v, minimum: minimum, maximum: maximum) {
            violations.append(FieldViolation(field: field, description: problem))
            return nil
        }
        return v
    }

    /// A whole number above zero: an id.
    mutating func id(_ key: String) -> Int64? { integer(key, minimum: 1) }

    /// An id the request cannot do without: absent or null is "is required" (`what`
    /// says what it names).
    mutating func requiredID(_ key: String, _ what: String) -> Int64? {
        if object[key] == nil {
            fail(key, "is required: \(what)")
            return nil
        }
        return id(key)
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = present(key) else { return nil }
        guard case let .bool(flag) = value else {
            fail(key, "must be true or false, not \(value.kindDescription)")
            return nil
        }
        return flag
    }

    /// An RFC 3339 date-time, as UTC milliseconds.
    mutating func timestamp(_ key: String) -> Int64? {
        guard let text = string(key) else { return nil }
        guard let ms = RFC3339.parse(text) else {
            fail(key, "must be an RFC 3339 time such as 2026-01-31T09:00:00Z (not \"\(text)\")")
            return nil
        }
        return ms
    }

    mutating func object(_ key: String) -> JSONObject? {
        guard let value = present(key) else { return nil }
        guard case let .object(o) = value else {
            fail(key, "must be an object, not \(value.kindDescription)")
            return nil
        }
        return o
    }

    /// The objects of an array field, each with the path its fields are reported under.
    mutating func objects(_ key: String, maxItems: Int? = nil, minItems: Int? = nil) -> [(object: JSONObject, path: String)]? {
        guard let items = array(key, maxItems: maxItems, minItems: minItems, of: "objects") else { return nil }
        var out: [(JSONObject, String)] = []
        for (i, item) in items.enumerated() {
            guard case let .object(o) = item else {
                fail("\(key)[\(i)]", "must be an object, not \(item.kindDescription)")
                return nil
            }
            out.append((o, path + "\(key)[\(i)]."))
        }
        return out
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

    /// An object of string values, in name order (custom fields).
    mutating func nameValues(_ key: String, maxItems: Int? = nil, maxValueLength: Int? = nil) -> [CustomField]? {
        guard let o = object(key) else { return nil }
        if let problem = FieldChecks.itemsProblem(count: o.count, maxItems: maxItems) {
            fail(key, problem)
            return nil
        }
        var fields: [CustomField] = []
        for (name, value) in o.members.sorted(by: { $0.key < $1.key }) {
            if let problem = FieldChecks.nameProblem(name) {
                fail(key, problem)
                return nil
            }
            guard let text = text(value, field: "\(key).\(name)", maxLength: maxValueLength) else { return nil }
            fields.append(CustomField(name: name, value: text))
        }
        return fields
    }

    /// Fields the caller sent that the request does not take: a typo (`phone` for
    /// `phones`) must not pass silently, nor a field the server sets.
    mutating func refuseUnknown(_ known: Set<String>, readOnly: Set<String> = [], hint: String = "") {
        for key in object.keys where !known.contains(key) {
            fail(key, readOnly.contains(key) ? "is set by the server; leave it out" : "is not a field of this request" + hint)
        }
    }

    func failure() -> RPCError? {
        violations.isEmpty ? nil : .invalidArgument("the request has \(violations.count) invalid field(s)", details: violations)
    }
}
