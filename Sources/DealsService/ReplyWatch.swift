import Contracts
import FoundationEssentials
import Glibc
import Storage
import Wire

/// Issue 25 (D4): a person's message left unanswered longer than the deal's pipeline allows
/// (`replyWithinMinutes`) makes a `reply` task for the conversation's assignee (else the
/// deal's responsible); answering it
/// completes it. One open reply task per deal and assignee, as for every kind.
enum ReplyWatch {
    static let timer = "reply_due"

    /// A message came: the clock starts from it (a later one moves it on); `assignee`: who
    /// answers the conversation now, whose the task will be (else the deal's responsible).
    static func received(_ tx: Transaction, deal: Deal, at: Int64, assignee: Int64?, pipelines: [Pipeline]) throws {
        try tx.run(
            """
            INSERT INTO reply_watch (deal_id, last_inbound_at, assignee_id) VALUES (?, ?, ?)
            ON CONFLICT (deal_id) DO UPDATE SET last_inbound_at = max(last_inbound_at, excluded.last_inbound_at), assignee_id = excluded.assignee_id
            """, [.integer(deal.id), .integer(at), SQLValue(assignee)])
        guard let minutes = pipelines.first(where: { $0.id == deal.pipelineID })?.replyWithinMinutes else { return }
        try tx.setTimer(kind: timer, key: "\(deal.id)", at: Date(timeIntervalSince1970: Double(at + minutes * 60_000) / 1000))
    }

    /// The conversation was handed to someone: a reply task still to come is theirs.
    static func assigned(_ tx: Transaction, dealID: Int64, assignee: Int64?) throws {
        try tx.run("UPDATE reply_watch SET assignee_id = ? WHERE deal_id = ?", [SQLValue(assignee), .integer(dealID)])
    }

    /// Staff answered: open reply tasks are done.
    static func answered(_ tx: Transaction, dealID: Int64, at: Int64) throws {
        try tx.run(
            "INSERT INTO reply_watch (deal_id, last_inbound_at, last_answer_at) VALUES (?, 0, ?) ON CONFLICT (deal_id) DO UPDATE SET last_answer_at = max(last_answer_at, excluded.last_answer_at)",
            [.integer(dealID), .integer(at)])
        for id in try tx.query("SELECT id FROM tasks WHERE deal_id = ? AND kind = ? AND status = 1", [.integer(dealID), .integer(Int64(TaskKind.reply.rawValue))], { $0.int64(0) }) {
            try TaskStore.close(tx, id: id, status: .done, now: at)
        }
    }

    /// The time ran out: still unanswered, on an open deal, a reply task.
    static func due(_ tx: Transaction, dealID: Int64, now: Int64) throws {
        guard let (inbound, answer, assignee) = try tx.queryFirst(
            "SELECT last_inbound_at, last_answer_at, assignee_id FROM reply_watch WHERE deal_id = ?", [.integer(dealID)], { ($0.int64(0), $0.int64(1), $0.optionalInt64(2)) }),
            answer < inbound, let deal = try DealStore.load(tx.connection, id: dealID), deal.status == .open
        else { return }
        let owner = assignee ?? deal.responsibleID
        guard try TaskStore.openTask(tx, dealID: dealID, kind: .reply, assigneeID: owner) == nil else { return }
        var task = DealTask()
        task.kind = .reply
        task.title = "Answer the client's message"
        task.dealID = dealID
        task.contactID = deal.contactID
        task.assigneeID = owner
        task.dueAtMilliseconds = now
        _ = try TaskStore.insert(tx, task, now: now)
    }
}
