import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// D4: tasks on deals and contacts. The store keeps "at most one open task of a kind on
/// a deal" (a second create returns the first) and the due-time timers.
public struct TaskStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    static let dueTimer = "task_due"
    static let columns = "id, kind, title, deal_id, contact_id, assignee_id, due_at, status, created_at, completed_at, created_by, repeat_every_days, series_id"

    /// A task from a row of `SELECT \(columns)`, read by column name.
    static func task(_ row: Row) -> DealTask {
        DealTask(
            id: row.int64("id"), kind: TaskKind(rawValue: row.int("kind")) ?? .unspecified, title: row.string("title"),
            dealID: row.optionalInt64("deal_id"), contactID: row.optionalInt64("contact_id"), assigneeID: row.optionalInt64("assignee_id"),
            dueAtMilliseconds: row.optionalInt64("due_at"), status: TaskStatus(rawValue: row.int("status")) ?? .unspecified,
            createdAtMilliseconds: row.int64("created_at"), completedAtMilliseconds: row.optionalInt64("completed_at"), createdBy: row.optionalInt64("created_by"),
            repeatEveryDays: row.optionalInt64("repeat_every_days"), seriesID: row.optionalInt64("series_id"))
    }

    /// The task with its reschedules.
    static func load(_ c: Connection, id: Int64) throws -> DealTask? {
        try c.queryFirst("SELECT \(columns) FROM tasks WHERE id = ?", [.integer(id)], task).map { try withReschedules(c, [$0])[0] }
    }

    /// Each task with its earlier due times (issue 26), in one query.
    static func withReschedules(_ c: Connection, _ tasks: [DealTask]) throws -> [DealTask] {
        guard !tasks.isEmpty else { return tasks }
        let rows = try c.query(
            "SELECT task_id, from_at, to_at, at, by, reason FROM task_reschedules WHERE task_id IN (\(tasks.map { _ in "?" }.joined(separator: ", "))) ORDER BY task_id, seq",
            tasks.map { .integer($0.id) }
        ) { row in
            (row.int64("task_id"), TaskReschedule(
                fromMilliseconds: row.optionalInt64("from_at"), toMilliseconds: row.int64("to_at"), atMilliseconds: row.int64("at"),
                by: row.optionalInt64("by"), reason: row.string("reason")))
        }
        let byTask = Dictionary(grouping: rows, by: \.0)
        return tasks.map { task in
            var with = task
            with.reschedules = byTask[task.id]?.map(\.1) ?? []
            return with
        }
    }

    public func create(_ input: DealTask) async throws -> CreateTaskResponse {
        var violations = input.violations()
        if input.dealID == nil && input.contactID == nil {
            violations.append(FieldViolation(field: "dealId", description: "a task is on a deal or a contact: give dealId or contactId"))
        }
        if input.repeatEveryDays != nil && input.dueAtMilliseconds == nil {
            violations.append(FieldViolation(field: "repeatEveryDays", description: "a repeating task needs dueAt, which the repetition counts from"))
        }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the task is not valid", details: violations) }
        return try await database.write { tx in
            var task = input
            task.visibility = nil
            if let dealID = input.dealID {
                // A deal the caller may not see answers as a missing one (G3): no status, no task.
                let deal = try DealStore.loadVisible(tx.connection, id: dealID, input.visibility.resolved)
                guard deal.status == .open else {
                    throw RPCError(.failedPrecondition, "deal \(dealID) is \(deal.status.name); tasks go on open deals")
                }
                task.contactID = deal.contactID
                if task.assigneeID == nil { task.assigneeID = deal.responsibleID }
                // D4: one open task of a kind per deal and assignee (T5 gives the responsible
                // and the senior manager one call-back each).
                if let existing = try Self.openTask(tx, dealID: dealID, kind: input.kind, assigneeID: task.assigneeID) {
                    var response = CreateTaskResponse()
                    response.task = existing
                    response.existing = true
                    return response
                }
            }
            var response = CreateTaskResponse()
            response.task = try Self.insert(tx, task, now: clock.milliseconds)
            return response
        }
    }

    static func openTask(_ tx: Transaction, dealID: Int64, kind: TaskKind, assigneeID: Int64?) throws -> DealTask? {
        try tx.queryFirst(
            "SELECT \(Self.columns) FROM tasks WHERE deal_id = ? AND kind = ? AND assignee_id IS ? AND status = 1",
            [.integer(dealID), .integer(Int64(kind.rawValue)), SQLValue(assigneeID)], Self.task)
    }

    /// Stores a checked task with its due-time timer.
    static func insert(_ tx: Transaction, _ task: DealTask, now: Int64) throws -> DealTask {
        try tx.run(
            "INSERT INTO tasks (kind, title, deal_id, contact_id, assignee_id, due_at, status, created_at, created_by, repeat_every_days, series_id) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
            [.integer(Int64(task.kind.rawValue)), .text(task.title), SQLValue(task.dealID), SQLValue(task.contactID),
             SQLValue(task.assigneeID), SQLValue(task.dueAtMilliseconds), .integer(now), SQLValue(task.createdBy), SQLValue(task.repeatEveryDays),
             SQLValue(task.repeatEveryDays == nil ? nil : task.seriesID)])
        let id = tx.lastInsertRowID
        // A repetition is named by its first task.
        if task.repeatEveryDays != nil && task.seriesID == nil { try tx.run("UPDATE tasks SET series_id = id WHERE id = ?", [.integer(id)]) }
        let created = try Self.load(tx.connection, id: id)!
        // Issue 25: a task given to someone other than its maker tells them (task.assigned).
        if let assignee = created.assigneeID, assignee != created.createdBy {
            _ = try tx.appendEvent(type: Deals.Event.taskAssigned, aggregateID: created.dealID.map { "deal-\($0)" } ?? "task-\(created.id)", payload: created.wireBytes())
        }
        if let due = created.dueAtMilliseconds {
            try tx.setTimer(kind: Self.dueTimer, key: "\(created.id)", at: Date(timeIntervalSince1970: Double(due) / 1000))
        }
        return created
    }

    /// A task completed without a status is done.
    public func complete(_ input: CompleteTaskRequest) async throws -> DealTask {
        var completion = input
        if completion.status == .unspecified { completion.status = .done }
        let request = completion
        guard request.status == .done || request.status == .cancelled else {
            throw RPCError.invalidArgument("status must be done or cancelled", details: [FieldViolation(field: "status", description: "is \(request.status.name)")])
        }
        let visibility = request.visibility.resolved
        return try await database.write { tx in
            guard let task = try Self.load(tx.connection, id: request.id), visibility.allows(task.assigneeID) else {
                throw RPCError.notFound("task \(request.id) does not exist")
            }
            guard task.status == .open else {
                // Completing twice is a repeat, not an error, when it says the same.
                if task.status == request.status { return task }
                throw RPCError(.failedPrecondition, "task \(request.id) is already \(task.status.name)")
            }
            let now = clock.milliseconds
            try Self.close(tx, id: task.id, status: request.status, now: now)
            if request.status == .done && !request.endSeries { try Self.repeatIfDue(tx, task, now: now) }
            return try Self.load(tx.connection, id: task.id)!
        }
    }

    /// Issue 26: a repeating task done opens the next, `repeatEveryDays` after this one was
    /// due and after now, on a deal still open; D4's one open task of a kind holds (one the
    /// assignee has already stands for it).
    static func repeatIfDue(_ tx: Transaction, _ task: DealTask, now: Int64) throws {
        guard let days = task.repeatEveryDays, let due = task.dueAtMilliseconds else { return }
        if let dealID = task.dealID {
            guard try DealStore.load(tx.connection, id: dealID)?.status == .open else { return }
            guard try openTask(tx, dealID: dealID, kind: task.kind, assigneeID: task.assigneeID) == nil else { return }
        }
        let step = days * 86_400_000
        let skipped = due > now ? 0 : (now - due) / step + 1
        var next = task
        next.dueAtMilliseconds = due + (skipped == 0 ? 1 : skipped) * step
        next.seriesID = task.seriesID ?? task.id
        _ = try insert(tx, next, now: now)
    }

    /// D4 (issue 26): an open task's new due time, ahead and within the horizon; the earlier
    /// one is kept with who moved it and why. G3: a task the caller does not see does not
    /// exist, whatever time is asked.
    public func reschedule(_ request: RescheduleTaskRequest) async throws -> DealTask {
        let now = clock.milliseconds
        let visibility = request.visibility.resolved
        return try await database.write { tx in
            guard let task = try Self.load(tx.connection, id: request.id), visibility.allows(task.assigneeID) else {
                throw RPCError.notFound("task \(request.id) does not exist")
            }
            var violations = request.violations()
            if request.dueAtMilliseconds <= now { violations.append(FieldViolation(field: "dueAt", description: "is not in the future")) }
            if let problem = Horizon.tooFarAhead(request.dueAtMilliseconds, now: now) { violations.append(FieldViolation(field: "dueAt", description: problem)) }
            guard violations.isEmpty else { throw RPCError.invalidArgument("the new due time is not valid", details: violations) }
            guard task.status == .open else { throw RPCError(.failedPrecondition, "task \(request.id) is \(task.status.name): only an open task moves") }
            try tx.run(
                "INSERT INTO task_reschedules (task_id, seq, from_at, to_at, at, by, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [.integer(task.id), .integer(Int64(task.reschedules.count + 1)), SQLValue(task.dueAtMilliseconds), .integer(request.dueAtMilliseconds),
                 .integer(now), SQLValue(request.by), .text(request.reason.trimming(.spacesAndNewlines))])
            try tx.run("UPDATE tasks SET due_at = ? WHERE id = ?", [.integer(request.dueAtMilliseconds), .integer(task.id)])
            try tx.setTimer(kind: Self.dueTimer, key: "\(task.id)", at: Date(timeIntervalSince1970: Double(request.dueAtMilliseconds) / 1000))
            return try Self.load(tx.connection, id: task.id)!
        }
    }

    static func close(_ tx: Transaction, id: Int64, status: TaskStatus, now: Int64) throws {
        try tx.run("UPDATE tasks SET status = ?, completed_at = ? WHERE id = ?", [.integer(Int64(status.rawValue)), .integer(now), .integer(id)])
        try tx.cancelTimer(kind: dueTimer, key: "\(id)")
    }

    /// A deal that is won or lost has nothing left to do.
    static func cancelOpenTasks(_ tx: Transaction, dealID: Int64, now: Int64) throws {
        for id in try tx.query("SELECT id FROM tasks WHERE deal_id = ? AND status = 1", [.integer(dealID)], { $0.int64(0) }) {
            try close(tx, id: id, status: .cancelled, now: now)
        }
    }

    /// D4 auto-completion: a call with the contact completes its open call-back tasks.
    static func completeCallBacks(_ tx: Transaction, contactID: Int64, dealID: Int64?, now: Int64) throws {
        var sql = "SELECT id FROM tasks WHERE contact_id = ? AND kind = ? AND status = 1"
        var values: [SQLValue] = [.integer(contactID), .integer(Int64(TaskKind.callBack.rawValue))]
        if let dealID {
            sql += " AND (deal_id = ? OR deal_id IS NULL)"
            values.append(.integer(dealID))
        }
        for id in try tx.query(sql, values, { $0.int64(0) }) { try close(tx, id: id, status: .done, now: now) }
    }

    /// My tasks (assigneeId), overdue tasks, a deal's tasks; open unless a status is given.
    public func list(_ request: ListTasksRequest) async throws -> [DealTask] {
        let limit = try PageRequest(size: request.pageSize, default: 100, maximum: 1000).limit
        var sql = "SELECT \(Self.columns) FROM tasks WHERE status = ?"
        var values: [SQLValue] = [.integer(Int64((request.status == .unspecified ? TaskStatus.open : request.status).rawValue))]
        if let assignee = request.assigneeID {
            sql += " AND assignee_id = ?"
            values.append(.integer(assignee))
        }
        if let deal = request.dealID {
            sql += " AND deal_id = ?"
            values.append(.integer(deal))
        }
        if request.overdueOnly {
            sql += " AND due_at IS NOT NULL AND due_at < ?"
            values.append(.integer(clock.milliseconds))
        }
        let condition = request.visibility.resolved.sqlCondition("assignee_id")
        sql += " AND \(condition.sql) ORDER BY due_at IS NULL, due_at, id LIMIT ?"
        values += condition.values.map { .integer($0) } + [.integer(Int64(limit))]
        let query = sql, arguments = values
        return try await database.read { c in try Self.withReschedules(c, try c.query(query, arguments, Self.task)) }
    }
}
