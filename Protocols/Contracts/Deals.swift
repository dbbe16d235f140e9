import Wire

/// The deals service: pipelines and deals (D1, D2, D6), lead intake (D3), tasks (D4)
/// and the timeline (D5). Times are UTC milliseconds since 1970; staff ids are the
/// contacts service's; read paths take a ``Visibility`` (G3).
public enum Deals {
    public static let service = "switchboard.deals.Deals"

    public static let createPipeline = MethodDescriptor<Pipeline, Pipeline>(service: service, method: "CreatePipeline")
    public static let listPipelines = MethodDescriptor<Empty, PipelineList>(
        service: service, method: "ListPipelines", isIdempotent: true)
    public static let createDeal = MethodDescriptor<Deal, Deal>(service: service, method: "CreateDeal")
    public static let getDeal = MethodDescriptor<GetDealRequest, Deal>(service: service, method: "GetDeal", isIdempotent: true)
    public static let listDeals = MethodDescriptor<ListDealsRequest, DealPage>(
        service: service, method: "ListDeals", isIdempotent: true)
    /// D2: title, amount, responsible, source, custom fields, scheduled date; emits deal.updated.
    public static let updateDeal = MethodDescriptor<UpdateDealRequest, Deal>(service: service, method: "UpdateDeal")
    /// Emits deal.stage_changed, and deal.won or deal.lost on an outcome stage.
    public static let changeStage = MethodDescriptor<ChangeStageRequest, Deal>(service: service, method: "ChangeStage")
    /// D3: stores the lead, then processes it; `pending` when contacts cannot be reached
    /// (it is processed when contacts is back). Repeating a partner's external id
    /// returns the first receipt.
    public static let submitLead = MethodDescriptor<Lead, LeadReceipt>(service: service, method: "SubmitLead", isIdempotent: true)
    public static let getLead = MethodDescriptor<GetLeadRequest, LeadReceipt>(service: service, method: "GetLead", isIdempotent: true)
    /// D4: at most one open task of a kind per deal: a second returns the first.
    public static let createTask = MethodDescriptor<DealTask, CreateTaskResponse>(service: service, method: "CreateTask")
    public static let completeTask = MethodDescriptor<CompleteTaskRequest, DealTask>(service: service, method: "CompleteTask")
    public static let listTasks = MethodDescriptor<ListTasksRequest, TaskList>(service: service, method: "ListTasks", isIdempotent: true)
    public static let problemDeals = MethodDescriptor<ProblemDealsRequest, ProblemDealList>(
        service: service, method: "ProblemDeals", isIdempotent: true)
    public static let timeline = MethodDescriptor<TimelineRequest, Timeline>(service: service, method: "Timeline", isIdempotent: true)

    /// Event types this service emits (payload ``DealStageChanged``) and takes.
    public enum Event {
        public static let created = "deal.created"
        public static let stageChanged = "deal.stage_changed"
        public static let won = "deal.won"
        public static let lost = "deal.lost"
        /// Payload ``DealStageChanged`` (the deal as it is now; no previous stage).
        public static let updated = "deal.updated"
        /// Payload ``DealStageChanged`` (the deal as it is); the stage's SLA ran out.
        public static let slaBreached = "deal.sla_breached"
        /// Payload ``DealTask``; an open task passed its due time.
        public static let taskOverdue = "task.overdue"
        /// Taken from any service: payload ``TimelineEntry`` (D5).
        public static let interactionRecorded = "interaction.recorded"
    }
}

public enum StageOutcome: Int, Sendable, WireEnum, CaseIterable {
    case unspecified = 0
    case inProgress = 1
    case won = 2
    case lost = 3
    public static var unrecognized: StageOutcome { .unspecified }
    public var name: String { ["unspecified", "in_progress", "won", "lost"][rawValue] }
}

