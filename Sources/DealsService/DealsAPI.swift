import ContractServices
import Contracts
import FoundationEssentials
import Glibc
import RPC
import ServiceKit
import Storage
import Wire

/// The deals service's RPC face, the events it takes (contact.merged,
/// interaction.recorded) and its timers (stage SLAs, task due times).
public struct DealsAPI: Deals.ServiceProtocol {
    public let pipelines: PipelineStore
    public let deals: DealStore
    public let tasks: TaskStore
    public let timeline: TimelineStore
    public let leads: LeadIntake
    /// T5/T6: missed-call tasks and their completion, once a call's deal is known.
    public let callEffects: CallEffects
    /// D3, D5: messenger messages filed as leads or timeline entries.
    public let messages: MessageLedger
    /// D5: notes and their mentions.
    public let notes: NoteStore
    /// Issue 26 item 2: the declared deal fields.
    public let fields: DealFieldStore
    /// G7: imports and exports.
    public let moving: DealImport
    let contacts: RPCClient
    let staff: StaffDirectory
    let database: Database
    /// C8: the events it keeps, for a person's erasure (the host's; none in unit tests).
    public var events = EventErasure.none

    /// `leadInlineTimeout`: how long SubmitLead waits for contacts before answering pending;
    /// `clock`: the time stamped on what is stored and rules measure from (the host's).
    public init(
        database: Database, contacts: RPCClient, logger: Logger, leadInlineTimeout: Duration = .seconds(2), clock: WallClock = .system,
        missedCallDelaySeconds: Int64 = MissedCallRule.defaultDelaySeconds
    ) {
        self.contacts = contacts
        self.database = database
        staff = StaffDirectory(contacts: contacts)
        pipelines = PipelineStore(database: database, clock: clock)
        deals = DealStore(database: database, clock: clock)
        tasks = TaskStore(database: database, clock: clock)
        timeline = TimelineStore(database: database)
        leads = LeadIntake(database: database, contacts: contacts, logger: logger, inlineTimeout: leadInlineTimeout, clock: clock)
        messages = MessageLedger(database: database, contacts: contacts, clock: clock)
        notes = NoteStore(database: database, clock: clock)
        fields = DealFieldStore(database: database, clock: clock)
        moving = DealImport(database: database, clock: clock)
        callEffects = CallEffects(database: database, staff: staff, logger: logger, clock: clock, delaySeconds: missedCallDelaySeconds)
    }

    public func erasePerson(_ request: ErasePersonRequest, context _: ServerContext) async throws -> ErasureReport {
        try await DealErasure(database: database, events: events).erase(request)
    }

    public func createPipeline(_ request: Pipeline, context _: ServerContext) async throws -> Pipeline {
        try await pipelines.create(request)
    }

    public func listPipelines(_: Empty, context _: ServerContext) async throws -> PipelineList {
        var list = PipelineList()
        list.pipelines = try await pipelines.all()
        return list
    }

    public func updatePipeline(_ request: PipelineEdit, context: ServerContext) async throws -> Pipeline {
        var edit = request
        edit.actorID = context.principal?.staffID
        edit.credentialID = context.principal?.credentialID
        return try await pipelines.update(edit)
    }

    public func pipelineHistory(_ request: SetupHistoryRequest, context _: ServerContext) async throws -> SetupHistory {
        try await pipelines.history(request.id)
    }

    public func importRecords(_ request: ImportBatch, context _: ServerContext) async throws -> ImportOutcomes {
        try await moving.run(request)
    }

    public func exportRecords(_ request: ExportRequest, context _: ServerContext) async throws -> ExportPage {
        try await moving.export(request)
    }

    public func importKeys(_ request: ImportKeysRequest, context _: ServerContext) async throws -> ImportKeys {
        try await moving.keys(request)
    }

    public func linkImport(_ request: ImportLink, context _: ServerContext) async throws -> Empty {
        try await moving.link(request)
        return Empty()
    }

    public func createDeal(_ request: Deal, context: ServerContext) async throws -> Deal {
        var deal = request
        try await staff.requireMember(request.responsibleID, field: "responsibleId", options: Self.options(context))
        try await requireStaffFields(request.customFields, context: context)
        deal.contactID = try await liveContact(request.contactID, visibility: request.visibility.resolved, context: context)
        deal.visibility = nil
        return try await deals.create(deal)
    }

    /// D5: a note on a deal the caller sees, or on a contact contacts says they see; each
    /// staff member it mentions must exist.
    public func addNote(_ request: Note, context: ServerContext) async throws -> Note {
        var note = request
        note.authorID = context.principal?.staffID
        for (i, id) in request.mentions.enumerated() {
            try await staff.requireMember(id, field: "mentions[\(i)]", options: Self.options(context))
        }
        if note.dealID == nil, let contactID = note.contactID {
            note.contactID = try await liveContact(contactID, visibility: note.visibility.resolved, context: context)
        }
        return try await notes.add(note)
    }

