import FoundationEssentials
import Glibc
import Contracts
import Wire

/// D1/D6: what moving a deal to a stage does. The stage must belong to the deal's
/// pipeline; a lost stage needs a loss reason; an outcome stage closes the deal and a
/// working stage (re)opens it. Returns the deal as it becomes and the events to emit.
public struct StageChange: Equatable, Sendable {
    public let deal: Deal
    public let events: [String]

    public static func apply(
        to deal: Deal, target: DealStage, targetPipelineID: Int64, lossReason: String, now: Int64
    ) -> Result<StageChange, RPCError> {
        guard targetPipelineID == deal.pipelineID else {
            return .failure(.invalidArgument(
                "stage \(target.id) belongs to another pipeline", details: [FieldViolation(field: "stageId", description: "is not a stage of pipeline \(deal.pipelineID)")]))
        }
        guard target.retiredAtMilliseconds == nil else {
            return .failure(.invalidArgument(
                "stage \(target.id) is retired", details: [FieldViolation(field: "stageId", description: "is a retired stage of pipeline \(deal.pipelineID)")]))
        }
        guard target.id != deal.stageID else {
            return .failure(RPCError(.failedPrecondition, "deal \(deal.id) is already in stage \"\(target.name)\""))
        }
        let reason = lossReason.trimming(.spacesAndNewlines)
        if target.outcome == .lost && reason.isEmpty {
            return .failure(.invalidArgument(
                "a lost deal needs a reason", details: [FieldViolation(field: "lossReason", description: "is required for the stage \"\(target.name)\"")]))
        }
        var next = deal
        next.stageID = target.id
        next.stageEnteredAtMilliseconds = now
        var events = [Deals.Event.stageChanged]
        switch target.outcome {
        case .won:
            next.status = .won
            next.closedAtMilliseconds = now
            next.lossReason = ""
            events.append(Deals.Event.won)
        case .lost:
            next.status = .lost
            next.closedAtMilliseconds = now
            next.lossReason = reason
            events.append(Deals.Event.lost)
        case .inProgress, .unspecified:
            next.status = .open
            next.closedAtMilliseconds = nil
            next.lossReason = ""
        }
        return .success(StageChange(deal: next, events: events))
    }
}
