import Contracts
import ServiceKit
import Storage
import Wire

/// Issue 26 item 2: the deal fields an admin declares, and each deal's values indexed by
/// name (`deal_fields`) so lists filter on them. Declared fields are checked on every
/// write a person or integration makes (``CustomFieldCheck``); names nobody declared stay
/// free text, as the services' own fields (`nps`, a bot's answers) are.
public struct DealFieldStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    static func all(_ c: Connection) throws -> [CustomFieldDefinition] {
        try c.query("SELECT definition FROM custom_fields ORDER BY name", []) {
            var definition = try CustomFieldDefinition(wireBytes: $0.blob(0))
            definition.entity = "deal"
            return definition
        }
    }

    public func list() async throws -> CustomFieldDefinitionList {
        CustomFieldDefinitionList(fields: try await database.read { try Self.all($0) })
    }

    /// Declares the field or changes it. A new type must accept every value deals hold;
    /// each change is a line of its history (entity `deal_field`, by the field's row id).
    public func put(_ input: CustomFieldDefinition) async throws -> CustomFieldDefinition {
        var definition = input
        definition.options = input.options.map { $0.trimmingCharacters(in: .whitespaces) }
        definition.label = input.label.trimmingCharacters(in: .whitespaces)
        (definition.actorID, definition.credentialID, definition.entity) = (nil, nil, "")
        let violations = CustomFieldCheck.violations(of: definition)
        guard violations.isEmpty else { throw RPCError.invalidArgument("the field is not valid", details: violations) }
        let now = clock.milliseconds
        let stored = definition
        return try await database.write { tx in
            let before = try tx.queryFirst("SELECT rowid, definition FROM custom_fields WHERE name = ?", [.text(stored.name)]) {
                ($0.int64(0), try CustomFieldDefinition(wireBytes: $0.blob(1)))
            }
            for pipeline in stored.pipelineIDs where try tx.queryFirst("SELECT 1 FROM pipelines WHERE id = ?", [.integer(pipeline)], { _ in true }) == nil {
                throw RPCError.invalidArgument("pipeline \(pipeline) does not exist", details: [FieldViolation(field: "pipelineIds", description: "names pipeline \(pipeline), which does not exist")])
            }
            if !stored.archived {
                // Values deals hold already must still read (up to five named).
                var refused: [String] = []
                for (dealID, value) in try tx.query("SELECT deal_id, value FROM deal_fields WHERE name = ?", [.text(stored.name)], { ($0.int64(0), $0.string(1)) }) {
                    if let problem = CustomFieldCheck.problem(value, stored) { refused.append("deal \(dealID) \(problem)") }
                    if refused.count == 5 { break }
                }
                guard refused.isEmpty else {
                    throw RPCError.invalidArgument("deals hold values this declaration refuses", details: refused.map { FieldViolation(field: "type", description: $0) })
                }
            }
            try tx.run(
                "INSERT INTO custom_fields (name, definition) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET definition = excluded.definition",
                [.text(stored.name), .blob(stored.wireBytes())])
            let row = try before?.0 ?? tx.queryFirst("SELECT rowid FROM custom_fields WHERE name = ?", [.text(stored.name)]) { $0.int64(0) } ?? 0
            try SetupLog.record(
                tx, entity: "deal_field", id: row, by: SetupLog.Author(staffID: input.actorID, credentialID: input.credentialID), at: now,
                Self.changes(before?.1, stored))
            var answer = stored
            answer.entity = "deal"
            return answer
        }
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

    /// The deal's values, as the list filters see them.
    static func index(_ tx: Transaction, _ deal: Deal) throws {
        try tx.run("DELETE FROM deal_fields WHERE deal_id = ?", [.integer(deal.id)])
        for field in deal.customFields where !field.value.isEmpty {
            try tx.run("INSERT OR REPLACE INTO deal_fields (deal_id, name, value) VALUES (?, ?, ?)", [.integer(deal.id), .text(field.name), .text(field.value)])
        }
    }
}
