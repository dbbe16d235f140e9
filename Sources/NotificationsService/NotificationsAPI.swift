import ContractServices
import Contracts
import Foundation
import RPC
import ServiceKit
import Sockets
import Storage
import Wire

/// The notifications service's RPC face (N1–N4): thin handlers over the stores.
public struct NotificationsAPI: Notifications.ServiceProtocol {
    public let channels: ChannelStore
    public let templates: TemplateStore
    public let rules: RuleStore
    public let log: OutboundLog
    public let webhooks: WebhookStore
    public let surveys: SurveyStore
    public let alerts: AlertStore
    public let deliveryStatuses: DeliveryStatusIntake
    public let unsubscribeLinks: UnsubscribeLinks
    /// D3, D5: the inbox of WhatsApp and Telegram conversations.
    public let conversations: ConversationStore
    /// N6: Telegram deep links for web leads.
    public let startLinks: StartLinks
    /// Issue 26 item 6: reports sent on a schedule.
    public let scheduledReports: ScheduledReportStore
    /// Where the staff a report goes to are checked.
    let contacts: RPCClient
    let database: Database
    /// C8: the events it keeps, for a person's erasure (the host's; none in unit tests).
    public var events = EventErasure.none
    let clock: WallClock

    /// `outbound`: where the URLs an admin gives may point (NOTIFICATIONS_OUTBOUND_ALLOW).
    /// `deals`, `contacts`: where messages are filed and assignees checked.
    /// `zone`: the business's time zone (SWITCHBOARD_TIME_ZONE), when scheduled reports go.
    public init(
        database: Database, clock: WallClock, unsubscribeLinks: UnsubscribeLinks, outbound: OutboundPolicy, deals: RPCClient, contacts: RPCClient,
        zone: TimeZone = TimeZone(identifier: "UTC")!
    ) {
        self.database = database
        self.contacts = contacts
        scheduledReports = ScheduledReportStore(database: database, clock: clock, zone: zone)
        conversations = ConversationStore(database: database, deals: deals, contacts: contacts, clock: clock)
        startLinks = StartLinks(database: database, deals: deals, clock: clock)
        self.clock = clock
        self.unsubscribeLinks = unsubscribeLinks
        channels = ChannelStore(database: database, outbound: outbound)
        templates = TemplateStore(database: database, clock: clock)
        rules = RuleStore(database: database, clock: clock, outbound: outbound)
        log = OutboundLog(database: database)
        webhooks = WebhookStore(database: database, clock: clock, outbound: outbound)
        surveys = SurveyStore(database: database, clock: clock)
        alerts = AlertStore(database: database, clock: clock)
        deliveryStatuses = DeliveryStatusIntake(database: database, clock: clock)
    }

    /// Every event type in ``EventCatalog``: rules and webhooks take them.
    public func contactOptOuts(_ request: ContactOptOutsRequest, context _: ServerContext) async throws -> OptOutList {
        try await database.read { c in
            OptOutList(optOuts: try c.query("SELECT channel, reason FROM opt_outs WHERE contact_id = ? ORDER BY channel", [.integer(request.contactID)]) {
                OptOutRequest(contactID: request.contactID, channel: NotificationChannel(rawValue: $0.int(0)) ?? .unspecified, reason: $0.string(1))
            })
        }
    }

    public func erasePerson(_ request: ErasePersonRequest, context _: ServerContext) async throws -> ErasureReport {
        try await MessageErasure(database: database, events: events).erase(request)
    }

    public func subscribe(_ inbox: EventInbox) {
        for type in EventCatalog.taken {
            inbox.on(type) { event, tx in try EventIntake.take(event, tx) }
        }
        // Issue 26: a member left; their open conversations go to who takes over (deals
        // moves the reply tasks the same way).
        inbox.on(Contacts.Event.staffDeactivated) { event, tx in
            let left = try StaffDeactivated(wireBytes: event.payload)
            try tx.run("UPDATE inbox_conversations SET assignee_id = ? WHERE assignee_id = ? AND closed = 0", [.integer(left.handToID), .integer(left.staffID)])
        }
    }

    public func createScheduledReport(_ request: ScheduledReport, context _: ServerContext) async throws -> ScheduledReport {
        // The staff it goes to exist and have not left.
        var unknown: [FieldViolation] = []
        for (i, id) in request.staffIDs.enumerated() {
            let member = try await RPCError.nilIfNotFound { try await contacts.call(Contacts.getStaff, GetStaffRequest(id: id)) }
            if member == nil || member?.deactivatedAtMilliseconds != nil {
                unknown.append(FieldViolation(field: "staffIds[\(i)]", description: "is not an active staff member"))
            }
        }
        guard unknown.isEmpty else { throw RPCError.invalidArgument("the report goes to staff who are not there", details: unknown) }
        return try await scheduledReports.create(request)
    }

    public func listScheduledReports(_: Empty, context _: ServerContext) async throws -> ScheduledReportList {
        try await scheduledReports.list()
    }

