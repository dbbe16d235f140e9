import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// Deals (D2, D6) in the deals database, moved through their pipeline's stages (D1). Every change that other
/// services care about appends its event in the same transaction (P2).
public struct DealStore: Sendable {
    let database: Database
    /// The time stamped on what it stores and SLAs are measured from (a hand-set one in tests).
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    static let slaTimer = "stage_sla"
    /// Deals kept whole; the columns are what reads filter on (by contact, pipeline and
    /// stage, status, the responsible for G3, the scheduled date, when it closed) and are indexed.
    static let table = MessageTable<Deal>(
        "deals", id: { $0.id }, setID: { $0.id = $1 },
        columns: [
            .init("contact_id") { .integer($0.contactID) },
            .init("pipeline_id") { .integer($0.pipelineID) },
            .init("stage_id") { .integer($0.stageID) },
            .init("status") { .integer(Int64($0.status.rawValue)) },
            .init("responsible_id") { SQLValue($0.responsibleID) },
            .init("scheduled_at") { SQLValue($0.scheduledAtMilliseconds) },
            .init("closed_at") { SQLValue($0.closedAtMilliseconds) },
        ])

    /// What a query selects for ``deal(_:)``.
    static let columns = table.selection()

    static func deal(_ row: Row) throws -> Deal { try table.message(row) }

    static func load(_ c: Connection, id: Int64) throws -> Deal? {
        try table.find(c, id: id)
    }

    /// D3: the contact's open deal (the newest, should there be more): where their next lead
    /// or message goes.
    static func openDeal(_ c: Connection, contactID: Int64) throws -> Deal? {
        try c.queryFirst("SELECT \(columns) FROM deals WHERE contact_id = ? AND status = 1 ORDER BY id DESC LIMIT 1", [.integer(contactID)], deal)
    }


    /// D2: opens a deal. Pipeline 0 means the default one; stage 0 its first working stage.
    public func create(_ input: Deal, actorID: Int64? = nil) async throws -> Deal {
        let violations = Self.violations(input)
        guard violations.isEmpty else { throw RPCError.invalidArgument("the deal is not valid", details: violations) }
        let now = clock.milliseconds
        return try await database.write { tx in
            // Issue 26: declared fields read as their types; the required ones of its pipeline are there.
            let pipelines = try PipelineStore.load(tx.connection)
            let pipelineID = input.pipelineID == 0 ? (pipelines.first { $0.isDefault } ?? pipelines[0]).id : input.pipelineID
            let fields = CustomFieldCheck.violations(input.customFields, try DealFieldStore.all(tx.connection), pipelineID: pipelineID, requireMissing: true)
            guard fields.isEmpty else { throw RPCError.invalidArgument("the deal's fields are not valid", details: fields) }
            return try Self.open(tx, input, actorID: actorID, timelineSummary: "deal opened: \(input.title)", pipelines: pipelines, now: now)
        }
    }

    /// What a deal must be, new or changed: what the schema declares of each field (a
    /// title, a source that fits, bounded custom fields), and money with its currency.
    static func violations(_ deal: Deal) -> [FieldViolation] {
        deal.violations() + moneyViolations(amountMinor: deal.amountMinor, currency: deal.currency)
    }

    /// Money is minor units with the ISO 4217 code it is in: an amount never goes without
    /// its currency (deals and leads alike). The schema checks each of the two; this is
    /// the rule between them.
    static func moneyViolations(amountMinor: Int64, currency: String) -> [FieldViolation] {
        guard amountMinor > 0, currency.isEmpty else { return [] }
        return [FieldViolation(field: "currency", description: "is required when there is an amount (an ISO 4217 code such as RUB)")]
    }

    /// An open deal nobody works goes to `staffID` (the one who answered its call, T4; the
    /// operator who made the offer, T10); a deal someone works keeps them.
    static func assignIfUnassigned(_ tx: Transaction, dealID: Int64, to staffID: Int64) throws {
        guard var deal = try load(tx.connection, id: dealID), deal.responsibleID == nil, deal.status == .open else { return }
        deal.responsibleID = staffID
        try table.update(tx, deal)
    }