public enum DealStatus: Int, Sendable, WireEnum, CaseIterable {
    case unspecified = 0
    case open = 1
    case won = 2
    case lost = 3
    public static var unrecognized: DealStatus { .unspecified }
    public var name: String { ["unspecified", "open", "won", "lost"][rawValue] }
}

public enum TaskKind: Int, Sendable, WireEnum, CaseIterable {
    case unspecified = 0
    case callBack = 1
    case followUp = 2
    case meeting = 3
    case custom = 4
    public static var unrecognized: TaskKind { .unspecified }
    public var name: String { ["unspecified", "call_back", "follow_up", "meeting", "custom"][rawValue] }
}

public enum TaskStatus: Int, Sendable, WireEnum, CaseIterable {
    case unspecified = 0
    case open = 1
    case done = 2
    case cancelled = 3
    public static var unrecognized: TaskStatus { .unspecified }
    public var name: String { ["unspecified", "open", "done", "cancelled"][rawValue] }
}

public enum LeadStatus: Int, Sendable, WireEnum, CaseIterable {
    case unspecified = 0
    /// Stored; waiting for the contacts service.
    case pending = 1
    /// Became a new deal, or joined the contact's open deal.
    case processed = 2
    /// Kept, but no deal: see the receipt's reason.
    case rejected = 3
    public static var unrecognized: LeadStatus { .unspecified }
    public var name: String { ["unspecified", "pending", "processed", "rejected"][rawValue] }
}

/// D1: one step of a pipeline. Stages are ordered by `position`; a won or lost stage
/// ends the deal.
public struct DealStage: WireMessage, Equatable {
    public var id: Int64 = 0
    public var name: String = ""
    public var position: Int64 = 0
    /// Longest time a deal should stay here (0: no limit).
    public var slaMinutes: Int64 = 0
    public var outcome: StageOutcome = StageOutcome.unspecified

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, name)
        e.encode(3, position)
        e.encode(4, slaMinutes)
        e.encode(5, outcome)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: name = try d.string(key)
        case 3: position = try d.int64(key)
        case 4: slaMinutes = try d.int64(key)
        case 5: outcome = try d.enumeration(key)
        default: try d.skip(key)
        }
    }
}

/// D1: a pipeline (sales, trial lessons, donations) with its stages in order.
public struct Pipeline: WireMessage, Equatable {
    public var id: Int64 = 0
    public var name: String = ""
    /// Lead channels that open their deals here (D3).
    public var channels: [String] = []
    public var stages: [DealStage] = []
    /// Leads of channels no pipeline names go here.
    public var isDefault: Bool = false

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, name)
        e.encode(3, channels)
        e.encode(4, stages)
        e.encode(5, isDefault)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: name = try d.string(key)
        case 3: try d.append(key, to: &channels)
        case 4: try d.append(key, to: &stages)
        case 5: isDefault = try d.bool(key)
        default: try d.skip(key)
        }
    }
}

public struct PipelineList: WireMessage, Equatable {
    public var pipelines: [Pipeline] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, pipelines)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &pipelines)
        default: try d.skip(key)
        }
    }
}

