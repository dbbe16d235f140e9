import Contracts
import Foundation
import RPC
import ServiceKit
import Sockets
import Storage
import Wire

/// The notifications service's RPC face (N1–N4): thin handlers over the stores.
public struct NotificationsAPI: RegistrableRPCService {
    public let channels: ChannelStore
    public let templates: TemplateStore
    public let rules: RuleStore
    public let log: OutboundLog
    public let webhooks: WebhookStore
    public let surveys: SurveyStore
    public let alerts: AlertStore
    public let deliveryStatuses: DeliveryStatusIntake
    public let unsubscribeLinks: UnsubscribeLinks
    let database: Database
    let clock: WallClock

    /// `outbound`: where the URLs an admin gives may point (NOTIFICATIONS_OUTBOUND_ALLOW).
    public init(database: Database, clock: WallClock, unsubscribeLinks: UnsubscribeLinks, outbound: OutboundPolicy) {
        self.database = database
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
    public func subscribe(_ inbox: EventInbox) {
        for entry in EventCatalog.entries {
            inbox.on(entry.type) { event, tx in try EventIntake.take(event, tx) }
        }
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
    }

    /// N6: a flow is stored only once it is a graph every conversation can finish.
    public func createBotFlow(_ input: BotFlow) async throws -> BotFlow {
        let v = BotFlowValidator.violations(input)
        guard v.isEmpty else { throw RPCError.invalidArgument("the flow is not valid", details: v) }
        let now = clock.milliseconds
        return try await database.write { tx in
            var flow = input
            flow.createdAtMilliseconds = now
            try tx.run("INSERT INTO bot_flows (flow) VALUES (?)", [.blob([])])
            flow.id = tx.lastInsertRowID
            try tx.run("UPDATE bot_flows SET flow = ? WHERE id = ?", [.blob(flow.wireBytes()), .integer(flow.id)])
            return flow
        }
    }

    public func registerMethods(with server: RPCServer) {
        server.register(Notifications.eventTypes) { _, _ in
            EventTypeList(types: EventCatalog.entries.map { EventTypeInfo(type: $0.type, variables: $0.variables + ($0.variables.contains("deal.id") && !$0.variables.contains("deal.stage") ? ["deal.stage"] : [])) })
        }
        server.register(Notifications.putChannel) { request, _ in try await channels.put(request) }
        server.register(Notifications.listChannels) { _, _ in try await channels.list() }
        server.register(Notifications.createTemplate) { request, _ in try await templates.create(request) }
        server.register(Notifications.listTemplates) { _, _ in try await templates.list() }
        server.register(Notifications.previewTemplate) { request, _ in try await templates.preview(request) }
        server.register(Notifications.createRule) { request, _ in try await rules.create(request) }
        server.register(Notifications.updateRule) { request, _ in try await rules.update(request) }
        server.register(Notifications.listRules) { _, _ in try await rules.list() }
        server.register(Notifications.listSends) { request, _ in try await log.list(request) }
        server.register(Notifications.getSend) { request, _ in try await log.get(request.id) }
        server.register(Notifications.optOut) { request, _ in try await optOut(request) }
        server.register(Notifications.createSubscription) { request, _ in try await webhooks.create(request) }
        server.register(Notifications.listSubscriptions) { _, _ in try await webhooks.list() }
        server.register(Notifications.updateSubscription) { request, _ in try await webhooks.update(request) }
        server.register(Notifications.listDeliveries) { request, _ in try await webhooks.deliveries(request) }
        server.register(Notifications.replayDelivery) { request, _ in try await webhooks.replay(request.id) }
        server.register(Notifications.replayPeriod) { request, _ in try await webhooks.replay(request) }
        server.register(Notifications.recordReply) { request, _ in try await surveys.reply(request) }
        server.register(Notifications.recordDeliveryStatus) { request, _ in try await deliveryStatuses.record(request) }
        server.register(Notifications.unsubscribe) { request, _ in try await unsubscribeLinks.follow(request, at: clock.milliseconds) }
        server.register(Notifications.listSurveys) { request, _ in try await surveys.list(request) }
        server.register(Notifications.createAlert) { request, _ in try await alerts.create(request) }
        server.register(Notifications.updateAlert) { request, _ in try await alerts.update(request) }
        server.register(Notifications.listAlerts) { _, _ in try await alerts.list() }
        server.register(Notifications.createBotFlow) { request, _ in try await createBotFlow(request) }
        server.register(Notifications.listBotFlows) { _, _ in
            try await database.read { c in BotFlowList(flows: try c.query("SELECT flow FROM bot_flows ORDER BY id", []) { try BotFlow(wireBytes: $0.blob(0)) }) }
        }
        server.setHealth(.serving, for: Notifications.service)
    }
}
