import Foundation
import Contracts
import RPC
import Wire

/// D1: a pipeline has a name, at least one working stage, a won and a lost outcome;
/// stage names are unique within it and SLAs are not negative. Positions follow the
/// order given.
public enum PipelineValidator {
    public static func validate(_ pipeline: Pipeline) -> Result<Pipeline, RPCError> {
        var violations: [FieldViolation] = []
        var clean = pipeline
        clean.name = pipeline.name.trimmingCharacters(in: .whitespaces)
        if clean.name.isEmpty || clean.name.count > 100 {
            violations.append(FieldViolation(field: "name", description: "must be 1 to 100 characters"))
        }
        if pipeline.stages.isEmpty || pipeline.stages.count > 50 {
            violations.append(FieldViolation(field: "stages", description: "must list 1 to 50 stages"))
        }
        var names = Set<String>()
        for (i, stage) in pipeline.stages.enumerated() {
            let name = stage.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty || name.count > 100 {
                violations.append(FieldViolation(field: "stages[\(i)].name", description: "must be 1 to 100 characters"))
            } else if !names.insert(name.lowercased()).inserted {
                violations.append(FieldViolation(field: "stages[\(i)].name", description: "\"\(name)\" appears twice"))
            }
            if stage.slaMinutes < 0 || stage.slaMinutes > 525_600 {
                violations.append(FieldViolation(field: "stages[\(i)].slaMinutes", description: "must be 0 (none) to 525600 (a year)"))
            }
            // A stage given without an outcome is a working stage.
            if stage.outcome == .unspecified { clean.stages[i].outcome = .inProgress }
            clean.stages[i].name = name
            clean.stages[i].position = Int64(i + 1)
            clean.stages[i].id = 0
        }
        let outcomes = Set(clean.stages.map(\.outcome))
        if !pipeline.stages.isEmpty, !outcomes.isSuperset(of: [.inProgress, .won, .lost]) {
            violations.append(FieldViolation(field: "stages", description: "needs at least one in_progress stage, one won and one lost"))
        }
        if pipeline.channels.count > 20 {
            violations.append(FieldViolation(field: "channels", description: "must list at most 20 channels"))
        }
        if pipeline.channels.contains(where: { $0.isEmpty || $0.count > 50 }) {
            violations.append(FieldViolation(field: "channels", description: "each channel must be 1 to 50 characters"))
        }
        guard violations.isEmpty else { return .failure(.invalidArgument("the pipeline is not valid", details: violations)) }
        return .success(clean)
    }
}