/// D2: a deal. Amounts are in minor units (kopecks, cents) with an ISO 4217 currency.
public struct Deal: WireMessage, Equatable {
    public var id: Int64 = 0
    public var title: String = ""
    public var contactID: Int64 = 0
    public var pipelineID: Int64 = 0
    public var stageID: Int64 = 0
    public var status: DealStatus = DealStatus.unspecified
    public var amountMinor: Int64 = 0
    public var currency: String = ""
    public var responsibleID: Int64? = nil
    public var source: String = ""
    public var customFields: [CustomField] = []
    public var scheduledAtMilliseconds: Int64? = nil
    public var lossReason: String = ""
    public var createdAtMilliseconds: Int64 = 0
    public var closedAtMilliseconds: Int64? = nil
    public var stageEnteredAtMilliseconds: Int64 = 0
    /// The lead that opened it, if one did.
    public var leadID: Int64? = nil
    /// On create only (never stored or returned): the caller's visibility, which the
    /// deal's contact must satisfy (G3).
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, title)
        e.encode(3, contactID)
        e.encode(4, pipelineID)
        e.encode(5, stageID)
        e.encode(6, status)
        e.encode(7, amountMinor)
        e.encode(8, currency)
        e.encode(9, responsibleID)
        e.encode(10, source)
        e.encode(11, customFields)
        e.encode(12, scheduledAtMilliseconds)
        e.encode(13, lossReason)
        e.encode(14, createdAtMilliseconds)
        e.encode(15, closedAtMilliseconds)
        e.encode(16, stageEnteredAtMilliseconds)
        e.encode(17, leadID)
        e.encode(18, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: title = try d.string(key)
        case 3: contactID = try d.int64(key)
        case 4: pipelineID = try d.int64(key)
        case 5: stageID = try d.int64(key)
        case 6: status = try d.enumeration(key)
        case 7: amountMinor = try d.int64(key)
        case 8: currency = try d.string(key)
        case 9: responsibleID = try d.int64(key)
        case 10: source = try d.string(key)
        case 11: try d.append(key, to: &customFields)
        case 12: scheduledAtMilliseconds = try d.int64(key)
        case 13: lossReason = try d.string(key)
        case 14: createdAtMilliseconds = try d.int64(key)
        case 15: closedAtMilliseconds = try d.int64(key)
        case 16: stageEnteredAtMilliseconds = try d.int64(key)
        case 17: leadID = try d.int64(key)
        case 18: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

public struct GetDealRequest: WireMessage, Equatable {
    public var id: Int64 = 0
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

public struct ListDealsRequest: WireMessage, Equatable {
    public var pipelineID: Int64? = nil
    public var stageID: Int64? = nil
    /// unspecified: any.
    public var status: DealStatus = DealStatus.unspecified
    public var contactID: Int64? = nil
    public var responsibleID: Int64? = nil
    public var visibility: Visibility? = nil
    public var cursor: String = ""
    public var pageSize: Int64 = 0

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, pipelineID)
        e.encode(2, stageID)
        e.encode(3, status)
        e.encode(4, contactID)
        e.encode(5, responsibleID)
        e.encode(6, visibility)
        e.encode(7, cursor)
        e.encode(8, pageSize)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: pipelineID = try d.int64(key)
        case 2: stageID = try d.int64(key)
        case 3: status = try d.enumeration(key)
        case 4: contactID = try d.int64(key)
        case 5: responsibleID = try d.int64(key)
        case 6: visibility = try d.message(key)
        case 7: cursor = try d.string(key)
        case 8: pageSize = try d.int64(key)
        default: try d.skip(key)
        }
    }
}

public struct DealPage: WireMessage, Equatable {
    public var deals: [Deal] = []
    public var nextCursor: String = ""

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, deals)
        e.encode(2, nextCursor)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &deals)
        case 2: nextCursor = try d.string(key)
        default: try d.skip(key)
        }
    }
}

