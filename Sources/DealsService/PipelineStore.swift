import ServiceKit
import Contracts
import FoundationEssentials
import Glibc
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

    /// D1 (issue 26): the pipeline as the edit says, in one transaction: kept stages renamed,
    /// moved and their SLAs changed (open deals' SLA timers set again), new stages added,
    /// the others retired after their open deals moved (each a stage change with its
    /// timeline entry and events), and every change in the pipeline's history.
    public func update(_ edit: PipelineEdit) async throws -> Pipeline {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let current = try Self.load(tx.connection).first(where: { $0.id == edit.pipelineID }) else {
                throw RPCError.notFound("pipeline \(edit.pipelineID) does not exist")
            }
            let openDeals = Dictionary(uniqueKeysWithValues: try tx.query(
                "SELECT stage_id, count(*) FROM deals WHERE pipeline_id = ? AND status = 1 GROUP BY stage_id", [.integer(current.id)]
            ) { ($0.int64(0), $0.int(1)) })
            let revision = try PipelineRevision.plan(current, edit, openDeals: openDeals).get()
            if try tx.queryFirst("SELECT 1 FROM pipelines WHERE name = ? AND id != ?", [.text(revision.name), .integer(current.id)], { _ in true }) != nil {
                throw RPCError(.alreadyExists, "a pipeline named \"\(revision.name)\" exists")
            }
            if edit.isDefault { try tx.run("UPDATE pipelines SET is_default = 0") }
            try tx.run(
                "UPDATE pipelines SET name = ?, channels = ?, is_default = ?, reply_within_minutes = ? WHERE id = ?",
                [.text(revision.name), .text(edit.channels.joined(separator: ",")), SQLValue(edit.isDefault || current.isDefault),
                 SQLValue(edit.replyWithinMinutes), .integer(current.id)])
            // Positions are unique per pipeline: every stage steps aside (a retired one for good) before taking its place.
            try tx.run("UPDATE stages SET position = -id WHERE pipeline_id = ?", [.integer(current.id)])
            var idByName: [String: Int64] = [:]
            for (i, stage) in revision.stages.enumerated() {
                if stage.id == 0 {
                    try tx.run(
                        "INSERT INTO stages (pipeline_id, name, position, sla_minutes, outcome) VALUES (?, ?, ?, ?, ?)",
                        [.integer(current.id), .text(stage.name), .integer(Int64(i + 1)), .integer(stage.slaMinutes), .integer(Int64(stage.outcome.rawValue))])
                    idByName[stage.name.lowercased()] = tx.lastInsertRowID
                } else {
                    try tx.run(
                        "UPDATE stages SET name = ?, position = ?, sla_minutes = ? WHERE id = ?",
                        [.text(stage.name), .integer(Int64(i + 1)), .integer(stage.slaMinutes), .integer(stage.id)])
                    idByName[stage.name.lowercased()] = stage.id
                }
            }
            for stageID in revision.slaChanged {
                guard let stage = try Self.stage(tx.connection, id: stageID)?.stage else { continue }
                for deal in try tx.query("SELECT \(DealStore.columns) FROM deals WHERE stage_id = ? AND status = 1", [.integer(stageID)], DealStore.deal) {
                    try DealStore.armSLA(tx, deal: deal, stage: stage)
                }
            }
            for stage in revision.retired {
                if let target = revision.moves[stage.id].flatMap({ idByName[$0.lowercased()] }) {
                    for deal in try tx.query("SELECT \(DealStore.columns) FROM deals WHERE stage_id = ? AND status = 1", [.integer(stage.id)], DealStore.deal) {
                        var move = ChangeStageRequest(dealID: deal.id, stageID: target)
                        move.lossReason = "stage \"\(stage.name)\" retired"
                        move.actorID = edit.actorID
                        _ = try DealStore.changeStage(tx, deal, move, now: now)
                    }
                }
                try tx.run("UPDATE stages SET retired_at = ? WHERE id = ?", [.integer(now), .integer(stage.id)])
            }
            try SetupLog.record(
                tx, entity: "pipeline", id: current.id, by: SetupLog.Author(staffID: edit.actorID, credentialID: edit.credentialID), at: now,
                revision.summary)
            return try Self.load(tx.connection).first { $0.id == current.id }!
        }
    }

    /// The pipeline's changes (issue 26), when it exists.
    public func history(_ id: Int64) async throws -> SetupHistory {
        try await database.read { c in
            guard try c.queryFirst("SELECT 1 FROM pipelines WHERE id = ?", [.integer(id)], { _ in true }) != nil else {
                throw RPCError.notFound("pipeline \(id) does not exist")
            }
            return try SetupLog.history(c, entity: "pipeline", id: id)
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
        // Retired stages keep a negative position (never a working stage's): they come first here.
        let stages = try c.query("SELECT \(stageColumns) FROM stages ORDER BY pipeline_id, position") { row in
            (row.int64("pipeline_id"), Self.stage(row))
        }
        for i in pipelines.indices {
            let own = stages.filter { $0.0 == pipelines[i].id }.map(\.1)
            pipelines[i].stages = own.filter { $0.retiredAtMilliseconds == nil }
            pipelines[i].retiredStages = own.filter { $0.retiredAtMilliseconds != nil }
        }
        return pipelines
    }

    static let stageColumns = "id, pipeline_id, name, position, sla_minutes, outcome, retired_at"

    private static func stage(_ row: Row) -> DealStage {
        DealStage(
            id: row.int64("id"), name: row.string("name"), position: row.int64("position"), slaMinutes: row.int64("sla_minutes"),
            outcome: StageOutcome(rawValue: row.int("outcome")) ?? .unspecified, retiredAtMilliseconds: row.optionalInt64("retired_at"))
    }

    /// A stage and the pipeline it belongs to.
    static func stage(_ c: Connection, id: Int64) throws -> (stage: DealStage, pipelineID: Int64)? {
        try c.queryFirst("SELECT \(stageColumns) FROM stages WHERE id = ?", [.integer(id)]) { row in
            (Self.stage(row), row.int64("pipeline_id"))
        }
    }
}
