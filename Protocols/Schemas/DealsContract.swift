import ContractSchema

/// The Deals contract: every message, enumeration and method, declared once.
public let dealsContract = ContractFile("Deals") {
    Service("Deals", id: "switchboard.deals.Deals", callers: [CallerIdentity.gateway], doc: """
        The deals service: pipelines and deals (D1, D2, D6), lead intake (D3), tasks (D4)
        and the timeline (D5). Times are UTC milliseconds since 1970; staff ids are the
        contacts service's; read paths take a ``Visibility`` (G3).
        """, eventsDoc: "Event types this service emits (payload ``DealStageChanged``) and takes.") {
        Service.Method("createPipeline", "CreatePipeline", "Pipeline", "Pipeline")
        Service.Method("listPipelines", "ListPipelines", "Empty", "PipelineList", idempotent: true, callers: ["notifications"])
        Service.Method("updatePipeline", "UpdatePipeline", "PipelineEdit", "Pipeline", doc: """
            D1 (issue 26): renames the pipeline; adds, renames, reorders and retires stages; changes SLAs, channels and the
            reply time. The open deals of each retired stage move to the stage its move names, in the same step, each a
            timeline entry and a deal.stage_changed. Kept in the pipeline's history with who made it.
            """)
        Service.Method("pipelineHistory", "PipelineHistory", "SetupHistoryRequest", "SetupHistory", idempotent: true)
        Service.Method("createDeal", "CreateDeal", "Deal", "Deal")
        Service.Method("getDeal", "GetDeal", "GetDealRequest", "Deal", idempotent: true, callers: ["notifications"])
        Service.Method("getDeals", "GetDeals", "GetDealsRequest", "DealList", idempotent: true, callers: ["scheduling", "billing"], doc: """
            The deals among `ids` that exist and the caller may see (G3), in the order asked, each once; the others are
            left out, as getDeal would answer not_found for them. At most 500 ids (invalid_argument beyond): one call for
            a calendar's or a day's deals instead of one per item.
            """)
        Service.Method("listDeals", "ListDeals", "ListDealsRequest", "DealPage", idempotent: true)
        Service.Method("updateDeal", "UpdateDeal", "UpdateDealRequest", "Deal", callers: ["notifications"], doc: "D2: title, amount, responsible, source, custom fields, scheduled date; emits deal.updated.")
        Service.Method("changeStage", "ChangeStage", "ChangeStageRequest", "Deal", doc: "Emits deal.stage_changed, and deal.won or deal.lost on an outcome stage.")
        Service.Method("submitLead", "SubmitLead", "Lead", "LeadReceipt", idempotent: true, doc: """
            D3: stores the lead, then processes it; `pending` when contacts cannot be reached
            (it is processed when contacts is back). Repeating a partner's external id
            returns the first receipt.
            """)
        Service.Method("getLead", "GetLead", "GetLeadRequest", "LeadReceipt", idempotent: true)
        Service.Method("addNote", "AddNote", "Note", "Note", doc: """
            D5 (issue 25): a note on a deal or a contact, a timeline entry; each staff member it mentions is told
            (note.mention).
            """)
        Service.Method("editNote", "EditNote", "EditNoteRequest", "Note", doc: """
            Its author changes it within 15 minutes of writing it; every earlier text stays in its history.
            """)
        Service.Method("fileMessages", "FileMessages", "FileMessagesRequest", "FiledMessages", idempotent: true, callers: ["notifications"], doc: """
            D3, D5: messages people wrote, in order (at most 100): each one's contact found or made (C2), then a new
            lead and deal in the channel's pipeline when they have no open deal, else an entry on the open deal's
            timeline. Once per message id: a repeat answers what the first did.
            """)
        Service.Method("createTask", "CreateTask", "DealTask", "CreateTaskResponse", callers: ["notifications"], doc: "D4: at most one open task of a kind per deal: a second returns the first.")
        Service.Method("completeTask", "CompleteTask", "CompleteTaskRequest", "DealTask", doc: """
            D4: done or cancelled. A repeating task done opens its next one (issue 26) unless `endSeries`; cancelled ends it.
            """)
        Service.Method("rescheduleTask", "RescheduleTask", "RescheduleTaskRequest", "DealTask", doc: """
            D4 (issue 26): an open task's new due time, the earlier one kept in its history with who moved it and why.
            """)
        Service.Method("listTasks", "ListTasks", "ListTasksRequest", "TaskList", idempotent: true, callers: ["notifications"])
        Service.Method("problemDeals", "ProblemDeals", "ProblemDealsRequest", "ProblemDealList", idempotent: true)
        Service.Method("timeline", "Timeline", "TimelineRequest", "Timeline", idempotent: true)
        Service.Method("leadReport", "LeadReport", "LeadReportRequest", "LeadReport", idempotent: true, callers: ["notifications"], doc: """
            D7: leads and what became of them over a period of report days, grouped by one
            dimension; read from figures kept current as leads, outcomes, calls and stage
            changes happen (never a scan of the leads).
            """)
        Service.Method("attributionReport", "AttributionReport", "AttributionRequest", "AttributionReport", idempotent: true, callers: ["notifications"], doc: """
            Issue 26 item 3: calls, leads, deals, revenue and ad spend by channel, utm or tracking number over report
            days, read from figures kept current as they happen (never a scan of the leads or calls).
            """)
        Service.Method("managerReport", "ManagerReport", "ManagerReportRequest", "ManagerReport", idempotent: true, callers: ["notifications"], doc: """
            Issue 26 item 4: per responsible over report days: deals won and lost, conversion, revenue, tasks on time
            and overdue, leads and the median first response; only the staff the caller sees (G3).
            """)
        Service.Method("npsReport", "NPSReport", "NPSRequest", "NPSReport", idempotent: true, callers: ["notifications"], doc: """
            Issue 26 item 4: the NPS of the deals won in a period by pipeline, responsible, product or a custom field, with
            the score distribution and the comments; only the deals the caller sees (G3).
            """)
        Service.Method("putField", "PutField", "CustomFieldDefinition", "CustomFieldDefinition", idempotent: true, doc: """
            Issue 26 item 2: declares a deal field or changes its declaration, kept in its history. A type changes only
            while no deal holds a value the new type refuses.
            """)
        Service.Method("listFields", "ListFields", "Empty", "CustomFieldDefinitionList", idempotent: true)
        Service.Method("putAdSpend", "PutAdSpend", "AdSpend", "AdSpend", idempotent: true, doc: "A campaign's spend in a month, replaced.")
        Service.Method("listAdSpend", "ListAdSpend", "AdSpendRequest", "AdSpendList", idempotent: true)
        Service.Method("importAdSpend", "ImportAdSpend", "AdSpendImport", "AdSpendList", idempotent: true, doc: "Each line a campaign's month replaced, in one step; the entries as kept.")
        Service.Method("importRecords", "ImportRecords", "ImportBatch", "ImportOutcomes", idempotent: true, doc: """
            G7: pipeline, deal, task, note and activity rows, each kept by (source, external id): a second import updates \
            what the first made. History keeps its dates and emits no events (deal.created for new deals when announced).
            """)
        Service.Method("exportRecords", "ExportRecords", "ExportRequest", "ExportPage", idempotent: true, doc: """
            G7: pipelines, deals, tasks, notes or timeline entries as import rows (source `switchboard`, our ids).
            """)
        Service.Method("importKeys", "ImportKeys", "ImportKeysRequest", "ImportKeys", idempotent: true, doc: """
            G7: a deal's external ids in a source, and its pipeline's and stage's (a push-back names them there).
            """)
        Service.Method("linkImport", "LinkImport", "ImportLink", "Empty", idempotent: true, doc: """
            G7: keeps what a source calls a deal made here (a push-back made it there), so its hooks find it.
            """)
        Service.Method("erasePerson", "ErasePerson", "ErasePersonRequest", "ErasureReport", idempotent: true, doc: """
            C8: the person's leads, deal titles and fields, timeline, notes, filed messages and call numbers anonymised; counts and money stay for reports.
            """)
        Service.Event("created", "deal.created", payload: "DealStageChanged")
        Service.Event("stageChanged", "deal.stage_changed", payload: "DealStageChanged", doc: "With the stage it left.")
        Service.Event("won", "deal.won", payload: "DealStageChanged")
        Service.Event("lost", "deal.lost", payload: "DealStageChanged")
        Service.Event("updated", "deal.updated", payload: "DealStageChanged", doc: "The deal as it is now; no previous stage.")
        Service.Event("slaBreached", "deal.sla_breached", payload: "DealStageChanged", doc: "The deal as it is; the stage's SLA ran out.")
        Service.Event("taskOverdue", "task.overdue", payload: "DealTask", doc: "An open task passed its due time.")
        Service.Event("leadAccepted", "lead.accepted", payload: "AcceptedLead", doc: "A processed lead that is not low quality and not a call, for the dialing queue (T10).")
        Service.Event("leadLowQuality", "lead.low_quality", payload: "LeadReceipt", doc: """
            A lead was found low quality (invalid data, a duplicate, or
            invalid on the call), with the reason, for its partner (N3 pushes it).
            """)
        Service.Event("noteMention", "note.mention", payload: "NoteMention", doc: "A note names a staff member (@mention): they are told.")
        Service.Event("taskAssigned", "task.assigned", payload: "DealTask", doc: "A task was given to someone other than its maker: they are told.")
        Service.Event("interactionRecorded", "interaction.recorded", payload: "TimelineEntry", doc: "Taken from any service (D5).")
    }
    Enumeration("StageOutcome") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "inProgress")
        Enumeration.Case(2, "won")
        Enumeration.Case(3, "lost")
    }
    Enumeration("DealStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "open")
        Enumeration.Case(2, "won")
        Enumeration.Case(3, "lost")
    }
    Enumeration("TaskKind") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "callBack")
        Enumeration.Case(2, "followUp")
        Enumeration.Case(3, "meeting")
        Enumeration.Case(4, "custom")
        Enumeration.Case(5, "reply", doc: "A person's message waits for an answer longer than the pipeline allows (issue 25).")
    }
    Enumeration("TaskStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "open")
        Enumeration.Case(2, "done")
        Enumeration.Case(3, "cancelled")
    }
    Enumeration("ReportDimension") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "partner", doc: "The lead's partner (empty for a channel without one).")
        Enumeration.Case(2, "operator", doc: "The operator who made the offer, else who made the first call attempt.")
        Enumeration.Case(3, "source", doc: "The lead's channel (web, partner, whatsapp...).")
        Enumeration.Case(4, "geography", doc: "The lead's region.")
        Enumeration.Case(5, "product", doc: "The lead's product.")
        Enumeration.Case(6, "utmSource", doc: "The lead's or call's utm_source (issue 26).")
        Enumeration.Case(7, "utmMedium", doc: "The lead's or call's utm_medium.")
        Enumeration.Case(8, "utmCampaign", doc: "The lead's or call's utm_campaign; ad spend is entered per campaign.")
        Enumeration.Case(9, "trackingNumber", doc: "The call-tracking number the lead or call came in on (T3).")
    }
    Message("LeadReportRequest", rest: [.query]) {
        Field(1, "from", .string, doc: "The first report day, YYYY-MM-DD.").required().date()
        Field(2, "to", .string, doc: "The last report day (included), YYYY-MM-DD; at most 366 days after from.").required().date()
        Field(3, "groupBy", .enumeration("ReportDimension")).required()
            .allowed("partner", "operator", "source", "geography", "product", "utm_source", "utm_medium", "utm_campaign", "tracking_number")
    }
    Message("AttributionRequest", doc: "Issue 26 item 3 (002): which advertising brings calls, leads, deals and money.", rest: [.query]) {
        Field(1, "from", .string, doc: "The first report day, YYYY-MM-DD.").required().date()
        Field(2, "to", .string, doc: "The last report day (included), YYYY-MM-DD; at most 366 days after from.").required().date()
        Field(3, "groupBy", .enumeration("ReportDimension"), doc: "`source` is the channel.").required()
            .allowed("source", "utm_source", "utm_medium", "utm_campaign", "tracking_number")
        Field(4, "currency", .string, doc: "Revenue and spend in this currency (others are left out).").required().currencyCode()
    }
    Message("AttributionRow", doc: """
        One group's figures. Calls count on the day they began; lead figures count the leads received in the period (a
        cohort: the deals they opened, won and paid count whenever that happens). A deal's revenue is what was paid for
        it (billing, net of refunds), else its amount once won, counted once, on the lead that opened it.
        """, rest: [.output]) {
        Field(1, "value", .string, doc: "The channel, utm value or tracking number; empty: none given.")
        Field(2, "calls", .int64, doc: "Inbound and outbound calls with clients.")
        Field(3, "missedCalls", .int64)
        Field(4, "leads", .int64)
        Field(5, "dealsOpened", .int64, doc: "Leads that opened a new deal (not one joining an open deal).")
        Field(6, "won", .int64, doc: "Of those deals, won.")
        Field(7, "revenueMinor", .int64)
        Field(8, "leadRate", .double, doc: "leads / calls: for calls, how many became leads (0 with no calls).")
        Field(9, "dealRate", .double, doc: "dealsOpened / leads.")
        Field(10, "winRate", .double, doc: "won / dealsOpened.")
        Field(11, "firstResponseMedianSeconds", .optional(.int64), doc: "From a lead to its first answer (a call attempt, an answered call, a reply): median.")
        Field(12, "spendMinor", .int64, doc: "Ad spend in the period: each campaign's month by the days of it the period covers (utm_campaign rows and the total).")
        Field(13, "costPerLeadMinor", .optional(.int64), doc: "spend / leads, rounded half-even; absent with no spend or no leads.")
        Field(14, "costPerWonMinor", .optional(.int64), doc: "spend / won.")
        Field(15, "returnOnSpend", .optional(.double), doc: "revenue / spend.")
    }
    Message("AttributionReport", rest: [.output]) {
        Field(1, "from", .string)
        Field(2, "to", .string)
        Field(3, "groupBy", .enumeration("ReportDimension"))
        Field(4, "currency", .string)
        Field(5, "rows", .repeated(.message("AttributionRow")), doc: "By leads, then calls, most first.").named("items")
        Field(6, "total", .message("AttributionRow"), doc: "The sum of the rows; the median over every lead.")
        Field(7, "utcOffsetMinutes", .int64, doc: "The report days' time zone.")
    }
    Message("ManagerReportRequest", doc: "Issue 26 item 4 (000, 004): each manager's month.", rest: [.query]) {
        Field(1, "from", .string, doc: "The first report day, YYYY-MM-DD.").required().date()
        Field(2, "to", .string, doc: "The last report day (included), YYYY-MM-DD; at most 366 days after from.").required().date()
        Field(3, "currency", .string, doc: "Revenue in this currency.").required().currencyCode()
        Field(4, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("ManagerFigures", doc: """
        One responsible's period: deals closed in it, tasks due in it, leads that came in it (the calls are telephony's,
        added by the gateway).
        """, rest: [.output]) {
        Field(1, "staffID", .int64).named("staffId")
        Field(2, "won", .int64, doc: "Deals won in the period.")
        Field(3, "lost", .int64)
        Field(4, "conversion", .double, doc: "won / (won + lost); 0 with none closed.")
        Field(5, "revenueMinor", .int64, doc: "The won deals' amounts in the currency asked.")
        Field(6, "callsMade", .int64, doc: "Outbound calls.")
        Field(7, "callsAnswered", .int64, doc: "Calls that rang them and they answered.")
        Field(8, "talkSeconds", .int64)
        Field(9, "tasksOnTime", .int64, doc: "Tasks due in the period done by their due time.")
        Field(10, "tasksOverdue", .int64, doc: "Tasks due in the period done late or still open after it.")
        Field(11, "leads", .int64, doc: "Leads of the period whose deal is theirs.")
        Field(12, "firstResponseMedianSeconds", .optional(.int64), doc: "From each such lead to its first answer: the median (nearest rank).")
    }
    Message("ManagerReport", rest: [.output]) {
        Field(1, "from", .string)
        Field(2, "to", .string)
        Field(3, "currency", .string)
        Field(4, "rows", .repeated(.message("ManagerFigures")), doc: "By staff id; only the staff the caller sees (G3).").named("items")
        Field(5, "total", .message("ManagerFigures"), doc: "The sum of the rows; the median over their leads.")
        Field(6, "utcOffsetMinutes", .int64)
        Field(7, "partial", .bool, doc: "Telephony did not answer: the call figures are missing (0).")
    }
    Enumeration("NPSDimension", doc: "What the NPS report groups by (issue 26 item 4).") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "pipeline", doc: "The deal's pipeline, by name.")
        Enumeration.Case(2, "responsible", doc: "The deal's responsible, by staff id.")
        Enumeration.Case(3, "product", doc: "The product of the lead that opened the deal.")
        Enumeration.Case(4, "field", doc: "The deal's custom field named in `field`.")
    }
    Message("NPSRequest", doc: "Issue 26 item 4 (000): NPS of the deals won in a period.", rest: [.query]) {
        Field(1, "from", .string, doc: "The first report day, YYYY-MM-DD.").required().date()
        Field(2, "to", .string, doc: "The last report day (included), YYYY-MM-DD; at most 366 days after from.").required().date()
        Field(3, "groupBy", .enumeration("NPSDimension")).required().allowed("pipeline", "responsible", "product", "field")
        Field(4, "field", .string, doc: "The custom field to group by, with groupBy=field (the kind of request, say).").length(max: 100)
        Field(5, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("NPSComment", rest: [.output]) {
        Field(1, "dealID", .int64).named("dealId")
        Field(2, "score", .int64)
        Field(3, "text", .string)
    }
    Message("NPSRow", doc: """
        One group's answers: the deals won in the period whose client gave a score (the deal's `nps` field, which the
        survey fills, N6), and what they wrote after it (`nps_comment`).
        """, rest: [.output]) {
        Field(1, "value", .string, doc: "The pipeline, staff id, product or field value; empty: none.")
        Field(2, "responses", .int64)
        Field(3, "distribution", .repeated(.int64), doc: "How many gave each score, 0 to 10 (eleven numbers).")
        Field(4, "promoters", .int64, doc: "Scores 9 and 10.")
        Field(5, "passives", .int64, doc: "Scores 7 and 8.")
        Field(6, "detractors", .int64, doc: "Scores 0 to 6.")
        Field(7, "nps", .int64, doc: "Promoters minus detractors, in percent of the responses, rounded half-even: −100 to 100.")
        Field(8, "comments", .repeated(.message("NPSComment")), doc: "The latest 50, lowest scores first.")
    }
    Message("NPSReport", rest: [.output]) {
        Field(1, "from", .string)
        Field(2, "to", .string)
        Field(3, "groupBy", .enumeration("NPSDimension"))
        Field(4, "field", .string)
        Field(5, "rows", .repeated(.message("NPSRow")), doc: "By responses, most first.").named("items")
        Field(6, "total", .message("NPSRow"))
    }
    Message("AdSpend", doc: "Issue 26 item 3: what a campaign cost in a month, entered by an admin.", rest: [.input, .output]) {
        Field(1, "campaign", .string, doc: "The utm_campaign its ads carry.").required().length(max: 200, min: 1).line()
        Field(2, "month", .string, doc: "YYYY-MM.").required().month()
        Field(3, "currency", .string).required().currencyCode()
        Field(4, "amountMinor", .int64, doc: "0 clears it.").required().minimum(0).maximum(moneyCeiling)
        Field(5, "updatedAtMilliseconds", .int64).timestamp().readOnly()
        Field(6, "by", .optional(.int64), doc: "The staff member who entered it; absent for an API key.").readOnly()
    }
    Message("AdSpendImport", doc: """
        Issue 26 item 3: ad spend from a spreadsheet: CSV lines `campaign,month,currency,amount` (the amount in the
        currency's units, 15000.50), a header line first when it says `campaign`. All taken, or none with each bad line named.
        """, rest: [.input]) {
        Field(1, "csv", .string).required().length(max: 1_000_000, min: 1)
        Field(2, "by", .optional(.int64)).hidden()
    }
    Message("AdSpendRequest", rest: [.query]) {
        Field(1, "month", .string, doc: "Just this month.").month()
        Field(2, "campaign", .string).length(max: 200)
    }
    Message("AdSpendList", rest: [.output]) {
        Field(1, "entries", .repeated(.message("AdSpend")), doc: "By month, then campaign; at most 10,000.").named("items")
    }
    Message("LeadReport", doc: "D7 over a period: one row per value of the dimension, and the total, the sum of the rows (operators' activity — claims, talk time, outcomes — is in the operator grouping only).", rest: [.output]) {
        Field(1, "from", .string)
        Field(2, "to", .string)
        Field(3, "groupBy", .enumeration("ReportDimension"))
        Field(4, "rows", .repeated(.message("LeadReportRow"))).named("items")
        Field(5, "total", .message("LeadReportRow"))
        Field(6, "utcOffsetMinutes", .int64, doc: "The report days' time zone (DEALS_REPORT_UTC_OFFSET_MINUTES).")
    }
    Message("LeadReportRow", doc: """
        D7: one group's figures. Lead figures count the leads received in the period (a
        cohort: its offers and wins count whenever they happen); operator figures count
        what operators did in the period.
        """, rest: [.output]) {
        Field(1, "value", .string, doc: "The partner, operator id, channel, region or product; empty: none given.")
        Field(2, "leads", .int64)
        Field(3, "lowQuality", .int64, doc: "Invalid, duplicate, or found invalid on the call.")
        Field(4, "lowQualityShare", .double, doc: "lowQuality / leads (0 when there are none).")
        Field(5, "attempted", .int64, doc: "Leads called at least once.")
        Field(6, "offers", .int64, doc: "Leads whose deal reached an offer (the dialer's offer_made or the pipeline's offer stage).")
        Field(7, "won", .int64)
        Field(8, "offerRate", .double, doc: "offers / leads.")
        Field(9, "wonRate", .double, doc: "won / leads.")
        Field(10, "firstAttemptMedianSeconds", .optional(.int64), doc: "From the lead to its first call attempt: the median (nearest rank) over attempted leads.")
        Field(11, "firstAttemptP90Seconds", .optional(.int64), doc: "The 90th percentile (nearest rank); exact to the second under 10 minutes, to the minute under a day, to the hour beyond.")
        Field(12, "claims", .int64, doc: "Queue entries the operators took and reported on.")
        Field(13, "activeHours", .int64, doc: "Clock hours in which the operators took at least one entry.")
        Field(14, "claimsPerHour", .double, doc: "claims / activeHours.")
        Field(15, "talkSeconds", .int64, doc: "From call.recorded: the answered calls' talk time, by who answered.")
        Field(16, "noAnswer", .int64)
        Field(17, "busy", .int64)
        Field(18, "callbacks", .int64)
        Field(19, "offersMade", .int64, doc: "offer_made outcomes.")
        Field(20, "refused", .int64)
        Field(21, "invalid", .int64)
    }
    Enumeration("LeadStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "pending", doc: "Stored; waiting for the contacts service.")
        Enumeration.Case(2, "processed", doc: "Became a new deal, or joined the contact's open deal.")
        Enumeration.Case(3, "rejected", doc: "Kept, but no deal: see the receipt's reason.")
    }
    Message("DealStage", doc: """
        D1: one step of a pipeline. Stages are ordered by `position`; a won or lost stage
        ends the deal.
        """, rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 100, min: 1).oneLineName()
        Field(3, "position", .int64).readOnly()
        Field(4, "slaMinutes", .int64, doc: "Longest time a deal should stay here (0: no limit).").minimum(0).maximum(525_600)
        Field(5, "outcome", .enumeration("StageOutcome")).allowed("in_progress", "won", "lost")
        Field(6, "retiredAtMilliseconds", .optional(.int64), doc: "When an admin retired it: it takes no deal after.").timestamp().readOnly()
    }
    Message("StageEdit", doc: """
        D1 (issue 26): one stage of an edited pipeline, in its new place. With `id`, a stage the pipeline has kept
        (renamed, moved, its SLA changed; its outcome stays); without, a new stage.
        """, rest: [.input]) {
        Field(1, "id", .optional(.int64), doc: "A current stage of this pipeline.").minimum(1)
        Field(2, "name", .string).required().length(max: 100, min: 1).oneLineName()
        Field(3, "slaMinutes", .int64, doc: "Longest time a deal should stay here (0: no limit).").minimum(0).maximum(525_600)
        Field(4, "outcome", .enumeration("StageOutcome"), doc: "For a new stage; a kept stage's cannot change.").allowed("in_progress", "won", "lost")
    }
    Message("StageMove", doc: "Where the open deals of a retired stage go (D1, issue 26).", rest: [.input]) {
        Field(1, "fromStageID", .int64, doc: "A stage the edit leaves out.").required().minimum(1)
        Field(2, "toStage", .string, doc: "The name of a stage in the edit's `stages`.").required().length(max: 100, min: 1)
    }
    Message("PipelineEdit", doc: """
        D1 (issue 26): the pipeline as it should be. A current stage left out of `stages` is retired: it stays readable
        in history and reports; the open deals in it need a move.
        """, rest: [.input]) {
        Field(1, "pipelineID", .int64).hidden()
        Field(2, "name", .string).required().length(max: 100, min: 1).oneLineName()
        Field(3, "channels", .repeated(.string), doc: "Lead channels that open their deals here (D3).").items(max: 20).length(max: 50, min: 1)
        Field(4, "stages", .repeated(.message("StageEdit"))).required().items(max: 50)
        Field(5, "isDefault", .bool, doc: "true makes it the default pipeline; the default stops being it only when another becomes it.")
        Field(6, "replyWithinMinutes", .optional(.int64), doc: "As on the pipeline; absent: no reply tasks.").minimum(1).maximum(10_080)
        Field(7, "moves", .repeated(.message("StageMove")), doc: "One per retired stage that holds open deals.").items(max: 50)
        Field(8, "actorID", .optional(.int64)).hidden()
        Field(9, "credentialID", .optional(.int64)).hidden()
    }
    Message("Pipeline", doc: "D1: a pipeline (sales, trial lessons, donations) with its stages in order.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 100, min: 1).oneLineName()
        Field(3, "channels", .repeated(.string), doc: "Lead channels that open their deals here (D3).").items(max: 20).length(max: 50, min: 1)
        Field(4, "stages", .repeated(.message("DealStage"))).required().items(max: 50)
            // D1, stated so that generated pipelines keep it: a working stage, a won and a lost one.
            .inputSchema(#"{"minItems": 3, "allOf": [{"contains": {"anyOf": [{"not": {"required": ["outcome"]}}, {"required": ["outcome"], "properties": {"outcome": {"const": "in_progress"}}}]}}, {"contains": {"required": ["outcome"], "properties": {"outcome": {"const": "won"}}}}, {"contains": {"required": ["outcome"], "properties": {"outcome": {"const": "lost"}}}}]}"#)
        Field(5, "isDefault", .bool, doc: "Leads of channels no pipeline names go here.")
        Field(6, "replyWithinMinutes", .optional(.int64), doc: """
            A person's WhatsApp or Telegram message still unanswered after this long makes a `reply` task for the
            deal's responsible (issue 25); absent: none.
            """).minimum(1).maximum(10_080)
        Field(7, "retiredStages", .repeated(.message("DealStage")), doc: "Stages an admin retired, for reading history.").readOnly()
    }
    Message("PipelineList", rest: [.output]) {
        Field(1, "pipelines", .repeated(.message("Pipeline"))).named("items")
    }
    Message("Deal", doc: "D2: a deal. Amounts are in minor units (kopecks, cents) with an ISO 4217 currency.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "title", .string).required().length(max: 300, min: 1).oneLineName()
        Field(3, "contactID", .int64).required().minimum(1).setOnCreate()
        Field(4, "pipelineID", .int64).minimum(1).setOnCreate()
        Field(5, "stageID", .int64, doc: "Set on create; it moves with changeStage.").minimum(1).setOnCreate()
        Field(6, "status", .enumeration("DealStatus")).readOnly()
        Field(7, "amountMinor", .int64).minimum(0).maximum(moneyCeiling)
        Field(8, "currency", .string).currencyCode()
        Field(9, "responsibleID", .optional(.int64)).minimum(1)
        Field(10, "source", .string).length(max: 50)
        Field(11, "customFields", .repeated(.message("CustomField"))).nameValue(maxItems: 100, maxValueLength: 4000)
        Field(12, "scheduledAtMilliseconds", .optional(.int64)).timestamp()
        Field(13, "lossReason", .string).readOnly()
        Field(14, "createdAtMilliseconds", .int64).timestamp().readOnly()
        Field(15, "closedAtMilliseconds", .optional(.int64)).timestamp().readOnly()
        Field(16, "stageEnteredAtMilliseconds", .int64).timestamp().readOnly()
        Field(17, "leadID", .optional(.int64), doc: "The lead that opened it, if one did.").readOnly()
        Field(18, "visibility", .optional(.message("Visibility")), doc: """
            On create only (never stored or returned): the caller's visibility, which the
            deal's contact must satisfy (G3).
            """).hidden()
    }
    Message("GetDealRequest") {
        Field(1, "id", .int64)
        Field(2, "visibility", .optional(.message("Visibility")))
    }
    Message("GetDealsRequest") {
        Field(1, "ids", .repeated(.int64))
        Field(2, "visibility", .optional(.message("Visibility")))
    }
    Message("DealList") {
        Field(1, "deals", .repeated(.message("Deal")))
    }
    Message("ListDealsRequest", rest: [.query]) {
        Field(1, "pipelineID", .optional(.int64)).minimum(1)
        Field(2, "stageID", .optional(.int64)).minimum(1)
        Field(3, "status", .enumeration("DealStatus"), doc: "unspecified: any.").allowed("open", "won", "lost")
        Field(4, "contactID", .optional(.int64)).minimum(1)
        Field(5, "responsibleID", .optional(.int64)).minimum(1)
        Field(6, "visibility", .optional(.message("Visibility"))).hidden()
        Field(7, "cursor", .string).length(max: 200)
        Field(8, "pageSize", .int64).named("limit").minimum(1).maximum(500)
        Field(9, "scheduledFromMilliseconds", .optional(.int64), doc: "Deals scheduled at or after this (D2's scheduled date).").timestamp().named("scheduledFrom")
        Field(10, "scheduledToMilliseconds", .optional(.int64), doc: "Deals scheduled before this.").timestamp().named("scheduledTo")
        Field(11, "fieldName", .string, doc: "Deals whose custom field of this name ... (issue 26)").named("field").length(max: 64)
        Field(12, "fieldValue", .string, doc: "... has this value (many_of: holds it).").named("fieldValue").length(max: 4000)
    }
    Message("DealPage", rest: [.output]) {
        Field(1, "deals", .repeated(.message("Deal"))).named("items")
        Field(2, "nextCursor", .string).omitEmpty()
    }
    Message("ChangeStageRequest", doc: "D1/D6: moves a deal to another stage of its pipeline.", rest: [.input], restName: "StageChange") {
        Field(1, "dealID", .int64).hidden()
        Field(2, "stageID", .int64).required().minimum(1)
        Field(3, "lossReason", .string, doc: "Required when the stage is a lost outcome.").length(max: 1000)
        Field(4, "actorID", .optional(.int64)).hidden()
        Field(5, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("Lead", doc: "D3: a lead as a channel or partner sends it.", rest: [.input]) {
        Field(1, "channel", .string, doc: "web, whatsapp, telegram, call, partner...").required().length(max: 50, min: 1).oneLineName()
        Field(2, "partner", .string, doc: "The lead supplier, for partner leads.").length(max: 100).line()
        Field(3, "externalID", .string, doc: "The sender's id: a repeat with the same partner and id is the same lead.").length(max: 200).line()
        Field(4, "firstName", .string).length(max: 200)
        Field(5, "lastName", .string).length(max: 200)
        Field(6, "phone", .string).length(max: 50)
        Field(7, "email", .string).length(max: 320)
        Field(8, "comment", .string).length(max: 5000)
        Field(9, "utmSource", .string).length(max: 200)
        Field(10, "utmMedium", .string).length(max: 200)
        Field(11, "utmCampaign", .string).length(max: 200)
        Field(12, "title", .string).length(max: 300).line()
        Field(13, "amountMinor", .int64).minimum(0).maximum(moneyCeiling)
        Field(14, "currency", .string).currencyCode()
        Field(15, "actorID", .optional(.int64), doc: "The staff member who sent it (a staff token), so they can read it back (G3).").hidden()
        Field(16, "visibility", .optional(.message("Visibility")), doc: "The sender's visibility: the receipt names only a deal and contact it may see.").hidden()
        Field(17, "trackingNumber", .string, doc: "The call-tracking number a call came in on (T3): the contact's source.").length(max: 50)
        Field(18, "region", .string, doc: "Where the client is (seed 004's delivery region): the dialer's region score, D7's geography.").length(max: 100).line()
        Field(19, "product", .string, doc: "What the lead asks about: the dialer's product score, D7's product.").length(max: 100).line()
        Field(20, "telegramLink", .bool, doc: """
            Ask for a Telegram deep link to hand to the person (N6, issue 25): opening it binds their chat to the lead's
            contact and starts the qualification bot. Needs the Telegram channel's bot (`sender`).
            """)
        Field(21, "occurredAtMilliseconds", .optional(.int64), doc: "C8: when the person reached out (a call's start), for match-or-create.").hidden()
    }
    Message("AcceptedLead", doc: "Payload of lead.accepted: a valid, unique lead to be called (T10).") {
        Field(1, "leadID", .int64)
        Field(2, "dealID", .int64)
        Field(3, "phone", .string, doc: "E.164.")
        Field(4, "region", .string)
        Field(5, "product", .string)
        Field(6, "partner", .string)
        Field(7, "channel", .string)
        Field(8, "receivedAtMilliseconds", .int64)
    }
    Message("LeadReceipt", doc: "D3: what became of a lead; the partner reads it back by id.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "status", .enumeration("LeadStatus"))
        Field(3, "lowQuality", .bool)
        Field(4, "reason", .string, doc: "Why it is low quality, in words the partner can act on.")
        Field(5, "contactID", .optional(.int64))
        Field(6, "dealID", .optional(.int64))
        Field(7, "attachedToExistingDeal", .bool)
        Field(8, "receivedAtMilliseconds", .int64).timestamp()
        Field(9, "processedAtMilliseconds", .optional(.int64)).timestamp()
        Field(10, "channel", .string)
        Field(11, "partner", .string)
        Field(12, "externalID", .string)
        Field(13, "telegramLink", .string, doc: "The deep link asked for (`t.me/<bot>?start=<token>`, single use, 7 days), when the lead has a deal.").omitEmpty()
    }
    Message("GetLeadRequest") {
        Field(1, "id", .int64)
        Field(2, "visibility", .optional(.message("Visibility")))
    }
    Message("DealTask", doc: "D4: a task on a deal or a contact.", rest: [.output, .input], restName: "Task") {
        Field(1, "id", .int64).readOnly()
        Field(2, "kind", .enumeration("TaskKind")).required().allowed("call_back", "follow_up", "meeting", "custom")
        Field(3, "title", .string).length(max: 500)
        Field(4, "dealID", .optional(.int64)).minimum(1)
        Field(5, "contactID", .optional(.int64)).minimum(1)
        Field(6, "assigneeID", .optional(.int64)).minimum(1)
        Field(7, "dueAtMilliseconds", .optional(.int64)).timestamp()
        Field(8, "status", .enumeration("TaskStatus")).readOnly()
        Field(9, "createdAtMilliseconds", .int64).timestamp().readOnly()
        Field(10, "completedAtMilliseconds", .optional(.int64)).timestamp().readOnly()
        Field(11, "visibility", .optional(.message("Visibility")), doc: """
            On create only (never stored or returned): the caller's visibility, which the deal
            or contact the task goes on must satisfy (G3).
            """).hidden()
        Field(12, "createdBy", .optional(.int64), doc: "The staff member who made it (none: an API key or a rule).").readOnly()
        Field(13, "repeatEveryDays", .optional(.int64), doc: """
            Issue 26: a repeating task (7: weekly). Done, the next one opens this many days after this one was due (and
            after now); cancelled, or done with `endSeries`, the repetition ends. Needs a due time.
            """).minimum(1).maximum(366)
        Field(14, "seriesID", .optional(.int64), doc: "The first task of its repetition.").readOnly()
        Field(15, "reschedules", .repeated(.message("TaskReschedule")), doc: "Every earlier due time, oldest first.").readOnly()
    }
    Message("TaskReschedule", doc: "D4 (issue 26): one move of a task's due time.", rest: [.output]) {
        Field(1, "fromMilliseconds", .optional(.int64)).timestamp().named("from")
        Field(2, "toMilliseconds", .int64).timestamp().named("to")
        Field(3, "atMilliseconds", .int64).timestamp()
        Field(4, "by", .optional(.int64), doc: "The staff member who moved it; absent for an API key.")
        Field(5, "reason", .string)
    }
    Message("RescheduleTaskRequest", rest: [.input], restName: "NewDueTime") {
        Field(1, "id", .int64).hidden()
        Field(2, "dueAtMilliseconds", .int64, doc: "The new due time.").required().timestamp().named("dueAt")
        Field(3, "reason", .string).length(max: 500)
        Field(4, "visibility", .optional(.message("Visibility"))).hidden()
        Field(5, "by", .optional(.int64)).hidden()
    }
    Message("CreateTaskResponse", rest: [.output], restName: "TaskResult") {
        Field(1, "task", .message("DealTask"))
        Field(2, "existing", .bool, doc: "true: an open task of this kind was already on the deal; this is it.")
    }
    Message("CompleteTaskRequest", rest: [.input], restName: "TaskCompletion") {
        Field(1, "id", .int64).hidden()
        Field(2, "status", .enumeration("TaskStatus"), doc: "done or cancelled.").allowed("done", "cancelled")
        Field(3, "visibility", .optional(.message("Visibility"))).hidden()
        Field(4, "endSeries", .bool, doc: "Done, and no next one of a repeating task.")
    }
    Message("ListTasksRequest", rest: [.query]) {
        Field(1, "assigneeID", .optional(.int64)).minimum(1)
        Field(2, "overdueOnly", .bool).named("overdue")
        Field(3, "status", .enumeration("TaskStatus"), doc: "unspecified: open.").allowed("open", "done", "cancelled")
        Field(4, "visibility", .optional(.message("Visibility"))).hidden()
        Field(5, "pageSize", .int64).named("limit").minimum(1).maximum(1000)
        Field(6, "dealID", .optional(.int64)).minimum(1)
    }
    Message("TaskList", rest: [.output]) {
        Field(1, "tasks", .repeated(.message("DealTask"))).named("items")
    }
    Message("ProblemDealsRequest", rest: [.query]) {
        Field(1, "visibility", .optional(.message("Visibility"))).hidden()
        Field(2, "pageSize", .int64).named("limit").minimum(1).maximum(1000)
    }
    Message("ProblemDeal", doc: "D4: an open deal that needs attention and why.", rest: [.output]) {
        Field(1, "deal", .message("Deal"))
        Field(2, "reasons", .repeated(.string), doc: "overdue_task, over_stage_sla, no_next_task.")
    }
    Message("ProblemDealList", rest: [.output]) {
        Field(1, "items", .repeated(.message("ProblemDeal")))
    }
    Message("TimelineEntry", doc: """
        D5: one interaction on the timeline. Other services send these as
        `interaction.recorded` events; the deals service writes its own.
        """, rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "atMilliseconds", .int64).timestamp()
        Field(3, "kind", .string, doc: "call, message, note, stage_change, lead, notification, payment, attendance, appointment...")
        Field(4, "dealID", .optional(.int64))
        Field(5, "contactID", .int64)
        Field(6, "summary", .string)
        Field(7, "actorID", .optional(.int64))
    }
    Message("Note", doc: "A note on a deal or a contact (D5), with every earlier text.", rest: [.input, .output]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "dealID", .optional(.int64)).hidden()
        Field(3, "contactID", .optional(.int64)).hidden()
        Field(4, "text", .string).required().length(max: 10_000, min: 1)
        Field(5, "mentions", .repeated(.int64), doc: "Staff ids the note names (@mentions); each is told.").items(max: 20)
        Field(6, "authorID", .optional(.int64)).readOnly()
        Field(7, "createdAtMilliseconds", .int64).timestamp().readOnly()
        Field(8, "editedAtMilliseconds", .optional(.int64)).timestamp().readOnly()
        Field(9, "history", .repeated(.message("NoteRevision")), doc: "Earlier texts, oldest first.").readOnly()
        Field(10, "editableUntilMilliseconds", .int64, doc: "Its author may change it until then.").timestamp().readOnly()
        Field(11, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("NoteRevision", rest: [.output]) {
        Field(1, "text", .string)
        Field(2, "untilMilliseconds", .int64, doc: "When it was replaced.").timestamp()
    }
    Message("EditNoteRequest", rest: [.input], restName: "NoteEdit") {
        Field(1, "id", .int64).hidden()
        Field(2, "text", .string).required().length(max: 10_000, min: 1)
        Field(3, "by", .optional(.int64)).hidden()
        Field(4, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("NoteMention", doc: "Payload of note.mention: the note and whom it names.") {
        Field(1, "note", .message("Note"))
        Field(2, "staffID", .int64)
    }
    Message("FileMessageRequest") {
        Field(1, "message", .message("InboundMessage"))
        Field(2, "contactID", .optional(.int64), doc: "The contact the chat is already bound to; else matched by phone, or made.")
        Field(3, "assigneeID", .optional(.int64), doc: "Who answers the chat's conversation: a reply task left unanswered is theirs.")
    }
    Message("FileMessagesRequest") {
        Field(1, "messages", .repeated(.message("FileMessageRequest")))
    }
    Message("FiledMessages") {
        Field(1, "messages", .repeated(.message("FiledMessage")), doc: "In the order asked.")
    }
    Message("FiledMessage") {
        Field(1, "contactID", .int64)
        Field(2, "dealID", .int64)
        Field(3, "responsibleID", .optional(.int64))
        Field(4, "leadID", .optional(.int64), doc: "The lead it opened, when it opened one.")
        Field(5, "contactName", .string)
    }
    Message("TimelineRequest", rest: [.query]) {
        Field(1, "dealID", .optional(.int64)).hidden()
        Field(2, "contactID", .optional(.int64)).hidden()
        Field(3, "visibility", .optional(.message("Visibility"))).hidden()
        Field(4, "pageSize", .int64).named("limit").minimum(1).maximum(500)
        Field(5, "beforeID", .optional(.int64), doc: "Paging: entries older than this one.").named("before").minimum(1)
    }
    Message("Timeline", rest: [.output]) {
        Field(1, "entries", .repeated(.message("TimelineEntry"))).named("items")
        Field(2, "nextBeforeID", .optional(.int64), doc: "On a full page: the id to pass as `before` for the next one.").named("nextBefore").omitEmpty()
    }
    Message("DealStageChanged", doc: "Payload of deal.created, deal.stage_changed, deal.won and deal.lost (D6).") {
        Field(1, "deal", .message("Deal"))
        Field(2, "previousStageID", .optional(.int64), doc: "Absent for deal.created.")
        Field(3, "actorID", .optional(.int64))
        Field(4, "origin", .string, doc: "The system the change came from while both run side by side (G7: amocrm, bitrix24); empty: Switchboard.")
    }
    Message(
        "UpdateDealRequest", doc: "D2: changes the fields sent (over the wire: those the field mask names); the others stay as they are.",
        reserved: Array(2...11), reservedNames: ["title", "amountMinor", "currency", "responsibleID", "clearResponsible", "source", "replaceCustomFields", "customFields", "scheduledAtMilliseconds", "clearScheduled"],
        rest: [.input], restName: "DealPatch"
    ) {
        Field(1, "dealID", .int64).hidden()
        Field(14, "deal", .message("Deal"), doc: "The new values of the fields the mask names.").patch(mask: "fieldMask")
        Field(15, "fieldMask", .repeated(.string), doc: """
            The JSON names of the deal's fields to change (`title`, `responsibleId`, `customFields`): a field named here
            and left at its default in `deal` is cleared; one not named stays as it is.
            """).hidden()
        Field(12, "visibility", .optional(.message("Visibility"))).hidden()
        Field(13, "actorID", .optional(.int64)).hidden()
    }
}
