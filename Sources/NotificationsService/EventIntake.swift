import Contracts
import Foundation
import JSON
import ServiceKit
import Storage
import Wire

/// N3 and outbound webhooks at the door: each event, inside the inbox's transaction (so a
/// redelivered event adds nothing), becomes the sends its enabled rules call for — due
/// after the rule's delay, or before the event's own time — and a delivery per webhook
/// subscription that takes its type. A moved appointment re-plans the sends planned about
/// it; a cancelled one cancels them.
public enum EventIntake {
    /// What a commit that plans work touches: the sender and the dispatcher wake.
    static let sendsTopic = "notifications.sends"
    static let deliveriesTopic = "notifications.deliveries"

    public static func take(_ event: EventEnvelope, _ tx: Transaction) throws {
        guard let entry = EventCatalog.byType[event.type] else { return }
        let facts: EventFacts
        do {
            facts = try entry.facts(event.payload)
        } catch {
            throw RPCError.invalidArgument("\(event.type) \(event.id) has a payload this service cannot read: \(error)")
        }
        let now = event.occurredAtMilliseconds
        // N5: what alerts count (a deal a lead opened counts as a lead).
        if AlertStore.counted.contains(event.type) {
            try AlertStore.count(tx, type: event.type, eventID: event.id, at: now)
        } else if event.type == Deals.Event.created, let deal = try? DealStageChanged(wireBytes: event.payload).deal, deal.leadID != nil {
            try AlertStore.count(tx, type: "lead.opened", eventID: event.id, at: now)
            // N6: a new lead's deal gets the qualification bot, when there is a flow.
            try BotConversation.plan(tx, dealID: deal.id, contactID: deal.contactID, channel: deal.source == "whatsapp" ? .whatsapp : .telegram)
        }
        if !facts.sourceKey.isEmpty {
            if facts.cancelsSource {
                try OutboundLog.cancel(tx, sourceKey: facts.sourceKey, because: "\(event.type): its source is cancelled", at: now)
            } else if let anchor = facts.anchorMilliseconds {
                try OutboundLog.replan(tx, sourceKey: facts.sourceKey, anchor: anchor, at: now)
            }
        }
        for rule in try RuleStore.rules(tx.connection, eventType: event.type) where rule.enabled {
            guard rule.filters.allSatisfy({ f in facts.variables[f.variable].map { written($0) == f.equals } ?? false }) else { continue }
            let recipient: String
            switch rule.recipient {
            case .contact: recipient = "contact:\(facts.contactID.map(String.init) ?? "deal-\(facts.dealID ?? 0)")"
            case .responsible: recipient = "responsible"
            case .staff: recipient = "staff:\(rule.staffID ?? 0)"
            case .address, .unspecified: recipient = "address:\(rule.address)"
            }
            let due: Int64
            if let before = rule.beforeMinutes, let anchor = facts.anchorMilliseconds {
                due = anchor - before * 60_000
                // A reminder whose time has passed is not sent late.
                guard due > now else { continue }
            } else {
                due = now + rule.delayMinutes * 60_000
            }
            try OutboundLog.plan(tx, rule: rule, eventID: event.id, eventType: event.type, payload: event.payload, recipientKey: recipient,
                                 contactID: facts.contactID, sourceKey: facts.sourceKey, due: due, at: now)
        }
        // N6: every won deal gets its NPS survey, asked 10 minutes later.
        if event.type == Deals.Event.won, let deal = facts.dealID, let contact = facts.contactID {
            try SurveyStore.plan(tx, dealID: deal, contactID: contact, wonAt: now)
        }
        try WebhookStore.enqueue(tx, eventID: event.id, eventType: event.type, payload: payload(event.type, facts, at: now), at: now)
    }

    /// A value as filters compare it and webhooks carry it when it is text.
    static func written(_ v: TemplateValue) -> String {
        switch v {
        case let .text(s): s
        case let .integer(n): String(n)
        case let .money(minor, currency): "\(minor) \(currency)"
        case let .time(ms): RFC3339.format(milliseconds: ms)
        }
    }

    /// The Standard Webhooks body: `{"type", "timestamp", "data": {variable: value}}`,
    /// money as `{"minor", "currency"}`, times in RFC 3339.
    static func payload(_ type: String, _ facts: EventFacts, at: Int64) -> [UInt8] {
        var out = JSONOutput(capacity: 512)
        out.beginObject()
        out.key("type")
        out.string(type)
        out.key("timestamp")
        out.timestamp(at)
        out.key("data")
        out.beginObject()
        for (name, value) in facts.variables.sorted(by: { $0.key < $1.key }) {
            out.key(dynamic: name)
            switch value {
            case let .text(s): out.string(s)
            case let .integer(n): out.int(n)
            case let .money(minor, currency):
                out.beginObject()
                out.key("minor")
                out.int(minor)
                out.key("currency")
                out.string(currency)
                out.endObject()
            case let .time(ms): out.timestamp(ms)
            }
        }
        if let c = facts.contactID {
            out.key("contact.id")
            out.int(c)
        }
        out.endObject()
        out.endObject()
        return out.bytes
    }
}