    public func deleteScheduledReport(_ request: ScheduledReportRequest, context _: ServerContext) async throws -> ScheduledReport {
        try await scheduledReports.delete(request.id)
    }

    public func optOut(_ r: OptOutRequest) async throws -> OptOutRequest {
        guard r.channel != .unspecified else { throw RPCError.invalidArgument("name the channel", details: [FieldViolation(field: "channel", description: "is missing")]) }
        let now = clock.milliseconds
        _ = try await database.write { tx in
            try tx.run("INSERT INTO opt_outs (contact_id, channel, reason, at) VALUES (?, ?, ?, ?) ON CONFLICT (contact_id, channel) DO UPDATE SET reason = excluded.reason",
                [.integer(r.contactID), .integer(Int64(r.channel.rawValue)), .text(r.reason), .integer(now)])
        }
        return r
    }

    /// N4: the reminders shipped as defaults, installed once into an empty service, switched
    /// off until an admin sets the telegram channel and enables them (or edits them):
    /// a day before every appointment, and the series' reminders as they come due.
    public func installDefaults() async throws {
        let installed = try await database.read { c in try c.queryFirst("SELECT (SELECT count(*) FROM templates) + (SELECT count(*) FROM rules)", []) { $0.int(0) } ?? 0 }
        guard installed == 0 else { return }
        let appointment = try await templates.create(MessageTemplate(
            name: "Appointment reminder", channel: .telegram, eventType: Scheduling.Event.booked,
            body: "{{contact.first_name}}, напоминаем: {{appointment.kind}} {{appointment.starts_at | time}}, {{appointment.address}}."))
        _ = try await rules.create(NotificationRule(name: "A day before an appointment", eventType: Scheduling.Event.booked, templateID: appointment.id, recipient: .contact, enabled: false, beforeMinutes: 1440))
        let session = try await templates.create(MessageTemplate(
            name: "Session reminder", channel: .telegram, eventType: Scheduling.Event.reminderDue,
            body: "{{contact.first_name}}, «{{session.series}}»: занятие {{session.number}} начнётся {{session.starts_at | time}}."))
        _ = try await rules.create(NotificationRule(name: "Before each session", eventType: Scheduling.Event.reminderDue, templateID: session.id, recipient: .contact, enabled: false))
        // Issue 25 (N3): the conversation's assignee hears of each message a person writes.
        let message = try await templates.create(MessageTemplate(
            name: "New message", channel: .telegram, eventType: Notifications.Event.messageReceived,
            body: "{{contact.first_name}} {{contact.last_name}} ({{message.channel}}): {{message.text}}"))
        _ = try await rules.create(NotificationRule(name: "Tell the assignee of a new message", eventType: Notifications.Event.messageReceived, templateID: message.id, recipient: .responsible, enabled: false))
        let mention = try await templates.create(MessageTemplate(
            name: "Mentioned in a note", channel: .email, eventType: Deals.Event.noteMention, subject: "You were mentioned: {{contact.first_name}} {{contact.last_name}}",
            body: "{{note.text}}"))
        _ = try await rules.create(NotificationRule(name: "Tell whom a note mentions", eventType: Deals.Event.noteMention, templateID: mention.id, recipient: .responsible, enabled: false))
        let task = try await templates.create(MessageTemplate(
            name: "A task for you", channel: .email, eventType: Deals.Event.taskAssigned, subject: "A task: {{task.title}}",
            body: "{{task.title}} ({{contact.first_name}} {{contact.last_name}}), due {{task.due_at | time}}"))
        _ = try await rules.create(NotificationRule(name: "Tell whom a task is given to", eventType: Deals.Event.taskAssigned, templateID: task.id, recipient: .responsible, enabled: false))
    }

    /// N6: a flow is stored only once it is a graph every conversation can finish.
    public func createBotFlow(_ input: BotFlow) async throws -> BotFlow {
        let v = BotFlowValidator.violations(input)
        guard v.isEmpty else { throw RPCError.invalidArgument("the flow is not valid", details: v) }
        let now = clock.milliseconds
        return try await database.write { tx in
            var flow = input
            flow.createdAtMilliseconds = now
            return try BotConversation.flows.insert(tx, flow)
        }
    }

    public func eventTypes(_: Empty, context _: ServerContext) async throws -> EventTypeList {
        EventTypeList(types: EventCatalog.entries.map { EventTypeInfo(type: $0.type, variables: $0.variables + ($0.variables.contains("deal.id") && !$0.variables.contains("deal.stage") ? ["deal.stage"] : [])) })
    }

    public func putChannel(_ request: ChannelSettings, context: ServerContext) async throws -> ChannelSettings {
        try await channels.put(
            request, by: SetupLog.Author(staffID: context.principal?.staffID, credentialID: context.principal?.credentialID), now: clock.milliseconds)
    }

    public func channelHistory(_ request: ChannelHistoryRequest, context _: ServerContext) async throws -> SetupHistory {
        try await channels.history(request.channel)
    }

    public func listChannels(_: Empty, context _: ServerContext) async throws -> ChannelSettingsList {
        try await channels.list()
    }

