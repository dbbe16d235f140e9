import Contracts
import FoundationEssentials
import Glibc
import Storage
import Wire

/// Issue 26: a staff member left (`staff.deactivated`). Their open deals and open tasks go
/// to the colleague taking over, in the event's transaction: each deal a timeline entry
/// and a `deal.updated`; a task the colleague already has the same of on that deal is
/// cancelled instead (D4: one open task of a kind per deal and assignee); the reply tasks
/// to come are theirs too. Closed deals and done tasks keep who did them.
enum StaffHandover {
    static func apply(_ tx: Transaction, _ left: StaffDeactivated) throws {
        let from = left.staffID, to = left.handToID
        let summary = "handed over: staff member \(from) left; now staff member \(to)'s"
        for var deal in try tx.query(
            "SELECT \(DealStore.columns) FROM deals WHERE responsible_id = ? AND status = 1", [.integer(from)], DealStore.deal)
        {
            deal.responsibleID = to
            try DealStore.table.update(tx, deal)
            try TimelineStore.append(tx, TimelineStore.entry(
                kind: "handover", dealID: deal.id, contactID: deal.contactID, summary: summary, actorID: left.actorID, at: left.atMilliseconds))
            try DealStore.emit(tx, Deals.Event.updated, deal: deal, previousStageID: nil, actorID: left.actorID)
        }
        for task in try tx.query("SELECT \(TaskStore.columns) FROM tasks WHERE assignee_id = ? AND status = 1", [.integer(from)], TaskStore.task) {
            if let dealID = task.dealID, try TaskStore.openTask(tx, dealID: dealID, kind: task.kind, assigneeID: to) != nil {
                try TaskStore.close(tx, id: task.id, status: .cancelled, now: left.atMilliseconds)
            } else {
                try tx.run("UPDATE tasks SET assignee_id = ? WHERE id = ?", [.integer(to), .integer(task.id)])
            }
        }
        try tx.run("UPDATE reply_watch SET assignee_id = ? WHERE assignee_id = ?", [.integer(to), .integer(from)])
    }
}
