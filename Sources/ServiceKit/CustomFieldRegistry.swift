public import Contracts
public import Storage
import Wire

/// Issue 26 item 2: the custom fields an admin declares for one kind of thing (deals,
/// contacts), kept in the service that keeps the things (`custom_fields`), beside the
/// values indexed by name (`valuesTable`: `ownerColumn`, `name`, `value`). A declaration
/// changes its type only while every value held still reads; each change is a line of its
/// history (entity `<entity>_field`).
public struct CustomFieldRegistry: Sendable {
    /// `deal` or `contact`: what answers carry as `entity`.
    public let entity: String
    let valuesTable: String
    let ownerColumn: String

    public init(entity: String, valuesTable: String, ownerColumn: String) {
        self.entity = entity
        self.valuesTable = valuesTable
        self.ownerColumn = ownerColumn
    }

    /// The table, for a service's migration.
    public static let migration = "CREATE TABLE custom_fields (name TEXT PRIMARY KEY, definition BLOB NOT NULL);"

    /// The names `names` declared as text (a migration's: what things held before), those
    /// that make a name.
    public static func declareAsText(_ c: Connection, _ names: Set<String>) throws {
        for name in names where name.wholeMatch(of: /[a-z][a-z0-9_]*/) != nil {
            var definition = CustomFieldDefinition(name: name, type: .text)
            definition.label = name
            try c.run("INSERT OR IGNORE INTO custom_fields (name, definition) VALUES (?, ?)", [.text(name), .blob(definition.wireBytes())])
        }
    }

    public func all(_ c: Connection) throws -> [CustomFieldDefinition] {
        try c.query("SELECT definition FROM custom_fields ORDER BY name", []) {
            var definition = try CustomFieldDefinition(wireBytes: $0.blob(0))
            definition.entity = entity
            return definition
        }
    }

    /// Declares the field or changes it, in `tx`.
    public func put(_ tx: Transaction, _ input: CustomFieldDefinition, at now: Int64) throws -> CustomFieldDefinition {
        var definition = input
        definition.options = input.options.map { $0.trimming(.spaces) }
        definition.label = input.label.trimming(.spaces)
        (definition.actorID, definition.credentialID, definition.entity) = (nil, nil, "")
        let violations = CustomFieldCheck.violations(of: definition)
        guard violations.isEmpty else { throw RPCError.invalidArgument("the field is not valid", details: violations) }
        let before = try tx.queryFirst("SELECT rowid, definition FROM custom_fields WHERE name = ?", [.text(definition.name)]) {
            ($0.int64(0), try CustomFieldDefinition(wireBytes: $0.blob(1)))
        }
        if !definition.archived {
            // Values held already must still read (up to five named).
            var refused: [String] = []
            for (owner, value) in try tx.query(
                "SELECT \(ownerColumn), value FROM \(valuesTable) WHERE name = ?", [.text(definition.name)], { ($0.int64(0), $0.string(1)) })
            {
                if let problem = CustomFieldCheck.problem(value, definition) { refused.append("\(entity) \(owner) \(problem)") }
                if refused.count == 5 { break }
            }
            guard refused.isEmpty else {
                throw RPCError.invalidArgument("\(entity)s hold values this declaration refuses", details: refused.map { FieldViolation(field: "type", description: $0) })
            }
        }
        try tx.run(
            "INSERT INTO custom_fields (name, definition) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET definition = excluded.definition",
            [.text(definition.name), .blob(definition.wireBytes())])
        let row = try before?.0 ?? tx.queryFirst("SELECT rowid FROM custom_fields WHERE name = ?", [.text(definition.name)]) { $0.int64(0) } ?? 0
        try SetupLog.record(
            tx, entity: "\(entity)_field", id: row, by: SetupLog.Author(staffID: input.actorID, credentialID: input.credentialID), at: now,
            Self.changes(before?.1, definition))
        definition.entity = entity
        return definition
    }

    static func changes(_ old: CustomFieldDefinition?, _ new: CustomFieldDefinition) -> [String] {
        guard let old else { return ["declared \(new.name): \(new.type.name)" + (new.required ? ", required" : "")] }
        var lines: [String] = []
        if old.type != new.type { lines.append("type \(old.type.name) → \(new.type.name)") }
        if old.label != new.label { lines.append("label \"\(old.label)\" → \"\(new.label)\"") }
        if old.options != new.options { lines.append("options \(old.options.joined(separator: ", ")) → \(new.options.joined(separator: ", "))") }
        if old.required != new.required || old.pipelineIDs != new.pipelineIDs {
            lines.append(new.required ? "required" + (new.pipelineIDs.isEmpty ? "" : " in pipelines \(new.pipelineIDs.map(String.init).joined(separator: ", "))") : "not required")
        }
        if old.archived != new.archived { lines.append(new.archived ? "archived" : "restored") }
        return lines
    }
}
