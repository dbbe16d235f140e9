/// Writes each request message's `violations(under:)`: the field constraints the schema
/// declares (lengths, bounds, text rules, list sizes, required fields, allowed cases),
/// checked on the Swift value with ``FieldChecks``. The gateway checks the same on JSON
/// before a call; a service calls this on what it takes over the wire, so nobody writes
/// a schema's limit a second time.
///
/// On the wire an absent field and its default are one thing, so a plain field holding
/// its default counts as absent: "is required" when the schema requires it, unchecked
/// otherwise.
struct ViolationsWriter {
    let messages: [String: Message]
    let enumerations: [String: Enumeration]

    /// Whether `name` gets a `violations(under:)`: messages read from requests.
    func isChecked(_ name: String) -> Bool {
        guard let m = messages[name] else { return false }
        return m.rest.contains(.input) || m.rest.contains(.query)
    }

    func source(_ m: Message) -> String {
        guard isChecked(m.name) else { return "" }
        var body = ""
        for f in m.fields where f.json.exposure.isInput { body += check(f) }
        var out = "\nextension \(m.name) {\n"
        out += "    /// The schema's constraints on what a request may hold, each problem named by its JSON path under `path`.\n"
        out += "    public func violations(under path: String = \"\") -> [FieldViolation] {\n"
        if body.isEmpty { return out + "        []\n    }\n}\n" }
        out += "        var checks = FieldChecks(path: path)\n" + body
        out += "        return checks.violations\n    }\n}\n"
        return out
    }

    static func arguments(_ parts: [String?]) -> String {
        let present = parts.compactMap { $0 }
        return present.isEmpty ? "" : ", " + present.joined(separator: ", ")
    }

    func textArguments(_ f: Field) -> String {
        Self.arguments([f.json.minLength.map { "minLength: \($0)" }, f.json.maxLength.map { "maxLength: \($0)" }, f.json.rule.map { "rule: .\($0.rawValue)" }])
    }

    func boundArguments(_ f: Field) -> String {
        Self.arguments([f.json.minimum.map { "minimum: \($0)" }, f.json.maximum.map { "maximum: \($0)" }])
    }

    func itemArguments(_ f: Field) -> String {
        Self.arguments([f.json.minItems.map { "minItems: \($0)" }, f.json.maxItems.map { "maxItems: \($0)" }])
    }

    func check(_ f: Field) -> String {
        let key = "\"\(f.json.name(for: f.name))\""
        let value = "self.\(SwiftContractWriter.identifier(f.name))"
        let i = "        "
        if f.json.inline, case let .message(name) = f.type {
            return isChecked(name) ? "\(i)checks.append(\(value).violations(under: path))\n" : ""
        }
        switch f.type {
        case .string:
            let text = "checks.text(\(key), \(value)\(textArguments(f)))"
            return f.json.required ? "\(i)if \(value).isEmpty { checks.required(\(key)) } else { \(text) }\n" : "\(i)if !\(value).isEmpty { \(text) }\n"
        case .optional(.string):
            return "\(i)if let value = \(value) { checks.text(\(key), value\(textArguments(f))) }\n"
        case .int64:
            let bounds = f.json.form == .timestamp ? "" : boundArguments(f)
            if f.json.required { return "\(i)if \(value) == 0 { checks.required(\(key)) }\(bounds.isEmpty ? "" : " else { checks.integer(\(key), \(value)\(bounds)) }")\n" }
            return bounds.isEmpty ? "" : "\(i)if \(value) != 0 { checks.integer(\(key), \(value)\(bounds)) }\n"
        case .optional(.int64):
            let bounds = f.json.form == .timestamp ? "" : boundArguments(f)
            return bounds.isEmpty ? "" : "\(i)if let value = \(value) { checks.integer(\(key), value\(bounds)) }\n"
        case let .enumeration(name), let .optional(.enumeration(name)):
            var out = ""
            let binding = f.type.isOptional ? "let value = \(value)" : "case let value = \(value)"
            if f.json.required, !f.type.isOptional { out += "\(i)if \(value).rawValue == 0 { checks.required(\(key)) }\n" }
            if let allowed = f.json.allowed, let e = enumerations[name] {
                let cases = e.cases.filter { allowed.contains($0.apiName) }
                let list = cases.map { ".\(SwiftContractWriter.identifier($0.name))" }.joined(separator: ", ")
                out += "\(i)if \(binding), value.rawValue != 0, ![\(list)].contains(value) {\n"
                out += "\(i)    checks.fail(\(key), \"must be one of \(cases.map(\.apiName).joined(separator: ", ")) (not \\\"\\(value.name)\\\")\")\n\(i)}\n"
            }
            return out
        case .repeated(.string):
            return "\(i)if checks.items(\(key), count: \(value).count\(itemArguments(f))) {\n"
                + "\(i)    for (n, item) in \(value).enumerated() { checks.text(\(key) + \"[\\(n)]\", item\(textArguments(f))) }\n\(i)}\n"
        case .repeated(.int64):
            let bounds = boundArguments(f)
            guard !bounds.isEmpty else { return "\(i)checks.items(\(key), count: \(value).count\(itemArguments(f)))\n" }
            return "\(i)if checks.items(\(key), count: \(value).count\(itemArguments(f))) {\n"
                + "\(i)    for (n, item) in \(value).enumerated() { checks.integer(\(key) + \"[\\(n)]\", item\(bounds)) }\n\(i)}\n"
        case .repeated(.message) where f.json.form == .nameValueObject:
            let arguments = Self.arguments([f.json.maxItems.map { "maxItems: \($0)" }, f.json.maxLength.map { "maxValueLength: \($0)" }])
            return "\(i)checks.nameValues(\(key), \(value)\(arguments))\n"
        case let .repeated(.message(name)):
            let items = "checks.items(\(key), count: \(value).count\(itemArguments(f)))"
            guard isChecked(name) else { return "\(i)\(items)\n" }
            return "\(i)if \(items) {\n\(i)    for (n, item) in \(value).enumerated() { checks.append(item.violations(under: path + \(key) + \"[\\(n)].\")) }\n\(i)}\n"
        case let .message(name):
            return isChecked(name) ? "\(i)checks.append(\(value).violations(under: path + \(key) + \".\"))\n" : ""
        case let .optional(.message(name)):
            return isChecked(name) ? "\(i)if let value = \(value) { checks.append(value.violations(under: path + \(key) + \".\")) }\n" : ""
        default:
            return ""
        }
    }
}
