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

    static let registry = CustomFieldRegistry(entity: "deal", valuesTable: "deal_fields", ownerColumn: "deal_id")

    static func all(_ c: Connection) throws -> [CustomFieldDefinition] {
        try registry.all(c)
    }

    public func list() async throws -> CustomFieldDefinitionList {
        CustomFieldDefinitionList(fields: try await database.read { try Self.all($0) })
    }

    /// Declares the field or changes it; the pipelines it is required in must exist.
    public func put(_ input: CustomFieldDefinition) async throws -> CustomFieldDefinition {
        let now = clock.milliseconds
        return try await database.write { tx in
            for pipeline in input.pipelineIDs where try tx.queryFirst("SELECT 1 FROM pipelines WHERE id = ?", [.integer(pipeline)], { _ in true }) == nil {
                throw RPCError.invalidArgument("pipeline \(pipeline) does not exist", details: [FieldViolation(field: "pipelineIds", description: "names pipeline \(pipeline), which does not exist")])
            }
            return try Self.registry.put(tx, input, at: now)
        }
    }

    /// The deal's values, as the list filters see them.
    static func index(_ tx: Transaction, _ deal: Deal) throws {
        try tx.run("DELETE FROM deal_fields WHERE deal_id = ?", [.integer(deal.id)])
        for field in deal.customFields where !field.value.isEmpty {
            try tx.run("INSERT OR REPLACE INTO deal_fields (deal_id, name, value) VALUES (?, ?, ?)", [.integer(deal.id), .text(field.name), .text(field.value)])
        }
    }
}
