import Contracts
import Foundation
import ServiceKit
import Sockets
import Storage
import Wire

/// N3: rules an admin edits at run time. A rule's template must be for its event type;
/// filters may name only the event's own variables (what is known when it arrives).
public struct RuleStore: Sendable {
    let database: Database
    let clock: WallClock
    /// Where a webhook rule's address may point.
    let outbound: OutboundPolicy

    public init(database: Database, clock: WallClock, outbound: OutboundPolicy) {
        self.database = database
        self.clock = clock
        self.outbound = outbound
    }

    static func violations(_ r: NotificationRule, template: MessageTemplate?, outbound: OutboundPolicy) -> [FieldViolation] {
        guard let entry = EventCatalog.byType[r.eventType] else {
            return [FieldViolation(field: "eventType", description: "\(r.eventType) is not an event type notifications takes")]
        }
        var v: [FieldViolation] = []
        if let template {
            if template.eventType != r.eventType { v.append(FieldViolation(field: "templateId", description: "template \(template.id) is for \(template.eventType), not \(r.eventType)")) }
        } else {
            v.append(FieldViolation(field: "templateId", description: "template \(r.templateID) does not exist"))
        }
        let own = Set(entry.variables.filter { !$0.hasPrefix("contact.") && !$0.hasPrefix("responsible.") && $0 != "deal.stage" })
        for (i, f) in r.filters.enumerated() where !own.contains(f.variable) {
            v.append(FieldViolation(field: "filters[\(i)].variable", description: "\(f.variable) is not a variable of \(r.eventType) a filter can read"))
        }
        switch r.recipient {
        case .unspecified: v.append(FieldViolation(field: "recipient", description: "is missing"))
        case .staff where r.staffID == nil: v.append(FieldViolation(field: "staffId", description: "name the staff member"))
        case .address where r.address.trimmingCharacters(in: .whitespaces).isEmpty: v.append(FieldViolation(field: "address", description: "give the address"))
        case .address:
            // N1: an address its channel can take as one recipient, and nothing more.
            let channel = template?.channel ?? .unspecified
            let problem = channel == .webhook ? outbound.refusal(url: r.address).map { "\"\(RecipientAddress.printable(r.address))\" \($0)" } : RecipientAddress.problem(r.address, channel: channel)
            if let problem { v.append(FieldViolation(field: "address", description: problem)) }
        default: break
        }
        if (r.quietFromMinute == nil) != (r.quietToMinute == nil) { v.append(FieldViolation(field: "quietToMinute", description: "quiet hours need a start and an end")) }
        if r.beforeMinutes != nil && !(r.eventType.hasPrefix("appointment.") || r.eventType == Scheduling.Event.reminderDue) {
            v.append(FieldViolation(field: "beforeMinutes", description: "only appointment and session events have a time to send before"))
        }
        return v
    }

    public func create(_ input: NotificationRule) async throws -> NotificationRule {
        let now = clock.milliseconds
        return try await database.write { tx in
            var r = input
            let template = try TemplateStore.load(tx.connection, r.templateID)
            let v = Self.violations(r, template: template, outbound: outbound)
            guard v.isEmpty else { throw RPCError.invalidArgument("the rule is not valid", details: v) }
            r.channel = template!.channel
            r.createdAtMilliseconds = now
            return try Self.table.insert(tx, r)
        }
    }

    public func update(_ input: NotificationRule) async throws -> NotificationRule {
        try await database.write { tx in
            guard let old = try Self.load(tx.connection, input.id) else { throw RPCError.notFound("rule \(input.id) does not exist") }
            var r = input
            let template = try TemplateStore.load(tx.connection, r.templateID)
            let v = Self.violations(r, template: template, outbound: outbound)
            guard v.isEmpty else { throw RPCError.invalidArgument("the rule is not valid", details: v) }
            r.channel = template!.channel
            r.createdAtMilliseconds = old.createdAtMilliseconds
            try Self.table.update(tx, r)
            return r
        }
    }

    public func list() async throws -> NotificationRuleList {
        try await database.read { c in NotificationRuleList(rules: try Self.table.list(c)) }
    }

    /// Rules are kept whole, with their event type copied out for the lookup per event
    /// (Sources/README.md, "Storage").
    static let table = MessageTable<NotificationRule>(
        "rules", body: "rule", id: \.id, setID: { $0.id = $1 }, columns: [.init("event_type") { .text($0.eventType) }])

    static func load(_ c: Connection, _ id: Int64) throws -> NotificationRule? {
        try table.find(c, id: id)
    }

    static func rules(_ c: Connection, eventType: String) throws -> [NotificationRule] {
        try table.list(c, where: "event_type = ?", [.text(eventType)])
    }
}
