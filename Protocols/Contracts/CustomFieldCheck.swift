import FoundationEssentials
import JSON
public import Wire

/// Issue 26 item 2: custom field values against their declarations, the same for every
/// entity that has them. A value is text whatever its type; a declared field's text must
/// read as its type, an undeclared name stays free text, and a required field must be
/// there. Staff references are only checked for their form here (the service asks who exists).
public enum CustomFieldCheck {
    /// Every field error of `values` (named `customFields.<name>`); `required` is false for
    /// a write that does not set the fields (a patch of something else).
    public static func violations(
        _ values: [CustomField], _ definitions: [CustomFieldDefinition], pipelineID: Int64?, requireMissing required: Bool
    ) -> [FieldViolation] {
        let declared = Dictionary(definitions.filter { !$0.archived }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [FieldViolation] = []
        for field in values {
            guard let definition = declared[field.name] else { continue }
            if let problem = problem(field.value, definition) {
                out.append(FieldViolation(field: "customFields.\(field.name)", description: problem))
            }
        }
        if required {
            let present = Set(values.filter { !$0.value.trimming(.spaces).isEmpty }.map(\.name))
            for definition in declared.values.sorted(by: { $0.name < $1.name }) where definition.required && !present.contains(definition.name) {
                guard definition.pipelineIDs.isEmpty || pipelineID.map(definition.pipelineIDs.contains) == true else { continue }
                out.append(FieldViolation(field: "customFields.\(definition.name)", description: "is required"))
            }
        }
        return out
    }

    /// Why `value` is not a `definition.type`; nil when it is (an empty value is no value).
    public static func problem(_ raw: String, _ definition: CustomFieldDefinition) -> String? {
        let value = raw.trimming(.spaces)
        guard !value.isEmpty else { return nil }
        switch definition.type {
        case .text, .unspecified:
            return nil
        case .number:
            return value.wholeMatch(of: /-?[0-9]+(\.[0-9]+)?/) != nil ? nil : "is not a number (write 12 or -3.5)"
        case .money:
            let parts = value.split(separator: " ")
            guard parts.count == 2, let minor = Int64(parts[0]), abs(minor) <= Money.maximumMinor, Money.exponents[String(parts[1])] != nil else {
                return "is not an amount (write minor units and a currency: 150000 RUB)"
            }
            return nil
        case .date:
            return CivilDate(parsing: value) == nil ? "is not a date (YYYY-MM-DD)" : nil
        case .dateTime:
            return RFC3339.parse(value) == nil ? "is not a date and time (RFC 3339: 2027-01-15T09:00:00+03:00)" : nil
        case .boolean:
            return ["true", "false"].contains(value) ? nil : "is not true or false"
        case .oneOf:
            return definition.options.contains(value) ? nil : "is not one of \(definition.options.joined(separator: ", "))"
        case .manyOf:
            let unknown = value.split(separator: ",").map { $0.trimming(.spaces) }.filter { !definition.options.contains($0) }
            return unknown.isEmpty ? nil : "has \(unknown.joined(separator: ", ")), not among \(definition.options.joined(separator: ", "))"
        case .staff:
            return Int64(value).map { $0 > 0 } == true ? nil : "is not a staff member's id"
        case .url:
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else { return "is not an http(s) URL" }
            return nil
        }
    }

    /// A declaration's own mistakes: options only for the choice types, and some for them.
    public static func violations(of definition: CustomFieldDefinition) -> [FieldViolation] {
        var out = definition.violations()
        let choice = definition.type == .oneOf || definition.type == .manyOf
        if choice && definition.options.isEmpty { out.append(FieldViolation(field: "options", description: "name the values a choice allows")) }
        if !choice && !definition.options.isEmpty { out.append(FieldViolation(field: "options", description: "only one_of and many_of take options")) }
        if Set(definition.options).count != definition.options.count { out.append(FieldViolation(field: "options", description: "has a value twice")) }
        if definition.type == .manyOf, definition.options.contains(where: { $0.contains(",") }) {
            out.append(FieldViolation(field: "options", description: "a many_of option cannot hold a comma (the values are comma-separated)"))
        }
        if definition.name.wholeMatch(of: /[a-z][a-z0-9_]*/) == nil {
            out.append(FieldViolation(field: "name", description: "lower-case letters, digits and _, a letter first"))
        }
        return out
    }
}
