import Wire

/// The checks a schema's field constraints stand for, written once: the gateway's JSON
/// readers and each message's generated `violations(under:)` call them, so a limit means
/// the same at the edge and in the service that keeps it (lengths count Unicode code
/// points, as JSON Schema does), and the wording a caller reads is the same from both.
///
/// It collects every problem as a ``FieldViolation`` named by its JSON path under
/// `path` (`stages[0].name`), so a caller fixes all of them in one go.
public struct FieldChecks: Sendable {
    /// Prefix of the field names reported (`stages[0].`).
    public let path: String
    public private(set) var violations: [FieldViolation] = []

    /// The longest name a custom field may have (the name-value objects of G1).
    public static let maxCustomFieldNameLength = 200

    public init(path: String = "") {
        self.path = path
    }

    public mutating func fail(_ field: String, _ description: String) {
        violations.append(FieldViolation(field: path + field, description: description))
    }

    /// Problems found under another path (a nested message's).
    public mutating func append(_ nested: [FieldViolation]) { violations += nested }

    public mutating func required(_ field: String) { fail(field, "is required") }

    public mutating func text(_ field: String, _ value: String, minLength: Int? = nil, maxLength: Int? = nil, rule: TextRule? = nil) {
        if let problem = Self.textProblem(value, minLength: minLength, maxLength: maxLength, rule: rule) { fail(field, problem) }
    }

    public mutating func integer(_ field: String, _ value: Int64, minimum: Int64? = nil, maximum: Int64? = nil) {
        if let problem = Self.integerProblem(value, minimum: minimum, maximum: maximum) { fail(field, problem) }
    }

    /// Whether the list's length is within bounds (recording why not).
    @discardableResult
    public mutating func items(_ field: String, count: Int, minItems: Int? = nil, maxItems: Int? = nil) -> Bool {
        guard let problem = Self.itemsProblem(count: count, minItems: minItems, maxItems: maxItems) else { return true }
        fail(field, problem)
        return false
    }

    /// Custom fields: at most `maxItems`, each name and value within its length.
    public mutating func nameValues(_ field: String, _ values: [CustomField], maxItems: Int? = nil, maxValueLength: Int? = nil) {
        guard items(field, count: values.count, maxItems: maxItems) else { return }
        for value in values {
            if let problem = Self.nameProblem(value.name) {
                fail(field, problem)
                continue
            }
            text("\(field).\(value.name)", value.value, maxLength: maxValueLength)
        }
    }

    /// The top-level field a violation's path starts with (`customFields` of
    /// `customFields.nps`, `stages` of `stages[0].name`).
    public static func root(of path: String) -> String {
        String(path.prefix { $0 != "." && $0 != "[" })
    }

    /// What is wrong with a string, nil when nothing is: NUL, its length, its rule.
    public static func textProblem(_ text: String, minLength: Int? = nil, maxLength: Int? = nil, rule: TextRule? = nil) -> String? {
        if text.utf8.contains(0) { return "must not contain the NUL character (\\u0000)" }
        if minLength != nil || maxLength != nil {
            let length = text.unicodeScalars.count
            if let minLength, length < minLength { return minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters" }
            if let maxLength, length > maxLength { return "must be at most \(maxLength) characters, not \(length)" }
        }
        return rule?.problem(text)
    }

    public static func integerProblem(_ value: Int64, minimum: Int64? = nil, maximum: Int64? = nil) -> String? {
        if let minimum, value < minimum { return minimum == 1 ? "must be a positive whole number, not \(value)" : "must be at least \(minimum), not \(value)" }
        if let maximum, value > maximum { return "must be at most \(maximum), not \(value)" }
        return nil
    }

    public static func itemsProblem(count: Int, minItems: Int? = nil, maxItems: Int? = nil) -> String? {
        if let maxItems, count > maxItems { return "must have at most \(maxItems) entries, not \(count)" }
        if let minItems, count < minItems { return "must have at least \(minItems) entries, not \(count)" }
        return nil
    }

    /// A custom field's name: not empty, no NUL, at most ``maxCustomFieldNameLength``.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "a name must not be empty" }
        if name.utf8.contains(0) { return "a name must not contain the NUL character (\\u0000)" }
        if name.unicodeScalars.count > maxCustomFieldNameLength { return "a name must be at most \(maxCustomFieldNameLength) characters" }
        return nil
    }
}