/// D1/D6: moves a deal to another stage of its pipeline.
public struct ChangeStageRequest: WireMessage, Equatable {
    public var dealID: Int64 = 0
    public var stageID: Int64 = 0
    /// Required when the stage is a lost outcome.
    public var lossReason: String = ""
    public var actorID: Int64? = nil
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, dealID)
        e.encode(2, stageID)
        e.encode(3, lossReason)
        e.encode(4, actorID)
        e.encode(5, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: dealID = try d.int64(key)
        case 2: stageID = try d.int64(key)
        case 3: lossReason = try d.string(key)
        case 4: actorID = try d.int64(key)
        case 5: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

/// D3: a lead as a channel or partner sends it.
public struct Lead: WireMessage, Equatable {
    /// web, whatsapp, telegram, call, partner...
    public var channel: String = ""
    /// The lead supplier, for partner leads.
    public var partner: String = ""
    /// The sender's id: a repeat with the same partner and id is the same lead.
    public var externalID: String = ""
    public var firstName: String = ""
    public var lastName: String = ""
    public var phone: String = ""
    public var email: String = ""
    public var comment: String = ""
    public var utmSource: String = ""
    public var utmMedium: String = ""
    public var utmCampaign: String = ""
    public var title: String = ""
    public var amountMinor: Int64 = 0
    public var currency: String = ""
    /// The staff member who sent it (a staff token), so they can read it back (G3).
    public var actorID: Int64? = nil
    /// The sender's visibility: the receipt names only a deal and contact it may see.
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, channel)
        e.encode(2, partner)
        e.encode(3, externalID)
        e.encode(4, firstName)
        e.encode(5, lastName)
        e.encode(6, phone)
        e.encode(7, email)
        e.encode(8, comment)
        e.encode(9, utmSource)
        e.encode(10, utmMedium)
        e.encode(11, utmCampaign)
        e.encode(12, title)
        e.encode(13, amountMinor)
        e.encode(14, currency)
        e.encode(15, actorID)
        e.encode(16, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: channel = try d.string(key)
        case 2: partner = try d.string(key)
        case 3: externalID = try d.string(key)
        case 4: firstName = try d.string(key)
        case 5: lastName = try d.string(key)
        case 6: phone = try d.string(key)
        case 7: email = try d.string(key)
        case 8: comment = try d.string(key)
        case 9: utmSource = try d.string(key)
        case 10: utmMedium = try d.string(key)
        case 11: utmCampaign = try d.string(key)
        case 12: title = try d.string(key)
        case 13: amountMinor = try d.int64(key)
        case 14: currency = try d.string(key)
        case 15: actorID = try d.int64(key)
        case 16: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

/// D3: what became of a lead; the partner reads it back by id.
public struct LeadReceipt: WireMessage, Equatable {
    public var id: Int64 = 0
    public var status: LeadStatus = LeadStatus.unspecified
    public var lowQuality: Bool = false
    /// Why it is low quality, in words the partner can act on.
    public var reason: String = ""
    public var contactID: Int64? = nil
    public var dealID: Int64? = nil
    public var attachedToExistingDeal: Bool = false
    public var receivedAtMilliseconds: Int64 = 0
    public var processedAtMilliseconds: Int64? = nil
    public var channel: String = ""
    public var partner: String = ""
    public var externalID: String = ""

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, status)
        e.encode(3, lowQuality)
        e.encode(4, reason)
        e.encode(5, contactID)
        e.encode(6, dealID)
        e.encode(7, attachedToExistingDeal)
        e.encode(8, receivedAtMilliseconds)
        e.encode(9, processedAtMilliseconds)
        e.encode(10, channel)
        e.encode(11, partner)
        e.encode(12, externalID)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: status = try d.enumeration(key)
        case 3: lowQuality = try d.bool(key)
        case 4: reason = try d.string(key)
        case 5: contactID = try d.int64(key)
        case 6: dealID = try d.int64(key)
        case 7: attachedToExistingDeal = try d.bool(key)
        case 8: receivedAtMilliseconds = try d.int64(key)
        case 9: processedAtMilliseconds = try d.int64(key)
        case 10: channel = try d.string(key)
        case 11: partner = try d.string(key)
        case 12: externalID = try d.string(key)
        default: try d.skip(key)
        }
    }
}

