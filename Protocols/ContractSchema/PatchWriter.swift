/// Writes what a PATCH of a message needs in Swift (the messages a ``JSONFace/patchMask``
/// field names): the JSON names a patch may change and `apply(_:fieldMask:)`, which copies
/// the named fields and answers what is wrong, so a service changes a new editable field
/// without a line of its own (after AIP-134's update mask).
struct PatchWriter {
    /// The messages some request patches.
    let targets: Set<String>

    init(messages: [String: Message]) {
        targets = Set(messages.values.flatMap(\.patchTargets))
    }

    func source(_ m: Message) -> String {
        guard targets.contains(m.name) else { return "" }
        let fields = m.patchableFields
        let names = fields.map { $0.json.name(for: $0.name) }
        var out = "\nextension \(m.name) {\n"
        out += "    /// The JSON names of the fields a patch may change (a field mask names these).\n"
        out += "    public static let patchableFields: Set<String> = [\(names.map { "\"\($0)\"" }.joined(separator: ", "))]\n\n"
        out += "    /// Copies the fields `fieldMask` names (JSON names) from `patch`, and answers what is wrong: a name\n"
        out += "    /// a patch may not change, or a value of a named field the schema refuses. Fields not named stay.\n"
        out += "    public mutating func apply(_ patch: \(m.name), fieldMask: [String]) -> [FieldViolation] {\n"
        out += "        var checks = FieldChecks()\n"
        out += "        for name in fieldMask {\n            switch name {\n"
        for (f, name) in zip(fields, names) {
            let member = SwiftContractWriter.identifier(f.name)
            out += "            case \"\(name)\": self.\(member) = patch.\(member)\n"
        }
        out += "            default: checks.fail(name, \"is not a field a patch may change\")\n            }\n        }\n"
        out += "        let named = Set(fieldMask).intersection(Self.patchableFields)\n"
        out += "        return checks.violations + patch.violations().filter { named.contains(FieldChecks.root(of: $0.field)) }\n"
        out += "    }\n}\n"
        return out
    }
}
