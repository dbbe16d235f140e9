import Contracts
import FoundationEssentials
import Glibc
import RPC
import ServiceKit
import Storage
import Wire

/// T5 and T6 once a call's deal is known, in the order the calls came: a missed call
/// puts a call_back task on the deal for its responsible and one for their senior
/// manager (asked of contacts, C4), none while either has one open (``MissedCallRule``);
/// a call that reached the client completes the deal's open call_back tasks. While
/// contacts cannot say who the senior manager is, the calls wait, in order.
public final class CallEffects: BackgroundService {
    private let database: Database
    private let staff: StaffDirectory
    private let logger: Logger
    private let clock: WallClock
    private let delaySeconds: Int64
    private let loop = BackgroundLoop()

    public init(database: Database, staff: StaffDirectory, logger: Logger, clock: WallClock, delaySeconds: Int64 = MissedCallRule.defaultDelaySeconds) {
        self.database = database
        self.staff = staff
        self.logger = logger
        self.clock = clock
        self.delaySeconds = delaySeconds
        database.onCommit { [loop] commit in if commit.topics.contains(CallLedger.pendingTopic) { loop.wake() } }
    }

    public func start() {
        loop.start { [self] in await run() }
    }

    public func stop() async {
        await loop.stop()
    }

    private struct Pending: Sendable {
        let sessionID: String
        let session: CallSession
        let dealID: Int64
        let missed: Bool
        let answered: Bool
    }

    private func run() async {
        var backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(10))
        while !Task.isCancelled {
            do {
                let pending = try await database.read { c in
                    // Named: without statistics SQLite would rather scan every call in rowid order.
                    try c.query(
                        """
                        SELECT session_id, session, deal_id, missed_pending, answered_pending FROM calls INDEXED BY calls_effects_due
                        WHERE (missed_pending = 1 OR answered_pending = 1) AND deal_id IS NOT NULL ORDER BY rowid LIMIT 100
                        """
                    ) { row in
                        Pending(
                            sessionID: row.string("session_id"), session: (try? CallSession(wireBytes: row.blob("session"))) ?? CallSession(),
                            dealID: row.int64("deal_id"), missed: row.int("missed_pending") == 1, answered: row.int("answered_pending") == 1)
                    }
                }
                for call in pending where !Task.isCancelled { try await apply(call) }
                backoff.reset()
                if pending.count == 100 { continue }
                await loop.wait(upTo: .seconds(30))
            } catch {
                logger.warn("call effects wait (contacts or the database)", ["error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
    }

    private func apply(_ call: Pending) async throws {
        let responsible = try await database.read { c in try DealStore.load(c, id: call.dealID)?.responsibleID }
        var senior: Int64?
        if call.missed, let responsible {
            senior = try await staff.supervisor(of: responsible, options: CallOptions(timeout: .seconds(5)))
        }
        let supervisor = senior
        let delay = delaySeconds
        let now = clock.milliseconds
        let created = try await database.write { tx -> Int in
            guard let deal = try DealStore.load(tx.connection, id: call.dealID) else {
                try tx.run("UPDATE calls SET missed_pending = 0, answered_pending = 0 WHERE session_id = ?", [.text(call.sessionID)])
                return 0
            }
            var made = 0
            // T1/T5: a missed leg of a call that was answered in the end sets nothing.
            if call.missed, !call.session.answered, deal.status == .open {
                let open = Set(try tx.query(
                    "SELECT assignee_id FROM tasks WHERE deal_id = ? AND kind = ? AND status = 1 AND assignee_id IS NOT NULL",
                    [.integer(deal.id), .integer(Int64(TaskKind.callBack.rawValue))], { $0.int64(0) }))
                let missedAt = call.session.startedAtMilliseconds + call.session.durationSeconds * 1000
                for task in MissedCallRule.tasks(missedAt: missedAt, responsibleID: deal.responsibleID, supervisorID: supervisor, openCallBacks: open, delaySeconds: delay) {
                    var t = DealTask()
                    t.kind = .callBack
                    t.title = "call back \(call.session.clientNumber) (missed call)"
                    t.dealID = deal.id
                    t.contactID = deal.contactID
                    t.assigneeID = task.assigneeID
                    t.dueAtMilliseconds = task.dueAtMilliseconds
                    _ = try TaskStore.insert(tx, t, now: now)
                    made += 1
                }
            }
            if call.answered {
                try TaskStore.completeCallBacks(tx, contactID: deal.contactID, dealID: deal.id, now: now)
            }
            try tx.run("UPDATE calls SET missed_pending = 0, answered_pending = 0 WHERE session_id = ?", [.text(call.sessionID)])
            return made
        }
        if created > 0 { logger.info("missed call: call-back tasks set", ["deal": "\(call.dealID)", "tasks": "\(created)"]) }
    }
}
