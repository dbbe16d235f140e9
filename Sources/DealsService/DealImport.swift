import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// G7: pipeline, deal, task, note and activity rows of an import, and the same rows for an
/// export. Each row is kept by (source, external id): found again, it updates what it made.
/// History keeps its own dates (a deal's opening and closing, a note's, a call's) and is not
/// news: no event goes out, no rule or webhook hears of it, unless the import is announced
/// (then each new deal is a deal.created). An imported open deal's stage SLA counts from
/// the import, and only tasks due in the future get a due-time timer, so a years-old
/// backlog does not ring every alarm at once; overdue tasks still read as overdue.
public struct DealImport: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// What a batch's rows name, found before any row is written.
    struct Names {
        let source: String
        /// Contacts and staff as contacts resolved them (0: made earlier in this dry run).
        let resolved: [ImportKind: [String: Int64]]
        /// Side by side (G7): a change happening now there.
        var live = false

        func contact(_ reference: String) -> Int64? { resolved[.contact]?[reference] }
        /// A live change naming someone not known here leaves them out (0) rather than refusing the change.
        func staff(_ reference: String) -> Int64? { resolved[.staff]?[reference] ?? (live ? 0 : nil) }
    }

    public func run(_ batch: ImportBatch) async throws -> ImportOutcomes {
        try ImportLedger.requireValid(batch)
        var resolved: [ImportKind: [String: Int64]] = [:]
        for reference in batch.references { resolved[reference.kind, default: [:]][reference.reference] = reference.id }
        let names = Names(source: batch.source, resolved: resolved, live: batch.live)
        let now = clock.milliseconds
        let rows = batch.rows, announce = batch.announce, dryRun = batch.dryRun
        return try await ImportLedger.run(database, dryRun: dryRun, count: rows.count, prefix: { rows[$0].kind.name }) { tx, i in
            let row = rows[i]
            if let pipeline = row.pipeline { return try Self.pipelineRow(tx, pipeline, names, now: now) }
            if let deal = row.deal { return try Self.dealRow(tx, deal, names, announce: announce, dryRun: dryRun, now: now) }
            if let task = row.task { return try Self.taskRow(tx, task, names, now: now) }
            if let note = row.note { return try Self.noteRow(tx, note, names, now: now) }
            if let activity = row.activity { return try Self.activityRow(tx, activity, names) }
            throw RPCError.invalidArgument("deals takes pipeline, deal, task, note and activity rows")
        }
    }

    static func refused(_ field: String, _ description: String) -> RPCError {
        RPCError.invalidArgument("\(field) \(description)", details: [FieldViolation(field: field, description: description)])
    }

    // MARK: Pipelines

    /// A new pipeline is made with its stages (a won and a lost one added when it has none);
    /// one known by key or by name gains the stages it lacks and keeps the rest.
    static func pipelineRow(_ tx: Transaction, _ row: ImportedPipeline, _ names: Names, now: Int64) throws -> ImportOutcome {
        let pipelines = try PipelineStore.load(tx.connection)
        let keyed = try ImportLedger.find(tx.connection, source: names.source, kind: .pipeline, row.externalID)
        let existing = pipelines.first { $0.id == keyed } ?? pipelines.first { $0.name.lowercased() == row.name.trimming(.spaces).lowercased() }
        var stages = row.stages.map { DealStage(name: $0.name, outcome: $0.outcome) }
        if !stages.contains(where: { $0.outcome == .won }) { stages.append(DealStage(name: "Won", outcome: .won)) }
        if !stages.contains(where: { $0.outcome == .lost }) { stages.append(DealStage(name: "Lost", outcome: .lost)) }
        let result: ImportResult
        let pipelineID: Int64
        if let existing {
            pipelineID = existing.id
            result = keyed == nil ? .matched : .updated
            if keyed != nil, existing.name != row.name.trimming(.spaces) {
                if try tx.queryFirst("SELECT 1 FROM pipelines WHERE name = ? AND id != ?", [.text(row.name), .integer(existing.id)], { _ in true }) != nil {
                    throw refused("name", "is another pipeline's")
                }
                try tx.run("UPDATE pipelines SET name = ? WHERE id = ?", [.text(row.name.trimming(.spaces)), .integer(existing.id)])
            }
            var position = (existing.stages.map(\.position).max() ?? 0)
            for stage in stages where !existing.stages.contains(where: { $0.name.lowercased() == stage.name.lowercased() }) {
                position += 1
                try tx.run(
                    "INSERT INTO stages (pipeline_id, name, position, sla_minutes, outcome) VALUES (?, ?, ?, 0, ?)",
                    [.integer(existing.id), .text(stage.name), .integer(position), .integer(Int64((stage.outcome == .unspecified ? .inProgress : stage.outcome).rawValue))])
            }
        } else {
            var pipeline = Pipeline(name: row.name, stages: stages)
            pipeline = try PipelineValidator.validate(pipeline).get()
            try tx.run(
                "INSERT INTO pipelines (name, channels, is_default, created_at) VALUES (?, '', 0, ?)", [.text(pipeline.name), .integer(now)])
            pipelineID = tx.lastInsertRowID
            for stage in pipeline.stages {
                try tx.run(
                    "INSERT INTO stages (pipeline_id, name, position, sla_minutes, outcome) VALUES (?, ?, ?, 0, ?)",
                    [.integer(pipelineID), .text(stage.name), .integer(stage.position), .integer(Int64(stage.outcome.rawValue))])
            }
            result = .created
        }
        try ImportLedger.keep(tx, source: names.source, kind: .pipeline, row.externalID, id: pipelineID)
        // Stages are keyed within their pipeline: amoCRM's won (142) and lost (143) are every pipeline's.
        let stored = try PipelineStore.load(tx.connection).first { $0.id == pipelineID }!
        for stage in row.stages where !stage.externalID.isEmpty {
            guard let id = stored.stages.first(where: { $0.name.lowercased() == stage.name.trimming(.spaces).lowercased() })?.id else { continue }
            try ImportLedger.keep(tx, source: names.source, kind: .stage, "\(pipelineID)/\(stage.externalID)", id: id)
        }
        return ImportLedger.outcome(result, id: pipelineID)
    }

    // MARK: Deals

    static func dealRow(_ tx: Transaction, _ row: ImportedDeal, _ names: Names, announce: Bool, dryRun: Bool, now: Int64) throws -> ImportOutcome {
        if names.live, let id = try ImportLedger.find(tx.connection, source: names.source, kind: .deal, row.externalID),
           let before = try DealStore.load(tx.connection, id: id) {
            return try liveChange(tx, before, row, names, now: now)
        }
        guard let contactID = names.contact(row.contact) else { throw refused("contact", "names no contact of this source (import its contact row first)") }
        var responsibleID: Int64?
        if !row.responsible.isEmpty {
            guard let id = names.staff(row.responsible) else { throw refused("responsible", "names no staff member (external id, email or full name)") }
            responsibleID = id == 0 ? nil : id
        }
        if row.amountMinor > 0, row.currency.isEmpty { throw refused("currency", "is required when there is an amount (an ISO 4217 code such as RUB)") }
        if let created = row.createdAtMilliseconds, let closed = row.closedAtMilliseconds, closed < created { throw refused("closedAt", "is before createdAt") }
        let pipelines = try PipelineStore.load(tx.connection)
        let pipeline: Pipeline
        if row.pipeline.isEmpty {
            pipeline = pipelines.first { $0.isDefault } ?? pipelines[0]
        } else if let found = try Self.pipeline(tx.connection, row.pipeline, pipelines, names) {
            pipeline = found
        } else {
            // A dry run made no pipelines: one its own rows named is taken on trust.
            if dryRun, names.resolved[.pipeline]?[row.pipeline] != nil { return ImportLedger.outcome(.created, id: 0) }
            throw refused("pipeline", "names no pipeline (external id or name)")
        }
        let stage: DealStage
        if row.stage.isEmpty {
            guard let first = pipeline.stages.first(where: { $0.outcome == .inProgress }) else { throw refused("stage", "the pipeline has no working stage") }
            stage = first
        } else if let keyed = try ImportLedger.find(tx.connection, source: names.source, kind: .stage, "\(pipeline.id)/\(row.stage)"),
                  let found = pipeline.stages.first(where: { $0.id == keyed }) {
            stage = found
        } else if let found = pipeline.stages.first(where: { $0.name.lowercased() == row.stage.trimming(.spaces).lowercased() }) {
            stage = found
        } else {
            throw refused("stage", "names no stage of pipeline \"\(pipeline.name)\" (external id or name)")
        }
        let fields = CustomFieldCheck.violations(row.customFields, try DealFieldStore.all(tx.connection), pipelineID: pipeline.id, requireMissing: false)
        guard fields.isEmpty else { throw RPCError.invalidArgument("the deal's fields are not valid", details: fields) }
        let createdAt = row.createdAtMilliseconds ?? now
        let status: DealStatus = switch stage.outcome {
        case .won: .won
        case .lost: .lost
        default: .open
        }
        let closedAt: Int64? = status == .open ? nil : max(row.closedAtMilliseconds ?? createdAt, createdAt)
        var deal = Deal(
            title: row.title.trimming(.spaces), contactID: contactID, pipelineID: pipeline.id, stageID: stage.id, status: status,
            amountMinor: row.amountMinor, currency: row.currency, responsibleID: responsibleID, source: row.source, customFields: row.customFields,
            lossReason: status == .lost ? row.lossReason : "", createdAtMilliseconds: createdAt, closedAtMilliseconds: closedAt,
            stageEnteredAtMilliseconds: status == .open ? now : (closedAt ?? createdAt))
        if let id = try ImportLedger.find(tx.connection, source: names.source, kind: .deal, row.externalID), let before = try DealStore.load(tx.connection, id: id) {
            deal.id = id
            deal.leadID = before.leadID
            deal.scheduledAtMilliseconds = before.scheduledAtMilliseconds
            if before.stageID == deal.stageID { deal.stageEnteredAtMilliseconds = before.stageEnteredAtMilliseconds }
            try DealStore.table.update(tx, deal)
            try tx.run("DELETE FROM deal_fields WHERE deal_id = ?", [.integer(id)])
            try DealFieldStore.index(tx, deal)
            if before.stageID != deal.stageID {
                try DealStore.armSLA(tx, deal: deal, stage: stage)
                if deal.status != .open { try TaskStore.cancelOpenTasks(tx, dealID: id, now: now) }
            }
            try tx.run("UPDATE timeline SET contact_id = ? WHERE deal_id = ?", [.integer(contactID), .integer(id)])
            try leadFacts(tx, deal)
            return ImportLedger.outcome(.updated, id: id)
        }
        deal = try DealStore.table.insert(tx, deal)
        try DealFieldStore.index(tx, deal)
        deal.leadID = try Self.lead(tx, deal)
        try DealStore.table.update(tx, deal)
        try leadFacts(tx, deal)
        try TimelineStore.append(tx, TimelineStore.entry(
            kind: "deal_opened", dealID: deal.id, contactID: contactID, summary: "deal opened: \(deal.title)", actorID: nil, at: createdAt))
        if deal.status == .open { try DealStore.armSLA(tx, deal: deal, stage: stage) }
        if announce { try DealStore.emit(tx, Deals.Event.created, deal: deal, previousStageID: nil, actorID: nil, origin: names.live ? names.source : "") }
        try ImportLedger.keep(tx, source: names.source, kind: .deal, row.externalID, id: deal.id)
        return ImportLedger.outcome(.created, id: deal.id)
    }

    /// Side by side (G7): a deal known here changed there. The fields the row gives replace
    /// ours; a new stage is a stage change like any (events, timeline, SLA, tasks of a closed
    /// deal), marked with its origin so it is not sent back.
    static func liveChange(_ tx: Transaction, _ before: Deal, _ row: ImportedDeal, _ names: Names, now: Int64) throws -> ImportOutcome {
        var next = before
        if !row.title.trimming(.spaces).isEmpty { next.title = row.title.trimming(.spaces) }
        if row.amountMinor > 0 {
            guard !row.currency.isEmpty else { throw refused("currency", "is required when there is an amount (an ISO 4217 code such as RUB)") }
            (next.amountMinor, next.currency) = (row.amountMinor, row.currency)
        }
        if !row.responsible.isEmpty, let id = names.staff(row.responsible), id > 0 { next.responsibleID = id }
        if !row.customFields.isEmpty {
            let named = Set(row.customFields.map(\.name))
            next.customFields = before.customFields.filter { !named.contains($0.name) } + row.customFields
        }
        if next != before {
            try DealStore.table.update(tx, next)
            try tx.run("DELETE FROM deal_fields WHERE deal_id = ?", [.integer(next.id)])
            try DealFieldStore.index(tx, next)
        }
        guard !row.stage.isEmpty else { return ImportLedger.outcome(.updated, id: next.id) }
        let pipelines = try PipelineStore.load(tx.connection)
        let pipeline: Pipeline
        if row.pipeline.isEmpty {
            guard let own = pipelines.first(where: { $0.id == next.pipelineID }) else { throw refused("pipeline", "names no pipeline") }
            pipeline = own
        } else {
            guard let found = try Self.pipeline(tx.connection, row.pipeline, pipelines, names) else {
                throw refused("pipeline", "names no pipeline known here (import the pipelines of \(names.source) again)")
            }
            pipeline = found
        }
        guard let stageID = try ImportLedger.find(tx.connection, source: names.source, kind: .stage, "\(pipeline.id)/\(row.stage)")
            ?? pipeline.stages.first(where: { $0.name.lowercased() == row.stage.lowercased() })?.id
        else {
            throw refused("stage", "names no stage of pipeline \"\(pipeline.name)\" known here (import the pipelines of \(names.source) again)")
        }
        guard stageID != next.stageID else { return ImportLedger.outcome(.updated, id: next.id) }
        var move = ChangeStageRequest(dealID: next.id, stageID: stageID)
        move.lossReason = row.lossReason.isEmpty ? "lost in \(names.source)" : row.lossReason
        _ = try DealStore.changeStage(tx, next, move, now: now, origin: names.source)
        return ImportLedger.outcome(.updated, id: next.id)
    }

    /// A pipeline by the external id of a pipeline row of the source, else by name.
    static func pipeline(_ c: Connection, _ reference: String, _ pipelines: [Pipeline], _ names: Names) throws -> Pipeline? {
        if let id = try ImportLedger.find(c, source: names.source, kind: .pipeline, reference), let found = pipelines.first(where: { $0.id == id }) { return found }
        let name = reference.trimming(.spaces).lowercased()
        return pipelines.first { $0.name.lowercased() == name }
    }

    /// D7: an imported deal counts in the lead report as a lead of its source received the
    /// day it was opened (a lead of channel `import` when it names none).
    static func lead(_ tx: Transaction, _ deal: Deal) throws -> Int64 {
        var lead = Lead()
        lead.channel = deal.source.isEmpty ? "import" : deal.source
        lead.title = deal.title
        try tx.run(
            """
            INSERT INTO leads (channel, partner, external_id, lead, status, low_quality, reason, contact_id, deal_id, received_at, processed_at)
            VALUES (?, '', '', ?, ?, 0, '', ?, ?, ?, ?)
            """,
            [.text(lead.channel), .blob(lead.wireBytes()), .integer(Int64(LeadStatus.processed.rawValue)), .integer(deal.contactID), .integer(deal.id),
             .integer(deal.createdAtMilliseconds), .integer(deal.createdAtMilliseconds)])
        let id = tx.lastInsertRowID
        try LeadReportStore.received(tx, leadID: id, lead, lowQuality: false, at: deal.createdAtMilliseconds)
        try LeadReportStore.opened(tx, leadID: id, dealID: deal.id)
        return id
    }

    /// D7: the lead's win and revenue follow the deal's stage as imported.
    static func leadFacts(_ tx: Transaction, _ deal: Deal) throws {
        let stage = try PipelineStore.stage(tx.connection, id: deal.stageID)?.stage
        let offered = deal.status == .won || stage.map(PipelineStore.isOffer) == true
        try LeadReportStore.updateDeal(tx, dealID: deal.id) { facts in
            facts.won = deal.status == .won
            facts.offered = offered
        }
        try LeadReportStore.revenue(tx, deal)
    }

    // MARK: Tasks, notes, activities

    /// The deal a row names (by external id), or its contact; one of the two.
    static func subject(_ c: Connection, deal: String, contact: String, _ names: Names) throws -> (dealID: Int64?, contactID: Int64) {
        if !deal.isEmpty {
            guard let id = try ImportLedger.find(c, source: names.source, kind: .deal, deal), let found = try DealStore.load(c, id: id) else {
                // A dry run made no deals: one its own rows named is taken on trust.
                if names.resolved[.deal]?[deal] != nil { return (0, 0) }
                throw refused("deal", "names no deal of this source (import its deal row first)")
            }
            return (found.id, found.contactID)
        }
        guard !contact.isEmpty else { throw refused("deal", "a row is on a deal or a contact: give deal or contact") }
        guard let id = names.contact(contact) else { throw refused("contact", "names no contact of this source (import its contact row first)") }
        return (nil, id)
    }

    static func staff(_ reference: String, field: String, _ names: Names) throws -> Int64? {
        guard !reference.isEmpty else { return nil }
        guard let id = names.staff(reference) else { throw refused(field, "names no staff member (external id, email or full name)") }
        return id == 0 ? nil : id
    }

    static func taskRow(_ tx: Transaction, _ row: ImportedTask, _ names: Names, now: Int64) throws -> ImportOutcome {
        let (dealID, contactID) = try subject(tx.connection, deal: row.deal, contact: row.contact, names)
        let assigneeID = try staff(row.assignee, field: "assignee", names)
        let kind: TaskKind = row.kind == .unspecified ? .followUp : row.kind
        let status: TaskStatus = row.status == .unspecified ? .open : row.status
        let createdAt = row.createdAtMilliseconds ?? now
        let completedAt: Int64? = status == .open ? nil : (row.completedAtMilliseconds ?? createdAt)
        if let id = try ImportLedger.find(tx.connection, source: names.source, kind: .task, row.externalID),
           try TaskStore.load(tx.connection, id: id) != nil {
            try tx.run(
                "UPDATE tasks SET kind = ?, title = ?, assignee_id = ?, due_at = ?, status = ?, created_at = ?, completed_at = ? WHERE id = ?",
                [.integer(Int64(kind.rawValue)), .text(row.title), SQLValue(assigneeID), SQLValue(row.dueAtMilliseconds), .integer(Int64(status.rawValue)),
                 .integer(createdAt), SQLValue(completedAt), .integer(id)])
            try dueTimer(tx, id: id, due: status == .open ? row.dueAtMilliseconds : nil, now: now)
            return ImportLedger.outcome(.updated, id: id)
        }
        // D4: one open task of a kind per deal; a second is the first.
        if status == .open, let dealID, dealID > 0,
           let first = try tx.queryFirst("SELECT id FROM tasks WHERE deal_id = ? AND kind = ? AND status = 1", [.integer(dealID), .integer(Int64(kind.rawValue))], { $0.int64(0) }) {
            try ImportLedger.keep(tx, source: names.source, kind: .task, row.externalID, id: first)
            return ImportLedger.outcome(.matched, id: first)
        }
        try tx.run(
            "INSERT INTO tasks (kind, title, deal_id, contact_id, assignee_id, due_at, status, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.integer(Int64(kind.rawValue)), .text(row.title), SQLValue(dealID), .integer(contactID), SQLValue(assigneeID), SQLValue(row.dueAtMilliseconds),
             .integer(Int64(status.rawValue)), .integer(createdAt), SQLValue(completedAt)])
        let id = tx.lastInsertRowID
        try dueTimer(tx, id: id, due: status == .open ? row.dueAtMilliseconds : nil, now: now)
        try ImportLedger.keep(tx, source: names.source, kind: .task, row.externalID, id: id)
        return ImportLedger.outcome(.created, id: id)
    }

    /// Only a due time still ahead sets the timer: an imported task long overdue is listed
    /// as overdue but does not announce it.
    static func dueTimer(_ tx: Transaction, id: Int64, due: Int64?, now: Int64) throws {
        if let due, due > now {
            try tx.setTimer(kind: TaskStore.dueTimer, key: "\(id)", at: Date(timeIntervalSince1970: Double(due) / 1000))
        } else {
            try tx.cancelTimer(kind: TaskStore.dueTimer, key: "\(id)")
        }
    }

    static func noteRow(_ tx: Transaction, _ row: ImportedNote, _ names: Names, now: Int64) throws -> ImportOutcome {
        let (dealID, contactID) = try subject(tx.connection, deal: row.deal, contact: row.contact, names)
        let authorID = try staff(row.author, field: "author", names)
        let at = row.createdAtMilliseconds ?? now
        var note = Note(dealID: dealID, contactID: contactID, text: row.text, authorID: authorID, createdAtMilliseconds: at, editableUntilMilliseconds: at)
        if let id = try ImportLedger.find(tx.connection, source: names.source, kind: .note, row.externalID),
           let timelineID = try tx.queryFirst("SELECT timeline_id FROM notes WHERE id = ?", [.integer(id)], { $0.int64(0) }) {
            note.id = id
            try tx.run("UPDATE notes SET author_id = ?, created_at = ?, body = ? WHERE id = ?", [SQLValue(authorID), .integer(at), .blob(note.wireBytes()), .integer(id)])
            try tx.run("UPDATE timeline SET summary = ?, at = ?, actor_id = ? WHERE id = ?", [.text(row.text), .integer(at), SQLValue(authorID), .integer(timelineID)])
            return ImportLedger.outcome(.updated, id: id)
        }
        try TimelineStore.append(tx, TimelineStore.entry(kind: "note", dealID: dealID, contactID: contactID, summary: row.text, actorID: authorID, at: at))
        let timelineID = tx.lastInsertRowID
        try tx.run(
            "INSERT INTO notes (timeline_id, deal_id, contact_id, author_id, created_at, body) VALUES (?, ?, ?, ?, ?, x'')",
            [.integer(timelineID), SQLValue(dealID), .integer(contactID), SQLValue(authorID), .integer(at)])
        note.id = tx.lastInsertRowID
        try tx.run("UPDATE notes SET body = ? WHERE id = ?", [.blob(note.wireBytes()), .integer(note.id)])
        try ImportLedger.keep(tx, source: names.source, kind: .note, row.externalID, id: note.id)
        return ImportLedger.outcome(.created, id: note.id)
    }

    static func activityRow(_ tx: Transaction, _ row: ImportedActivity, _ names: Names) throws -> ImportOutcome {
        let (dealID, contactID) = try subject(tx.connection, deal: row.deal, contact: row.contact, names)
        let actorID = try staff(row.actor, field: "actor", names)
        if let id = try ImportLedger.find(tx.connection, source: names.source, kind: .activity, row.externalID),
           try tx.queryFirst("SELECT 1 FROM timeline WHERE id = ?", [.integer(id)], { _ in true }) != nil {
            try tx.run(
                "UPDATE timeline SET at = ?, kind = ?, summary = ?, actor_id = ? WHERE id = ?",
                [.integer(row.atMilliseconds), .text(row.kind), .text(row.summary), SQLValue(actorID), .integer(id)])
            return ImportLedger.outcome(.updated, id: id)
        }
        try TimelineStore.append(tx, TimelineStore.entry(kind: row.kind, dealID: dealID, contactID: contactID, summary: row.summary, actorID: actorID, at: row.atMilliseconds))
        let id = tx.lastInsertRowID
        try ImportLedger.keep(tx, source: names.source, kind: .activity, row.externalID, id: id)
        return ImportLedger.outcome(.created, id: id)
    }

    // MARK: Side by side

    /// What `source` calls the deal, its pipeline and its stage (stages are keyed within
    /// their pipeline: `<our pipeline>/<theirs>`); not_found for no deal.
    public func keys(_ request: ImportKeysRequest) async throws -> ImportKeys {
        try await database.read { c in
            guard let deal = try DealStore.load(c, id: request.dealID) else { throw RPCError.notFound("deal \(request.dealID) does not exist") }
            var keys = ImportKeys()
            keys.deal = try ImportLedger.external(c, source: request.source, kind: .deal, id: deal.id) ?? ""
            keys.pipeline = try ImportLedger.external(c, source: request.source, kind: .pipeline, id: deal.pipelineID) ?? ""
            let stage = try ImportLedger.external(c, source: request.source, kind: .stage, id: deal.stageID) ?? ""
            keys.stage = stage.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            return keys
        }
    }

    /// Keeps what a source calls a deal made here, so its hooks about it find it.
    public func link(_ request: ImportLink) async throws {
        guard request.kind == .deal, !request.source.isEmpty, !request.externalID.isEmpty, request.externalID.utf8.count <= 200 else {
            throw RPCError.invalidArgument("a link names a source, a deal and its external id")
        }
        try await database.write { tx in
            guard try DealStore.load(tx.connection, id: request.id) != nil else { throw RPCError.notFound("deal \(request.id) does not exist") }
            try ImportLedger.keep(tx, source: request.source, kind: .deal, request.externalID, id: request.id)
        }
    }

    // MARK: Export

    /// Pipelines, deals, tasks, notes or timeline entries (besides notes and openings, which
    /// an import makes again) after `afterID`, as import rows keyed by our ids.
    public func export(_ request: ExportRequest) async throws -> ExportPage {
        let limit = Int64(min(max(request.limit, 1), 1000))
        let after = request.afterID
        return try await database.read { c in
            var page = ExportPage()
            var ids: [Int64] = []
            switch request.kind {
            case .pipeline:
                for pipeline in try PipelineStore.load(c) where pipeline.id > after && ids.count < limit {
                    ids.append(pipeline.id)
                    let stages = (pipeline.stages + pipeline.retiredStages).map { ImportedStage(externalID: "\($0.id)", name: $0.name, outcome: $0.outcome) }
                    page.rows.append(ImportRow(pipeline: ImportedPipeline(externalID: "\(pipeline.id)", name: pipeline.name, stages: stages)))
                }
            case .deal:
                let deals = try DealStore.table.list(c, where: "id IN (SELECT id FROM deals WHERE id > ? ORDER BY id LIMIT ?)", [.integer(after), .integer(limit)])
                for d in deals {
                    ids.append(d.id)
                    page.rows.append(ImportRow(deal: ImportedDeal(
                        externalID: "\(d.id)", title: d.title, contact: "\(d.contactID)", pipeline: "\(d.pipelineID)", stage: "\(d.stageID)",
                        responsible: d.responsibleID.map { "\($0)" } ?? "", amountMinor: d.amountMinor, currency: d.currency, source: d.source,
                        customFields: d.customFields, createdAtMilliseconds: d.createdAtMilliseconds, closedAtMilliseconds: d.closedAtMilliseconds,
                        lossReason: d.lossReason)))
                }
            case .task:
                let tasks = try c.query("SELECT \(TaskStore.columns) FROM tasks WHERE id > ? ORDER BY id LIMIT ?", [.integer(after), .integer(limit)], TaskStore.task)
                for t in tasks {
                    ids.append(t.id)
                    page.rows.append(ImportRow(task: ImportedTask(
                        externalID: "\(t.id)", deal: t.dealID.map { "\($0)" } ?? "", contact: t.dealID == nil ? t.contactID.map { "\($0)" } ?? "" : "",
                        kind: t.kind == .reply ? .followUp : t.kind, title: t.title, assignee: t.assigneeID.map { "\($0)" } ?? "",
                        dueAtMilliseconds: t.dueAtMilliseconds, status: t.status, createdAtMilliseconds: t.createdAtMilliseconds,
                        completedAtMilliseconds: t.completedAtMilliseconds)))
                }
            case .note:
                let notes = try c.query("SELECT id, body FROM notes WHERE id > ? ORDER BY id LIMIT ?", [.integer(after), .integer(limit)]) { ($0.int64(0), $0.blob(1)) }
                for (id, body) in notes {
                    ids.append(id)
                    let n = try Note(wireBytes: body)
                    page.rows.append(ImportRow(note: ImportedNote(
                        externalID: "\(id)", deal: n.dealID.map { "\($0)" } ?? "", contact: n.dealID == nil ? "\(n.contactID ?? 0)" : "", text: n.text,
                        author: n.authorID.map { "\($0)" } ?? "", createdAtMilliseconds: n.createdAtMilliseconds)))
                }
            case .activity:
                let entries = try c.query(
                    "SELECT id, at, kind, deal_id, contact_id, summary, actor_id FROM timeline WHERE id > ? AND kind NOT IN ('note', 'deal_opened') ORDER BY id LIMIT ?",
                    [.integer(after), .integer(limit)]) { row in
                        TimelineEntry(
                            id: row.int64("id"), atMilliseconds: row.int64("at"), kind: row.string("kind"), dealID: row.optionalInt64("deal_id"),
                            contactID: row.int64("contact_id"), summary: row.string("summary"), actorID: row.optionalInt64("actor_id"))
                    }
                for e in entries {
                    ids.append(e.id)
                    page.rows.append(ImportRow(activity: ImportedActivity(
                        externalID: "\(e.id)", deal: e.dealID.map { "\($0)" } ?? "", contact: e.dealID == nil ? "\(e.contactID)" : "", kind: e.kind,
                        atMilliseconds: e.atMilliseconds, summary: e.summary, actor: e.actorID.map { "\($0)" } ?? "")))
                }
            default:
                throw RPCError.invalidArgument("deals exports pipelines, deals, tasks, notes and activities", details: [FieldViolation(field: "kind", description: "is not one of deals'")])
            }
            page.lastID = ids.count == limit ? ids.last ?? 0 : 0
            return page
        }
    }
}