public struct GetLeadRequest: WireMessage, Equatable {
    public var id: Int64 = 0
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

/// D4: a task on a deal or a contact.
public struct DealTask: WireMessage, Equatable {
    public var id: Int64 = 0
    public var kind: TaskKind = TaskKind.unspecified
    public var title: String = ""
    public var dealID: Int64? = nil
    public var contactID: Int64? = nil
    public var assigneeID: Int64? = nil
    public var dueAtMilliseconds: Int64? = nil
    public var status: TaskStatus = TaskStatus.unspecified
    public var createdAtMilliseconds: Int64 = 0
    public var completedAtMilliseconds: Int64? = nil
    /// On create only (never stored or returned): the caller's visibility, which the deal
    /// or contact the task goes on must satisfy (G3).
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, kind)
        e.encode(3, title)
        e.encode(4, dealID)
        e.encode(5, contactID)
        e.encode(6, assigneeID)
        e.encode(7, dueAtMilliseconds)
        e.encode(8, status)
        e.encode(9, createdAtMilliseconds)
        e.encode(10, completedAtMilliseconds)
        e.encode(11, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: kind = try d.enumeration(key)
        case 3: title = try d.string(key)
        case 4: dealID = try d.int64(key)
        case 5: contactID = try d.int64(key)
        case 6: assigneeID = try d.int64(key)
        case 7: dueAtMilliseconds = try d.int64(key)
        case 8: status = try d.enumeration(key)
        case 9: createdAtMilliseconds = try d.int64(key)
        case 10: completedAtMilliseconds = try d.int64(key)
        case 11: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

public struct CreateTaskResponse: WireMessage, Equatable {
    public var task: DealTask = DealTask()
    /// true: an open task of this kind was already on the deal; this is it.
    public var existing: Bool = false

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, task)
        e.encode(2, existing)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: task = try d.message(key)
        case 2: existing = try d.bool(key)
        default: try d.skip(key)
        }
    }
}

public struct CompleteTaskRequest: WireMessage, Equatable {
    public var id: Int64 = 0
    /// done or cancelled.
    public var status: TaskStatus = TaskStatus.unspecified
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, status)
        e.encode(3, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: status = try d.enumeration(key)
        case 3: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

public struct ListTasksRequest: WireMessage, Equatable {
    public var assigneeID: Int64? = nil
    public var overdueOnly: Bool = false
    /// unspecified: open.
    public var status: TaskStatus = TaskStatus.unspecified
    public var visibility: Visibility? = nil
    public var pageSize: Int64 = 0
    public var dealID: Int64? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, assigneeID)
        e.encode(2, overdueOnly)
        e.encode(3, status)
        e.encode(4, visibility)
        e.encode(5, pageSize)
        e.encode(6, dealID)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: assigneeID = try d.int64(key)
        case 2: overdueOnly = try d.bool(key)
        case 3: status = try d.enumeration(key)
        case 4: visibility = try d.message(key)
        case 5: pageSize = try d.int64(key)
        case 6: dealID = try d.int64(key)
        default: try d.skip(key)
        }
    }
}

public struct TaskList: WireMessage, Equatable {
    public var tasks: [DealTask] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, tasks)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &tasks)
        default: try d.skip(key)
        }
    }
}

public struct ProblemDealsRequest: WireMessage, Equatable {
    public var visibility: Visibility? = nil
    public var pageSize: Int64 = 0

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, visibility)
        e.encode(2, pageSize)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: visibility = try d.message(key)
        case 2: pageSize = try d.int64(key)
        default: try d.skip(key)
        }
    }
}

/// D4: an open deal that needs attention and why.
public struct ProblemDeal: WireMessage, Equatable {
    public var deal: Deal = Deal()
    /// overdue_task, over_stage_sla, no_next_task.
    public var reasons: [String] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, deal)
        e.encode(2, reasons)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: deal = try d.message(key)
        case 2: try d.append(key, to: &reasons)
        default: try d.skip(key)
        }
    }
}

public struct ProblemDealList: WireMessage, Equatable {
    public var items: [ProblemDeal] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, items)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &items)
        default: try d.skip(key)
        }
    }
}

