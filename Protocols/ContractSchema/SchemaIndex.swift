/// Every message and enumeration of a set of contract files, by name: what the
/// generators look types up in.
public struct SchemaIndex {
    public let messages: [String: Message]
    public let enumerations: [String: Enumeration]

    public init(_ files: [ContractFile]) {
        var messages: [String: Message] = [:]
        var enumerations: [String: Enumeration] = [:]
        for file in files {
            for m in file.messages { messages[m.name] = m }
            for e in file.enumerations { enumerations[e.name] = e }
        }
        self.messages = messages
        self.enumerations = enumerations
    }
}