    public func editNote(_ request: EditNoteRequest, context: ServerContext) async throws -> Note {
        var edit = request
        edit.by = context.principal?.staffID
        return try await notes.edit(edit, byAdmin: context.principal?.role == "admin")
    }

    public func fileMessages(_ request: FileMessagesRequest, context: ServerContext) async throws -> FiledMessages {
        try await messages.file(request, options: Self.options(context))
    }

    public func getDeal(_ request: GetDealRequest, context _: ServerContext) async throws -> Deal {
        try await deals.get(request.id, visibility: request.visibility.resolved)
    }

    public func getDeals(_ request: GetDealsRequest, context _: ServerContext) async throws -> DealList {
        DealList(deals: try await deals.get(request.ids, visibility: request.visibility.resolved))
    }

    public func listDeals(_ request: ListDealsRequest, context _: ServerContext) async throws -> DealPage {
        try await deals.list(request)
    }

    public func changeStage(_ request: ChangeStageRequest, context _: ServerContext) async throws -> Deal {
        try await deals.changeStage(request)
    }

    public func updateDeal(_ request: UpdateDealRequest, context: ServerContext) async throws -> Deal {
        if request.fieldMask.contains("responsibleId") {
            try await staff.requireMember(request.deal.responsibleID, field: "responsibleId", options: Self.options(context))
        }
        if request.fieldMask.contains("customFields") { try await requireStaffFields(request.deal.customFields, context: context) }
        return try await deals.update(request)
    }

    public func submitLead(_ request: Lead, context: ServerContext) async throws -> LeadReceipt {
        try await leads.submit(request, deadline: context.deadline)
    }

    public func getLead(_ request: GetLeadRequest, context _: ServerContext) async throws -> LeadReceipt {
        try await leads.get(request.id, visibility: request.visibility.resolved)
    }

    public func createTask(_ request: DealTask, context: ServerContext) async throws -> CreateTaskResponse {
        var task = request
        task.createdBy = context.principal?.staffID
        try await staff.requireMember(request.assigneeID, field: "assigneeId", options: Self.options(context))
        // On a deal, the deal names the contact; on a contact alone, contacts confirms it.
        if task.dealID == nil, let contactID = task.contactID {
            task.contactID = try await liveContact(contactID, visibility: task.visibility.resolved, context: context)
        }
        return try await tasks.create(task)
    }

    public func rescheduleTask(_ request: RescheduleTaskRequest, context: ServerContext) async throws -> DealTask {
        var move = request
        move.by = context.principal?.staffID
        return try await tasks.reschedule(move)
    }

    public func completeTask(_ request: CompleteTaskRequest, context _: ServerContext) async throws -> DealTask {
        try await tasks.complete(request)
    }

    public func listTasks(_ request: ListTasksRequest, context _: ServerContext) async throws -> TaskList {
        var list = TaskList()
        list.tasks = try await tasks.list(request)
        return list
    }

    public func problemDeals(_ request: ProblemDealsRequest, context _: ServerContext) async throws -> ProblemDealList {
        var list = ProblemDealList()
        list.items = try await deals.problems(request)
        return list
    }

    public func timeline(_ request: TimelineRequest, context _: ServerContext) async throws -> Timeline {
        try await timeline.page(request)
    }

    public func attributionReport(_ request: AttributionRequest, context _: ServerContext) async throws -> AttributionReport {
        try await database.read { c in try AttributionStore.report(c, request) }
    }

    public func managerReport(_ request: ManagerReportRequest, context _: ServerContext) async throws -> ManagerReport {
        let now = pipelines.clock.milliseconds
        return try await database.read { c in try ManagerReportStore.report(c, request, now: now) }
    }

    public func npsReport(_ request: NPSRequest, context _: ServerContext) async throws -> NPSReport {
        try await database.read { c in try NPSReportStore.report(c, request) }
    }

    public func putField(_ request: CustomFieldDefinition, context: ServerContext) async throws -> CustomFieldDefinition {
        var definition = request
        (definition.actorID, definition.credentialID) = (context.principal?.staffID, context.principal?.credentialID)
        return try await fields.put(definition)
    }

    public func listFields(_: Empty, context _: ServerContext) async throws -> CustomFieldDefinitionList {
        try await fields.list()
    }

