import Contracts
import JSON
import Wire

/// Reads query parameters (percent-decoded) with the same rules as bodies: whole
/// numbers written one way (`5`, not `05` or `+5`), true/false, RFC 3339 times, enum
/// names, lengths in code points, never a NUL; one violation per bad parameter.
struct QueryReader {
    let query: [String: String]
    var violations: [FieldViolation] = []

    init(_ query: [String: String]) {
        self.query = query
    }

    mutating func fail(_ name: String, _ detail: String) {
        violations.append(FieldViolation(field: name, description: detail))
    }

    /// A parameter the document marks required: its absence is a 400, as a body field's is.
    mutating func require(_ name: String) {
        if query[name] == nil { fail(name, "is required") }
    }

    mutating func string(_ name: String, minLength: Int? = nil, maxLength: Int? = nil, rule: TextRule? = nil) -> String? {
        guard let text = query[name] else { return nil }
        if let problem = FieldChecks.textProblem(text, minLength: minLength, maxLength: maxLength, rule: rule) {
            fail(name, problem)
            return nil
        }
        return text
    }

    mutating func integer(_ name: String, minimum: Int64? = nil, maximum: Int64? = nil) -> Int64? {
        guard let text = query[name] else { return nil }
        // A JSON number by its exact value, as the document's `integer` means (20, 20.0),
        // never a form JSON does not have (020, +20).
        guard !text.utf8.contains(where: { $0 <= 32 }), case let .number(number)? = try? JSONParser.parse(Array(text.utf8)), let value = number.int64 else {
            fail(name, "must be a whole number such as 20 (not \"\(text)\")")
            return nil
        }
        if let problem = FieldChecks.integerProblem(value, minimum: minimum, maximum: maximum) {
            fail(name, problem)
            return nil
        }
        return value
    }

    mutating func bool(_ name: String) -> Bool? {
        guard let text = query[name] else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            fail(name, "must be true or false (not \"\(text)\")")
            return nil
        }
    }

    mutating func timestamp(_ name: String) -> Int64? {
        guard let text = query[name] else { return nil }
        guard let ms = RFC3339.parse(text) else {
            fail(name, "must be an RFC 3339 time such as 2026-01-31T00:00:00Z (not \"\(text)\")")
            return nil
        }
        return ms
    }

    mutating func choice<Value>(_ name: String, _ allowed: [(name: String, value: Value)]) -> Value? {
        guard let text = query[name] else { return nil }
        guard let found = allowed.first(where: { $0.name == text }) else {
            fail(name, "must be one of \(allowed.map(\.name).joined(separator: ", ")) (not \"\(text)\")")
            return nil
        }
        return found.value
    }

    func failure() -> RPCError? {
        violations.isEmpty ? nil : .invalidArgument("the query has \(violations.count) invalid parameter(s)", details: violations)
    }
}