    /// Inserts a deal in `tx` (used by create and by lead intake), with its event,
    /// timeline entry and stage SLA timer.
    static func open(_ tx: Transaction, _ input: Deal, actorID: Int64?, timelineSummary: String, pipelines known: [Pipeline]? = nil, now: Int64) throws -> Deal {
        let pipelines = try known ?? PipelineStore.load(tx.connection)
        let pipelineID = input.pipelineID == 0 ? (pipelines.first { $0.isDefault } ?? pipelines[0]).id : input.pipelineID
        guard let pipeline = pipelines.first(where: { $0.id == pipelineID }) else {
            throw RPCError.invalidArgument("pipeline \(pipelineID) does not exist", details: [FieldViolation(field: "pipelineId", description: "is unknown")])
        }
        let stageID = input.stageID == 0 ? (pipeline.stages.first { $0.outcome == .inProgress }?.id ?? 0) : input.stageID
        guard let stage = pipeline.stages.first(where: { $0.id == stageID }), stage.outcome == .inProgress else {
            throw RPCError.invalidArgument(
                "stage \(stageID) is not a working stage of pipeline \(pipelineID)", details: [FieldViolation(field: "stageId", description: "is not an in_progress stage of the pipeline")])
        }
        var deal = Deal(
            title: input.title.trimming(.spaces), contactID: input.contactID, pipelineID: pipelineID, stageID: stageID,
            status: .open, amountMinor: input.amountMinor, currency: input.currency, responsibleID: input.responsibleID, source: input.source,
            customFields: input.customFields, scheduledAtMilliseconds: input.scheduledAtMilliseconds, createdAtMilliseconds: now,
            stageEnteredAtMilliseconds: now, leadID: input.leadID)
        deal = try table.insert(tx, deal)
        try DealFieldStore.index(tx, deal)
        try emit(tx, Deals.Event.created, deal: deal, previousStageID: nil, actorID: actorID)
        try TimelineStore.append(tx, TimelineStore.entry(kind: "deal_opened", dealID: deal.id, contactID: deal.contactID, summary: timelineSummary, actorID: actorID, at: now))
        try armSLA(tx, deal: deal, stage: stage)
        return deal
    }

    /// `origin`: the system a change came from while both run side by side (G7), so it is never sent back there.
    static func emit(_ tx: Transaction, _ type: String, deal: Deal, previousStageID: Int64?, actorID: Int64?, origin: String = "") throws {
        var payload = DealStageChanged()
        payload.deal = deal
        payload.previousStageID = previousStageID
        payload.actorID = actorID
        payload.origin = origin
        try tx.appendEvent(type: type, aggregateID: "deal-\(deal.id)", payload: payload.wireBytes())
    }

    static func armSLA(_ tx: Transaction, deal: Deal, stage: DealStage) throws {
        if stage.slaMinutes > 0 && deal.status == .open {
            let due = Date(timeIntervalSince1970: Double(deal.stageEnteredAtMilliseconds + stage.slaMinutes * 60_000) / 1000)
            try tx.setTimer(kind: slaTimer, key: "\(deal.id)", at: due, payload: Array("\(stage.id)".utf8))
        } else {
            try tx.cancelTimer(kind: slaTimer, key: "\(deal.id)")
        }
    }

    public func get(_ id: Int64, visibility: Visibility) async throws -> Deal {
        try await database.read { c in try Self.loadVisible(c, id: id, visibility) }
    }