    /// Issue 26: a declared staff field names a member who exists (C4).
    func requireStaffFields(_ values: [CustomField], context: ServerContext) async throws {
        guard !values.isEmpty else { return }  // most writes carry no fields: no read of the declarations
        let staffFields = Set(try await fields.list().fields.filter { $0.type == .staff && !$0.archived }.map(\.name))
        for field in values where staffFields.contains(field.name) {
            guard let id = Int64(field.value.trimming(.spaces)) else { continue }  // the type check names it
            try await staff.requireMember(id, field: "customFields.\(field.name)", options: Self.options(context))
        }
    }

    public func putAdSpend(_ request: AdSpend, context: ServerContext) async throws -> AdSpend {
        let now = pipelines.clock.milliseconds
        let by = context.principal?.staffID
        return try await database.write { tx in try AttributionStore.putSpend(tx, request, by: by, now: now) }
    }

    public func importAdSpend(_ request: AdSpendImport, context: ServerContext) async throws -> AdSpendList {
        let now = pipelines.clock.milliseconds
        let by = context.principal?.staffID
        return try await database.write { tx in try AttributionStore.importSpend(tx, request.csv, by: by, now: now) }
    }

    public func listAdSpend(_ request: AdSpendRequest, context _: ServerContext) async throws -> AdSpendList {
        try await database.read { c in try AttributionStore.spend(c, request) }
    }

    public func leadReport(_ request: LeadReportRequest, context _: ServerContext) async throws -> LeadReport {
        try await leadReport(request)
    }

    /// The contact a new deal is for, as the contacts service knows it: a merged contact
    /// gives its survivor; one that does not exist or was deleted is refused, and so is
    /// one the caller may not see (G3: the contact of one of its deals it may).
    func liveContact(_ id: Int64, visibility: Visibility, context: ServerContext) async throws -> Int64 {
        guard id > 0 else {
            throw RPCError.invalidArgument("the deal is not valid", details: [FieldViolation(field: "contactId", description: "is required")])
        }
        var request = GetContactRequest(id: id, includeDeleted: true)
        if visibility.restricted, try await !deals.seesDeal(ofContact: id, visibility) { request.visibility = visibility }
        let options = Self.options(context)
        let contact: Contact
        switch await Self.fetch(contacts, request, options) {
        case let .success(found): contact = found
        case let .failure(error) where error.code == .notFound:
            throw RPCError.invalidArgument("contact \(id) does not exist", details: [FieldViolation(field: "contactId", description: "is not a contact")])
        case let .failure(error): throw error
        }
        if let survivor = contact.mergedInto { return survivor }
        guard !contact.deleted else {
            throw RPCError.invalidArgument("contact \(id) was deleted", details: [FieldViolation(field: "contactId", description: "is a deleted contact")])
        }
        return contact.id
    }

    /// Calls to contacts on behalf of a request: the caller's budget travels on (2 s when
    /// it set none). The request and trace ids go with them through `CallPropagation`;
    /// nothing else of the caller's metadata does: deals asks as itself, not as the
    /// gateway's principal (only the gateway may name one).
    static func options(_ context: ServerContext) -> CallOptions {
        context.deadline.map { CallOptions(deadline: $0) } ?? CallOptions(timeout: .seconds(2))
    }

    private static func fetch(_ contacts: RPCClient, _ request: GetContactRequest, _ options: CallOptions) async -> Result<Contact, RPCError> {
        do throws(RPCError) {
            return .success(try await contacts.call(Contacts.get, request, options: options))
        } catch {
            return .failure(error)
        }
    }

    /// Effects of other services' events; each runs in the transaction that records
    /// the event in the inbox.
    /// D7 over a period, from the figures kept as things happen.
    public func leadReport(_ request: LeadReportRequest) async throws -> LeadReport {
        try await database.read { c in try LeadReportStore.report(c, request) }
    }

    /// D7's report days from now on: a fixed UTC offset (figures already counted keep their days).
    public func useReportCalendar(offsetMinutes: Int64) async throws {
        try await database.write { tx in try LeadReportStore.setCalendar(tx, offsetMinutes: offsetMinutes) }
    }

