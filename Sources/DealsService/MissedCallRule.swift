/// T5: a missed inbound call (no leg answered) puts a call_back task, due a few minutes
/// later, on the deal for its responsible and one for their senior manager (the
/// supervisor, C4) — none while a call_back task on that deal is open for either.
/// T6: reaching the client completes them.
public enum MissedCallRule {
    public static let defaultDelaySeconds: Int64 = 600

    public struct Task: Sendable, Equatable {
        public let assigneeID: Int64
        public let dueAtMilliseconds: Int64

        public init(assigneeID: Int64, dueAtMilliseconds: Int64) {
            self.assigneeID = assigneeID
            self.dueAtMilliseconds = dueAtMilliseconds
        }
    }

    /// The call_back tasks a missed call adds. `openCallBacks`: assignees with an open
    /// call_back task on the deal.
    public static func tasks(
        missedAt: Int64, responsibleID: Int64?, supervisorID: Int64?, openCallBacks: Set<Int64>, delaySeconds: Int64 = defaultDelaySeconds
    ) -> [Task] {
        let people = [responsibleID, supervisorID].compactMap { $0 }
        guard !people.isEmpty, openCallBacks.isDisjoint(with: people) else { return [] }
        var seen: Set<Int64> = []
        return people.filter { seen.insert($0).inserted }.map { Task(assigneeID: $0, dueAtMilliseconds: missedAt + delaySeconds * 1000) }
    }
}
