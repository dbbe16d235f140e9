/// The rules a schema must keep before anything is generated from it: field numbers
/// unique within a message and in the codec's range, never a reserved number or name,
/// every type named declared, enumerations with a case 0 and unique numbers, no name
/// declared twice.
public struct SchemaValidator {
    let files: [ContractFile]

    public init(files: [ContractFile]) {
        self.files = files
    }

    public func validate() throws(SchemaError) {
        var problems: [String] = []
        var declared: [String: String] = ["Empty": "Wire"]
        let messages = files.flatMap(\.messages)
        let enumerations = files.flatMap(\.enumerations)
        for file in files {
            for name in file.messages.map(\.name) + file.enumerations.map(\.name) + file.aliases.map(\.name) + file.services.map(\.name) {
                if let other = declared[name] { problems.append("\(name) is declared in \(other) and in \(file.name)") }
                declared[name] = file.name
            }
        }
        let messageNames = Set(messages.map(\.name) + files.flatMap(\.aliases).map(\.name) + ["Empty"])
        let enumNames = Set(enumerations.map(\.name))
        for m in messages {
            var numbers: Set<Int> = []
            var names: Set<String> = []
            for f in m.fields {
                let at = "\(m.name).\(f.name)"
                if !(1...536_870_911).contains(f.number) { problems.append("\(at): field number \(f.number) is outside 1...536870911") }
                if !numbers.insert(f.number).inserted { problems.append("\(at): field number \(f.number) is used twice") }
                if !names.insert(f.name).inserted { problems.append("\(at): the name is used twice") }
                if m.reservedNumbers.contains(f.number) { problems.append("\(at): field number \(f.number) is reserved (it was used before)") }
                if m.reservedNames.contains(f.name) { problems.append("\(at): the name \(f.name) is reserved (it was used before)") }
                switch f.type.base {
                case let .message(name) where !messageNames.contains(name): problems.append("\(at): no message \(name) is declared")
                case let .enumeration(name) where !enumNames.contains(name): problems.append("\(at): no enumeration \(name) is declared")
                default: break
                }
                if let mask = f.json.patchMask {
                    if case let .message(name) = f.type, messages.first(where: { $0.name == name })?.rest.contains(.input) == true {} else {
                        problems.append("\(at): a patch is a message field of a message read from requests")
                    }
                    if m.field(mask)?.type != .repeated(.string) { problems.append("\(at): its mask \(mask) must be a repeated string field of \(m.name)") }
                }
                if case let .optional(inner) = f.type, inner.isOptional || inner.isRepeated { problems.append("\(at): optional of \(inner) is not a field type") }
                if case let .repeated(inner) = f.type {
                    switch inner {
                    case .string, .int64, .message: break
                    default: problems.append("\(at): repeated \(inner) is not supported by the codec (strings, int64 and messages are)")
                    }
                }
            }
        }
        for e in enumerations {
            if e.zero == nil { problems.append("\(e.name): needs a case numbered 0 (what unknown values read as)") }
            if Set(e.cases.map(\.number)).count != e.cases.count { problems.append("\(e.name): a case number is used twice") }
            if Set(e.cases.map(\.apiName)).count != e.cases.count { problems.append("\(e.name): an API name is used twice") }
        }
        for s in files.flatMap(\.services) {
            for method in s.methods {
                for type in [method.request, method.response] where !messageNames.contains(type) {
                    problems.append("\(s.name).\(method.name): no message \(type) is declared")
                }
                let callers = s.callers(of: method)
                if callers.isEmpty { problems.append("\(s.name).\(method.name): name who may call it (callers:)") }
                for caller in callers where !(CallerIdentity.all + [CallerIdentity.anyone]).contains(caller) {
                    problems.append("\(s.name).\(method.name): \(caller) is no caller identity (\(CallerIdentity.all.joined(separator: ", ")) or *)")
                }
            }
            for event in s.events where !messageNames.contains(event.payload) {
                problems.append("\(s.name).Event.\(event.name): no message \(event.payload) is declared for its payload")
            }
        }
        let declarations = Dictionary(grouping: files.flatMap(\.services).flatMap(\.events), by: \.type)
        for (type, events) in declarations.sorted(by: { $0.key < $1.key }) where events.count > 1 {
            problems.append("event type \(type) is declared by more than one service")
        }
        guard problems.isEmpty else { throw SchemaError(problems: problems) }
    }
}

/// What is wrong with a schema, every problem at once.
public struct SchemaError: Error, CustomStringConvertible, Equatable {
    public let problems: [String]
    public var description: String { "the schema has \(problems.count) problem(s):\n" + problems.map { "- \($0)" }.joined(separator: "\n") }
}