    public func subscribe(_ inbox: EventInbox) {
        // T2–T8: telephony's calls.
        inbox.on(Telephony.Event.recorded) { event, tx in
            try CallLedger.recorded(try CallSession(wireBytes: event.payload), tx, now: event.occurredAtMilliseconds)
        }
        inbox.on(Telephony.Event.missed) { event, tx in
            try CallLedger.ended(try CallSession(wireBytes: event.payload), missed: true, tx, now: event.occurredAtMilliseconds)
        }
        inbox.on(Telephony.Event.outcome) { event, tx in
            try DialerLedger.outcome(try OutcomeRecorded(wireBytes: event.payload), tx)
        }
        inbox.on(Telephony.Event.answered) { event, tx in
            try CallLedger.ended(try CallSession(wireBytes: event.payload), missed: false, tx, now: event.occurredAtMilliseconds)
        }
        // S2: appointments on the deal's timeline (D5).
        for (type, what) in [(Scheduling.Event.booked, "booked"), (Scheduling.Event.moved, "moved"), (Scheduling.Event.cancelled, "cancelled")] {
            inbox.on(type) { event, tx in
                try AppointmentLedger.record(try Appointment(wireBytes: event.payload), what, tx, at: event.occurredAtMilliseconds)
            }
        }
        inbox.on(Scheduling.Event.attendanceRecorded) { event, tx in
            try AttendanceLedger.record(try LessonAttendance(wireBytes: event.payload), tx, at: event.occurredAtMilliseconds)
        }
        // B2, B3: billing's confirmed offers and payments.
        inbox.on(Billing.Event.offerConfirmed) { event, tx in
            try BillingLedger.offerConfirmed(try Offer(wireBytes: event.payload), tx, now: event.occurredAtMilliseconds)
        }
        for type in [Billing.Event.paymentPaid, Billing.Event.paymentFailed, Billing.Event.paymentRefunded] {
            inbox.on(type) { event, tx in try BillingLedger.payment(try Payment(wireBytes: event.payload), type, tx, now: event.occurredAtMilliseconds) }
        }
        inbox.on(Billing.Event.subscriptionPastDue) { event, tx in
            try BillingLedger.subscriptionPastDue(try PaymentSubscription(wireBytes: event.payload), tx, now: event.occurredAtMilliseconds)
        }
        // Issue 26: a member left; their open deals and tasks go to who takes over.
        inbox.on(Contacts.Event.staffDeactivated) { [staff] event, tx in
            let left = try StaffDeactivated(wireBytes: event.payload)
            staff.forget(left.staffID)
            try StaffHandover.apply(tx, left)
        }
        inbox.on(Contacts.Event.merged) { event, tx in
            let merged = try ContactMerged(wireBytes: event.payload)
            try DealStore.repoint(tx, from: merged.mergedID, to: merged.survivorID)
        }
        // Issue 25: a conversation handed over; its reply task goes to the new assignee.
        inbox.on(Notifications.Event.conversationAssigned) { event, tx in
            let conversation = try Conversation(wireBytes: event.payload)
            if let dealID = conversation.dealID { try ReplyWatch.assigned(tx, dealID: dealID, assignee: conversation.assigneeID) }
        }
        // D5: staff's answers in a conversation, once the messenger took them.
        inbox.on(Notifications.Event.messageSent) { event, tx in
            try MessageLedger.answered(tx, try ConversationMessage(wireBytes: event.payload), at: event.occurredAtMilliseconds)
        }
        inbox.on(Deals.Event.interactionRecorded) { event, tx in
            var entry = try TimelineEntry(wireBytes: event.payload)
            guard entry.contactID > 0, !entry.kind.isEmpty else {
                throw RPCError.invalidArgument("interaction \(event.id) has no contact or kind")
            }
            if entry.atMilliseconds == 0 { entry.atMilliseconds = event.occurredAtMilliseconds }
            try TimelineStore.append(tx, entry)
            if entry.kind == "call" {
                try TaskStore.completeCallBacks(tx, contactID: entry.contactID, dealID: entry.dealID, now: entry.atMilliseconds)
            }
        }
    }

    /// Timers: a deal still in the stage when its SLA runs out, a task still open at its due time.
    public func handleTimers(_ timers: TimerRunner) {
        timers.on(DealStore.slaTimer) { timer, tx in
            guard let dealID = Int64(timer.key), let deal = try DealStore.load(tx.connection, id: dealID),
                deal.status == .open, String(decoding: timer.payload, as: UTF8.self) == "\(deal.stageID)"
            else { return }
            try DealStore.emit(tx, Deals.Event.slaBreached, deal: deal, previousStageID: nil, actorID: nil)
        }
        timers.on(ReplyWatch.timer) { timer, tx in
            guard let dealID = Int64(timer.key) else { return }
            try ReplyWatch.due(tx, dealID: dealID, now: Int64(timer.dueAt.timeIntervalSince1970 * 1000))
        }
        timers.on(TaskStore.dueTimer) { timer, tx in
            guard let taskID = Int64(timer.key), let task = try TaskStore.load(tx.connection, id: taskID), task.status == .open else { return }
            try tx.appendEvent(type: Deals.Event.taskOverdue, aggregateID: task.dealID.map { "deal-\($0)" } ?? "task-\(task.id)", payload: task.wireBytes())
        }
    }
}
