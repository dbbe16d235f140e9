import FoundationEssentials
import Glibc
import Contracts
import RPC
import Wire

/// D1: a pipeline has a name, at least one working stage, a won and a lost outcome;
/// stage names are unique within it and SLAs are not negative. Positions follow the
/// order given.
public enum PipelineValidator {
    public static func validate(_ pipeline: Pipeline) -> Result<Pipeline, RPCError> {
        // The schema's limits on each field (names, SLAs, counts); D1's rules across them below.
        var violations = pipeline.violations()
        var clean = pipeline
        clean.name = pipeline.name.trimming(.spaces)
        var names = Set<String>()
        for (i, stage) in pipeline.stages.enumerated() {
            let name = stage.name.trimming(.spaces)
            if !name.isEmpty, !names.insert(name.lowercased()).inserted {
                violations.append(FieldViolation(field: "stages[\(i)].name", description: "\"\(name)\" appears twice"))
            }
            // A stage given without an outcome is a working stage.
            if stage.outcome == .unspecified { clean.stages[i].outcome = .inProgress }
            clean.stages[i].name = name
            clean.stages[i].position = Int64(i + 1)
            clean.stages[i].id = 0
        }
        let outcomes = Set(clean.stages.map(\.outcome))
        if !outcomes.isSuperset(of: [.inProgress, .won, .lost]) {
            violations.append(FieldViolation(field: "stages", description: "needs at least one in_progress stage, one won and one lost"))
        }
        guard violations.isEmpty else { return .failure(.invalidArgument("the pipeline is not valid", details: violations)) }
        return .success(clean)
    }
}