    /// The deals among `ids` the caller may see, in the order asked, each once; the
    /// others are left out (as not_found would be answered for each).
    public func get(_ ids: [Int64], visibility: Visibility) async throws -> [Deal] {
        let unique = try BatchRead.ids(ids, of: "deals")
        guard !unique.isEmpty else { return [] }
        let condition = visibility.sqlCondition("responsible_id")
        let found = try await database.read { c in
            try Self.table.list(
                c, where: "id IN (\(unique.map { _ in "?" }.joined(separator: ", "))) AND \(condition.sql)",
                unique.map { .integer($0) } + condition.values.map { .integer($0) })
        }
        let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.id, $0) })
        return unique.compactMap { byID[$0] }
    }

    /// A deal the caller may see; not_found otherwise, so its existence does not leak.
    static func loadVisible(_ c: Connection, id: Int64, _ visibility: Visibility) throws -> Deal {
        guard let deal = try load(c, id: id), visibility.allows(deal.responsibleID) else {
            throw RPCError.notFound("deal \(id) does not exist")
        }
        return deal
    }

    /// Whether the caller sees any deal of the contact (G3: then it may read the contact).
    public func seesDeal(ofContact contactID: Int64, _ visibility: Visibility) async throws -> Bool {
        let condition = visibility.sqlCondition("responsible_id")
        return try await database.read { c in
            try c.queryFirst(
                "SELECT 1 FROM deals WHERE contact_id = ? AND \(condition.sql) LIMIT 1", [.integer(contactID)] + condition.values.map { .integer($0) }
            ) { $0.int(0) } != nil
        }
    }

    public func list(_ request: ListDealsRequest) async throws -> DealPage {
        let pageRequest = try PageRequest(size: request.pageSize, cursor: request.cursor, default: 50, maximum: 500)
        let limit = pageRequest.limit
        var sql = "SELECT \(Self.columns) FROM deals WHERE id > ?"
        var values: [SQLValue] = [.integer(pageRequest.afterID)]
        for (column, value) in [("pipeline_id", request.pipelineID), ("stage_id", request.stageID), ("contact_id", request.contactID),
                                ("responsible_id", request.responsibleID)] {
            if let value {
                sql += " AND \(column) = ?"
                values.append(.integer(value))
            }
        }
        if request.status != .unspecified {
            sql += " AND status = ?"
            values.append(.integer(Int64(request.status.rawValue)))
        }
        if let from = request.scheduledFromMilliseconds {
            sql += " AND scheduled_at >= ?"
            values.append(.integer(from))
        }
        if let to = request.scheduledToMilliseconds {
            sql += " AND scheduled_at < ?"
            values.append(.integer(to))
        }
        // Issue 26: by a custom field's value (a many_of field: one of its values).
        if !request.fieldName.isEmpty {
            sql += " AND id IN (SELECT deal_id FROM deal_fields WHERE name = ? AND (value = ? OR instr(',' || replace(value, ', ', ',') || ',', ',' || ? || ',') > 0))"
            values += [.text(request.fieldName), .text(request.fieldValue), .text(request.fieldValue)]
        }
        let condition = request.visibility.resolved.sqlCondition("responsible_id")
        sql += " AND \(condition.sql) ORDER BY id LIMIT ?"
        values += condition.values.map { .integer($0) } + [.integer(Int64(limit + 1))]
        let query = sql, arguments = values
        let found = try await database.read { c in try c.query(query, arguments, Self.deal) }
        var page = DealPage()
        (page.deals, page.nextCursor) = pageRequest.page(found, id: \.id)
        return page
    }

    /// D2: changes the fields the request's mask names; the result must still be a valid deal.
    public func update(_ request: UpdateDealRequest) async throws -> Deal {
        let visibility = request.visibility.resolved
        return try await database.write { tx in
            var deal = try Self.loadVisible(tx.connection, id: request.dealID, visibility)
            var violations = deal.apply(request.deal, fieldMask: request.fieldMask)
            deal.title = deal.title.trimming(.spaces)
            // Only what the patch names is checked against the schema (a deal stored before a
            // limit tightened can still be changed elsewhere); money is checked as a whole.
            violations += Self.moneyViolations(amountMinor: deal.amountMinor, currency: deal.currency)
            // Issue 26: a patch of the fields is checked against their declarations, the required ones included.
            if request.fieldMask.contains("customFields") {
                violations += CustomFieldCheck.violations(deal.customFields, try DealFieldStore.all(tx.connection), pipelineID: deal.pipelineID, requireMissing: true)
            }
            guard violations.isEmpty else { throw RPCError.invalidArgument("the deal would not be valid", details: violations) }
            try Self.table.update(tx, deal)
            if request.fieldMask.contains("customFields") { try DealFieldStore.index(tx, deal) }
            try Self.emit(tx, Deals.Event.updated, deal: deal, previousStageID: nil, actorID: request.actorID)
            return deal
        }
    }

    /// D1/D6: moves the deal; emits stage_changed (and won/lost), writes the timeline,
    /// re-arms the SLA timer, and closes open tasks of a deal that ends.
    public func changeStage(_ request: ChangeStageRequest) async throws -> Deal {
        let violations = request.violations()
        guard violations.isEmpty else { throw RPCError.invalidArgument("the stage change is not valid", details: violations) }
        let visibility = request.visibility.resolved
        let now = clock.milliseconds
        return try await database.write { tx in
            let deal = try Self.loadVisible(tx.connection, id: request.dealID, visibility)
            return try Self.changeStage(tx, deal, request, now: now)
        }
    }

    /// D1/D6 inside a caller's transaction (an event handler's).
    static func changeStage(_ tx: Transaction, _ deal: Deal, _ request: ChangeStageRequest, now: Int64, origin: String = "") throws -> Deal {
        guard let (target, pipelineID) = try PipelineStore.stage(tx.connection, id: request.stageID) else {
            throw RPCError.invalidArgument("stage \(request.stageID) does not exist", details: [FieldViolation(field: "stageId", description: "is unknown")])
        }
        let change = try StageChange.apply(to: deal, target: target, targetPipelineID: pipelineID, lossReason: request.lossReason, now: now).get()
        let next = change.deal
        try table.update(tx, next)
        for type in change.events { try Self.emit(tx, type, deal: next, previousStageID: deal.stageID, actorID: request.actorID, origin: origin) }
        // D7: the deal's leads reached an offer, or were won.
        if next.status == .won || PipelineStore.isOffer(target) {
            try LeadReportStore.updateDeal(tx, dealID: next.id) { facts in
                facts.offered = true
                if next.status == .won { facts.won = true }
            }
        }
        // Issue 26: a won deal's amount is the revenue of the lead that opened it, until payments say otherwise.
        if next.status == .won { try LeadReportStore.revenue(tx, next) }
        let previousName = try PipelineStore.stage(tx.connection, id: deal.stageID)?.stage.name ?? "?"
        var summary = "stage: \(previousName) → \(target.name)"
        if !origin.isEmpty { summary += " (in \(origin))" }
        if next.status == .lost { summary += " (\(next.lossReason))" }
        try TimelineStore.append(tx, TimelineStore.entry(kind: "stage_change", dealID: next.id, contactID: next.contactID, summary: summary, actorID: request.actorID, at: now))
        try Self.armSLA(tx, deal: next, stage: target)
        if next.status != .open { try TaskStore.cancelOpenTasks(tx, dealID: next.id, now: now) }
        return next
    }

    /// D4: open deals with an overdue task, over their stage's SLA, or nothing planned.
    public func problems(_ request: ProblemDealsRequest) async throws -> [ProblemDeal] {
        let limit = try PageRequest(size: request.pageSize, default: 100, maximum: 1000).limit
        let condition = request.visibility.resolved.sqlCondition("responsible_id")
        let now = clock.milliseconds
        return try await database.read { c in
            let slas = Dictionary(uniqueKeysWithValues: try c.query("SELECT id, sla_minutes FROM stages") { ($0.int64(0), $0.int64(1)) })
            var problems: [ProblemDeal] = []
            var after: Int64 = 0
            // Deals are scanned in pages so memory stays flat however many are open.
            while problems.count < limit {
                let deals = try c.query(
                    "SELECT \(Self.columns) FROM deals WHERE status = 1 AND id > ? AND \(condition.sql) ORDER BY id LIMIT 500",
                    [.integer(after)] + condition.values.map { .integer($0) }, Self.deal)
                guard let last = deals.last else { break }
                after = last.id
                for deal in deals {
                    let dues = try c.query("SELECT due_at FROM tasks WHERE deal_id = ? AND status = 1", [.integer(deal.id)]) { $0.optionalInt64(0) }
                    let reasons = ProblemDealRule.reasons(deal: deal, stageSLAMinutes: slas[deal.stageID] ?? 0, openTaskDueTimes: dues, now: now)
                    guard !reasons.isEmpty else { continue }
                    var problem = ProblemDeal()
                    problem.deal = deal
                    problem.reasons = reasons
                    problems.append(problem)
                    if problems.count == limit { break }
                }
            }
            return problems
        }
    }

    /// contact.merged: the merged contact's deals, tasks and timeline now belong to the survivor.
    static func repoint(_ tx: Transaction, from mergedID: Int64, to survivorID: Int64) throws {
        for var deal in try tx.query("SELECT \(columns) FROM deals WHERE contact_id = ?", [.integer(mergedID)], Self.deal) {
            deal.contactID = survivorID
            try table.update(tx, deal)
        }
        try tx.run("UPDATE tasks SET contact_id = ? WHERE contact_id = ?", [.integer(survivorID), .integer(mergedID)])
        try tx.run("UPDATE timeline SET contact_id = ? WHERE contact_id = ?", [.integer(survivorID), .integer(mergedID)])
    }
}