    public func createTemplate(_ request: MessageTemplate, context _: ServerContext) async throws -> MessageTemplate {
        try await templates.create(request)
    }

    public func listTemplates(_: Empty, context _: ServerContext) async throws -> MessageTemplateList {
        try await templates.list()
    }

    public func previewTemplate(_ request: TemplatePreviewRequest, context _: ServerContext) async throws -> RenderedMessage {
        try await templates.preview(request)
    }

    public func createRule(_ request: NotificationRule, context _: ServerContext) async throws -> NotificationRule {
        try await rules.create(request)
    }

    public func updateRule(_ request: NotificationRule, context _: ServerContext) async throws -> NotificationRule {
        try await rules.update(request)
    }

    public func listRules(_: Empty, context _: ServerContext) async throws -> NotificationRuleList {
        try await rules.list()
    }

    public func listSends(_ request: ListOutboundMessagesRequest, context _: ServerContext) async throws -> OutboundMessageList {
        try await log.list(request)
    }

    public func getSend(_ request: GetOutboundMessageRequest, context _: ServerContext) async throws -> OutboundMessage {
        try await log.get(request.id)
    }

    public func optOut(_ request: OptOutRequest, context _: ServerContext) async throws -> OptOutRequest {
        try await optOut(request)
    }

    public func createSubscription(_ request: WebhookSubscription, context _: ServerContext) async throws -> WebhookSubscription {
        try await webhooks.create(request)
    }

    public func listSubscriptions(_: Empty, context _: ServerContext) async throws -> WebhookSubscriptionList {
        try await webhooks.list()
    }

    public func updateSubscription(_ request: WebhookSubscription, context _: ServerContext) async throws -> WebhookSubscription {
        try await webhooks.update(request)
    }

    public func listDeliveries(_ request: ListDeliveriesRequest, context _: ServerContext) async throws -> WebhookDeliveryList {
        try await webhooks.deliveries(request)
    }

    public func replayDelivery(_ request: GetDeliveryRequest, context _: ServerContext) async throws -> WebhookDelivery {
        try await webhooks.replay(request.id)
    }

    public func replayPeriod(_ request: ReplayPeriodRequest, context _: ServerContext) async throws -> ReplayPeriodResult {
        try await webhooks.replay(request)
    }

    public func recordReply(_ request: InboundReply, context _: ServerContext) async throws -> ReplyOutcome {
        try await surveys.reply(request)
    }

    /// D3, D5: messages, then the statuses that came with them.
    public func recordMessages(_ request: InboundMessages, context _: ServerContext) async throws -> InboundOutcome {
        let outcome = try await conversations.record(request)
        if let statuses = request.statuses, !statuses.updates.isEmpty { _ = try await deliveryStatuses.record(statuses) }
        return outcome
    }

    public func listConversations(_ request: ListConversationsRequest, context _: ServerContext) async throws -> ConversationPage {
        try await conversations.list(request)
    }

    public func conversationMessages(_ request: ConversationMessagesRequest, context _: ServerContext) async throws -> ConversationMessagePage {
        try await conversations.messages(request)
    }

    public func reply(_ request: ConversationReply, context _: ServerContext) async throws -> ConversationMessage {
        try await conversations.reply(request)
    }

    public func startLink(_ request: StartLinkRequest, context _: ServerContext) async throws -> StartLink {
        try await startLinks.issue(request)
    }

    public func closeConversation(_ request: ConversationRequest, context _: ServerContext) async throws -> Conversation {
        try await conversations.close(request)
    }

    public func markConversationRead(_ request: ConversationRequest, context _: ServerContext) async throws -> Conversation {
        try await conversations.markRead(request)
    }

    public func assignConversation(_ request: AssignConversationRequest, context _: ServerContext) async throws -> Conversation {
        try await conversations.assign(request)
    }

    public func recordDeliveryStatus(_ request: DeliveryStatusReport, context _: ServerContext) async throws -> DeliveryStatusOutcome {
        try await deliveryStatuses.record(request)
    }

    public func unsubscribe(_ request: UnsubscribeRequest, context _: ServerContext) async throws -> OptOutRequest {
        try await unsubscribeLinks.follow(request, at: clock.milliseconds)
    }

    public func listSurveys(_ request: ListSurveysRequest, context _: ServerContext) async throws -> SurveyList {
        try await surveys.list(request)
    }

    public func createAlert(_ request: Alert, context _: ServerContext) async throws -> Alert {
        try await alerts.create(request)
    }

    public func updateAlert(_ request: Alert, context _: ServerContext) async throws -> Alert {
        try await alerts.update(request)
    }

    public func listAlerts(_: Empty, context _: ServerContext) async throws -> AlertList {
        try await alerts.list()
    }

    public func createBotFlow(_ request: BotFlow, context _: ServerContext) async throws -> BotFlow {
        try await createBotFlow(request)
    }

    public func listBotFlows(_: Empty, context _: ServerContext) async throws -> BotFlowList {
        try await database.read { c in BotFlowList(flows: try BotConversation.flows.list(c)) }
    }
}