/// D5: one interaction on the timeline. Other services send these as
/// `interaction.recorded` events; the deals service writes its own.
public struct TimelineEntry: WireMessage, Equatable {
    public var id: Int64 = 0
    public var atMilliseconds: Int64 = 0
    /// call, message, note, stage_change, lead, notification, payment, attendance, appointment...
    public var kind: String = ""
    public var dealID: Int64? = nil
    public var contactID: Int64 = 0
    public var summary: String = ""
    public var actorID: Int64? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, atMilliseconds)
        e.encode(3, kind)
        e.encode(4, dealID)
        e.encode(5, contactID)
        e.encode(6, summary)
        e.encode(7, actorID)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: atMilliseconds = try d.int64(key)
        case 3: kind = try d.string(key)
        case 4: dealID = try d.int64(key)
        case 5: contactID = try d.int64(key)
        case 6: summary = try d.string(key)
        case 7: actorID = try d.int64(key)
        default: try d.skip(key)
        }
    }
}

public struct TimelineRequest: WireMessage, Equatable {
    public var dealID: Int64? = nil
    public var contactID: Int64? = nil
    public var visibility: Visibility? = nil
    public var pageSize: Int64 = 0
    /// Paging: entries older than this one.
    public var beforeID: Int64? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, dealID)
        e.encode(2, contactID)
        e.encode(3, visibility)
        e.encode(4, pageSize)
        e.encode(5, beforeID)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: dealID = try d.int64(key)
        case 2: contactID = try d.int64(key)
        case 3: visibility = try d.message(key)
        case 4: pageSize = try d.int64(key)
        case 5: beforeID = try d.int64(key)
        default: try d.skip(key)
        }
    }
}

public struct Timeline: WireMessage, Equatable {
    public var entries: [TimelineEntry] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, entries)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &entries)
        default: try d.skip(key)
        }
    }
}

/// Payload of deal.created, deal.stage_changed, deal.won and deal.lost (D6).
public struct DealStageChanged: WireMessage, Equatable {
    public var deal: Deal = Deal()
    /// Absent for deal.created.
    public var previousStageID: Int64? = nil
    public var actorID: Int64? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, deal)
        e.encode(2, previousStageID)
        e.encode(3, actorID)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: deal = try d.message(key)
        case 2: previousStageID = try d.int64(key)
        case 3: actorID = try d.int64(key)
        default: try d.skip(key)
        }
    }
}
/// D2: changes some fields of a deal; absent fields stay as they are.
public struct UpdateDealRequest: WireMessage, Equatable {
    public var dealID: Int64 = 0
    public var title: String? = nil
    public var amountMinor: Int64? = nil
    public var currency: String? = nil
    public var responsibleID: Int64? = nil
    /// Leaves the deal with nobody responsible.
    public var clearResponsible: Bool = false
    public var source: String? = nil
    public var replaceCustomFields: Bool = false
    public var customFields: [CustomField] = []
    public var scheduledAtMilliseconds: Int64? = nil
    public var clearScheduled: Bool = false
    public var visibility: Visibility? = nil
    public var actorID: Int64? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, dealID)
        e.encode(2, title)
        e.encode(3, amountMinor)
        e.encode(4, currency)
        e.encode(5, responsibleID)
        e.encode(6, clearResponsible)
        e.encode(7, source)
        e.encode(8, replaceCustomFields)
        e.encode(9, customFields)
        e.encode(10, scheduledAtMilliseconds)
        e.encode(11, clearScheduled)
        e.encode(12, visibility)
        e.encode(13, actorID)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: dealID = try d.int64(key)
        case 2: title = try d.string(key)
        case 3: amountMinor = try d.int64(key)
        case 4: currency = try d.string(key)
        case 5: responsibleID = try d.int64(key)
        case 6: clearResponsible = try d.bool(key)
        case 7: source = try d.string(key)
        case 8: replaceCustomFields = try d.bool(key)
        case 9: try d.append(key, to: &customFields)
        case 10: scheduledAtMilliseconds = try d.int64(key)
        case 11: clearScheduled = try d.bool(key)
        case 12: visibility = try d.message(key)
        case 13: actorID = try d.int64(key)
        default: try d.skip(key)
        }
    }
}
