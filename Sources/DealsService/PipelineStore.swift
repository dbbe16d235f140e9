import Contracts
import Foundation
import Storage
import Wire

/// D1: pipelines and their stages in the deals database.
public struct PipelineStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func create(_ input: Pipeline) async throws -> Pipeline {
        let pipeline = try PipelineValidator.validate(input).get()
        return try await database.write { tx in
            if try tx.queryFirst("SELECT 1 FROM pipelines WHERE name = ?", [.text(pipeline.name)], { _ in true }) != nil {
                throw RPCError(.alreadyExists, "a pipeline named \"\(pipeline.name)\" exists")
            }
            if pipeline.isDefault { try tx.run("UPDATE pipelines SET is_default = 0") }
            try tx.run(
                "INSERT INTO pipelines (name, channels, is_default, created_at) VALUES (?, ?, ?, ?)",
                [.text(pipeline.name), .text(pipeline.channels.joined(separator: ",")), SQLValue(pipeline.isDefault), .integer(DealStore.now())])
            let id = tx.lastInsertRowID
            for stage in pipeline.stages {
                try tx.run(
                    "INSERT INTO stages (pipeline_id, name, position, sla_minutes, outcome) VALUES (?, ?, ?, ?, ?)",
                    [.integer(id), .text(stage.name), .integer(stage.position), .integer(stage.slaMinutes), .integer(Int64(stage.outcome.rawValue))])
            }
            return try Self.load(tx.connection).first { $0.id == id }!
        }
    }

    public func all() async throws -> [Pipeline] {
        try await database.read { try Self.load($0) }
    }

    static func load(_ c: Connection) throws -> [Pipeline] {
        var pipelines = try c.query("SELECT id, name, channels, is_default FROM pipelines ORDER BY id") { row in
            var p = Pipeline()
            p.id = row.int64(0)
            p.name = row.string(1)
            p.channels = row.string(2).split(separator: ",").map(String.init)
            p.isDefault = row.bool(3)
            return p
        }
        let stages = try c.query("SELECT id, pipeline_id, name, position, sla_minutes, outcome FROM stages ORDER BY pipeline_id, position") { row in
            (row.int64(1), Self.stage(row))
        }
        for i in pipelines.indices { pipelines[i].stages = stages.filter { $0.0 == pipelines[i].id }.map(\.1) }
        return pipelines
    }

    private static func stage(_ row: Row) -> DealStage {
        var s = DealStage()
        s.id = row.int64(0)
        s.name = row.string(2)
        s.position = row.int64(3)
        s.slaMinutes = row.int64(4)
        s.outcome = StageOutcome(rawValue: row.int(5)) ?? .unspecified
        return s
    }

    /// A stage and the pipeline it belongs to.
    static func stage(_ c: Connection, id: Int64) throws -> (stage: DealStage, pipelineID: Int64)? {
        try c.queryFirst("SELECT id, pipeline_id, name, position, sla_minutes, outcome FROM stages WHERE id = ?", [.integer(id)]) { row in
            (Self.stage(row), row.int64(1))
        }
    }
}
