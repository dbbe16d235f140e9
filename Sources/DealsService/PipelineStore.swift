import ServiceKit
import Contracts
import Foundation
import Storage
import Wire

/// D1: pipelines and their stages in the deals database.
public struct PipelineStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func create(_ input: Pipeline) async throws -> Pipeline {
        let pipeline = try PipelineValidator.validate(input).get()
        return try await database.write { tx in
            if try tx.queryFirst("SELECT 1 FROM pipelines WHERE name = ?", [.text(pipeline.name)], { _ in true }) != nil {
                throw RPCError(.alreadyExists, "a pipeline named \"\(pipeline.name)\" exists")
            }
            if pipeline.isDefault { try tx.run("UPDATE pipelines SET is_default = 0") }
            try tx.run(
                "INSERT INTO pipelines (name, channels, is_default, created_at, reply_within_minutes) VALUES (?, ?, ?, ?, ?)",
                [.text(pipeline.name), .text(pipeline.channels.joined(separator: ",")), SQLValue(pipeline.isDefault), .integer(clock.milliseconds),
                 SQLValue(pipeline.replyWithinMinutes)])
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

    /// A working stage named for an offer (offer, proposal, предложение): where the
    /// dialer's offer_made moves a deal, and what D7 counts as reaching an offer.
    static func isOffer(_ stage: DealStage) -> Bool {
        stage.outcome == .inProgress && ["offer", "proposal", "предложение"].contains { stage.name.lowercased().contains($0) }
    }

    static func load(_ c: Connection) throws -> [Pipeline] {
        var pipelines = try c.query("SELECT id, name, channels, is_default, reply_within_minutes FROM pipelines ORDER BY id") { row in
            Pipeline(
                id: row.int64("id"), name: row.string("name"), channels: row.string("channels").split(separator: ",").map(String.init),
                isDefault: row.bool("is_default"), replyWithinMinutes: row.optionalInt64("reply_within_minutes"))
        }
        let stages = try c.query("SELECT \(stageColumns) FROM stages ORDER BY pipeline_id, position") { row in
            (row.int64("pipeline_id"), Self.stage(row))
        }
        for i in pipelines.indices { pipelines[i].stages = stages.filter { $0.0 == pipelines[i].id }.map(\.1) }
        return pipelines
    }

    static let stageColumns = "id, pipeline_id, name, position, sla_minutes, outcome"

    private static func stage(_ row: Row) -> DealStage {
        DealStage(
            id: row.int64("id"), name: row.string("name"), position: row.int64("position"), slaMinutes: row.int64("sla_minutes"),
            outcome: StageOutcome(rawValue: row.int("outcome")) ?? .unspecified)
    }

    /// A stage and the pipeline it belongs to.
    static func stage(_ c: Connection, id: Int64) throws -> (stage: DealStage, pipelineID: Int64)? {
        try c.queryFirst("SELECT \(stageColumns) FROM stages WHERE id = ?", [.integer(id)]) { row in
            (Self.stage(row), row.int64("pipeline_id"))
        }
    }
}
