import Contracts

/// D4: why an open deal needs attention: a task past due, longer in its stage than the
/// stage's SLA, or nothing planned next (no open task).
public enum ProblemDealRule {
    public static let overdueTask = "overdue_task"
    public static let overStageSLA = "over_stage_sla"
    public static let noNextTask = "no_next_task"

    public static func reasons(deal: Deal, stageSLAMinutes: Int64, openTaskDueTimes: [Int64?], now: Int64) -> [String] {
        guard deal.status == .open else { return [] }
        var reasons: [String] = []
        if openTaskDueTimes.contains(where: { ($0 ?? .max) < now }) { reasons.append(overdueTask) }
        if stageSLAMinutes > 0, deal.stageEnteredAtMilliseconds + stageSLAMinutes * 60_000 < now { reasons.append(overStageSLA) }
        if openTaskDueTimes.isEmpty { reasons.append(noNextTask) }
        return reasons
    }
}
