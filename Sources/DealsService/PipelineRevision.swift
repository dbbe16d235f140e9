import FoundationEssentials
import Glibc
import Contracts
import Wire

/// D1 (issue 26): what an admin's edit does to a pipeline, worked out from the pipeline as
/// it is, the edit and how many open deals each stage holds. Kept stages are named by id
/// and keep their outcome; a current stage the edit leaves out is retired, and one that
/// holds open deals needs a move to a stage of the edit. Returns the stages in their new
/// order, the moves by stage id (new stages by name) and the history's lines, or every
/// field error at once.
public struct PipelineRevision: Equatable, Sendable {
    /// One stage of the edited pipeline: a kept stage's id, or 0 for a new one.
    public struct Stage: Equatable, Sendable {
        public var id: Int64
        public var name: String
        public var slaMinutes: Int64
        public var outcome: StageOutcome
    }

    public var name: String
    public var stages: [Stage]
    public var retired: [DealStage]
    /// Retired stage id → the name of the stage its open deals go to.
    public var moves: [Int64: String]
    /// Kept stages whose SLA changed: their open deals' timers are set again.
    public var slaChanged: [Int64]
    public var summary: [String]

    public static func plan(
        _ current: Pipeline, _ edit: PipelineEdit, openDeals: [Int64: Int]
    ) -> Result<PipelineRevision, RPCError> {
        var violations = edit.violations()
        let currentByID = Dictionary(uniqueKeysWithValues: current.stages.map { ($0.id, $0) })
        var stages: [Stage] = []
        var names = Set<String>()
        var kept = Set<Int64>()
        for (i, input) in edit.stages.enumerated() {
            let name = input.name.trimming(.spaces)
            if !name.isEmpty, !names.insert(name.lowercased()).inserted {
                violations.append(FieldViolation(field: "stages[\(i)].name", description: "\"\(name)\" appears twice"))
            }
            var outcome = input.outcome == .unspecified ? StageOutcome.inProgress : input.outcome
            var id: Int64 = 0
            if let wanted = input.id {
                if let stage = currentByID[wanted] {
                    if !kept.insert(wanted).inserted {
                        violations.append(FieldViolation(field: "stages[\(i)].id", description: "stage \(wanted) appears twice"))
                    }
                    if input.outcome != .unspecified, input.outcome != stage.outcome {
                        violations.append(FieldViolation(
                            field: "stages[\(i)].outcome",
                            description: "a kept stage's outcome cannot change: retire it and add a new stage"))
                    }
                    outcome = stage.outcome
                    id = wanted
                } else {
                    violations.append(FieldViolation(field: "stages[\(i)].id", description: "is not a current stage of this pipeline"))
                }
            }
            stages.append(Stage(id: id, name: name, slaMinutes: input.slaMinutes, outcome: outcome))
        }
        if !Set(stages.map(\.outcome)).isSuperset(of: [.inProgress, .won, .lost]) {
            violations.append(FieldViolation(field: "stages", description: "needs at least one in_progress stage, one won and one lost"))
        }
        let retired = current.stages.filter { !kept.contains($0.id) }
        let retiredIDs = Set(retired.map(\.id))
        var moves: [Int64: String] = [:]
        for (i, move) in edit.moves.enumerated() {
            let target = move.toStage.trimming(.spaces)
            if !retiredIDs.contains(move.fromStageID) {
                violations.append(FieldViolation(field: "moves[\(i)].fromStageId", description: "is not a stage this edit retires"))
            } else if moves[move.fromStageID] != nil {
                violations.append(FieldViolation(field: "moves[\(i)].fromStageId", description: "stage \(move.fromStageID) has a move already"))
            }
            if !target.isEmpty, !names.contains(target.lowercased()) {
                violations.append(FieldViolation(field: "moves[\(i)].toStage", description: "names no stage of the edit"))
            }
            moves[move.fromStageID] = target
        }
        for stage in retired where (openDeals[stage.id] ?? 0) > 0 && moves[stage.id] == nil {
            violations.append(FieldViolation(
                field: "moves",
                description: "stage \"\(stage.name)\" (\(stage.id)) holds \(openDeals[stage.id]!) open deals: name the stage they move to"))
        }
        guard violations.isEmpty else { return .failure(.invalidArgument("the pipeline edit is not valid", details: violations)) }

        let name = edit.name.trimming(.spaces)
        var summary: [String] = []
        if name != current.name { summary.append("renamed \"\(current.name)\" → \"\(name)\"") }
        var slaChanged: [Int64] = []
        for stage in stages {
            guard let before = currentByID[stage.id] else {
                summary.append("stage \"\(stage.name)\" added (\(stage.outcome.name))")
                continue
            }
            if before.name != stage.name { summary.append("stage \"\(before.name)\" renamed \"\(stage.name)\"") }
            if before.slaMinutes != stage.slaMinutes {
                summary.append("stage \"\(stage.name)\" SLA \(before.slaMinutes) → \(stage.slaMinutes) minutes")
                slaChanged.append(stage.id)
            }
        }
        let keptOrder = stages.filter { $0.id != 0 }.map(\.id)
        if keptOrder != current.stages.map(\.id).filter(kept.contains) { summary.append("stages reordered: " + stages.map { "\"\($0.name)\"" }.joined(separator: ", ")) }
        for stage in retired {
            let open = openDeals[stage.id] ?? 0
            summary.append("stage \"\(stage.name)\" retired" + (open > 0 ? "; its \(open) open deals moved to \"\(moves[stage.id]!)\"" : ""))
        }
        if edit.channels != current.channels { summary.append("channels: \(current.channels.joined(separator: ", ")) → \(edit.channels.joined(separator: ", "))") }
        if edit.isDefault && !current.isDefault { summary.append("made the default pipeline") }
        if edit.replyWithinMinutes != current.replyWithinMinutes {
            summary.append("reply within: \(current.replyWithinMinutes.map { "\($0) minutes" } ?? "none") → \(edit.replyWithinMinutes.map { "\($0) minutes" } ?? "none")")
        }
        return .success(PipelineRevision(name: name, stages: stages, retired: retired, moves: moves, slaChanged: slaChanged, summary: summary))
    }
}
