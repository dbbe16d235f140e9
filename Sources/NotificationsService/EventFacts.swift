import Contracts
import Foundation
import Wire

/// What one event says, for rules and webhooks: its variables, whom it concerns, and —
/// for appointments and sessions — what it is about and when that is (N3, N4).
public struct EventFacts: Sendable {
    public var variables: [String: TemplateValue] = [:]
    public var contactID: Int64?
    public var dealID: Int64?
    public var responsibleID: Int64?
    /// What a later event may change: "appointment-7", "session-3:contact-2".
    public var sourceKey = ""
    /// The event's own time (an appointment's start), for rules that send before it.
    public var anchorMilliseconds: Int64?
    /// A cancellation: scheduled sends about the source are cancelled.
    public var cancelsSource = false
}

/// N2/N3: every event type notifications takes, what each offers as variables (declared
/// once, here: templates are checked against it, webhooks carry it), and how its payload
/// becomes ``EventFacts``. `contact.*` and `responsible.*` are looked up when a message is sent.
public enum EventCatalog {
    public struct Entry: Sendable {
        public let type: String
        public let variables: [String]
        let facts: @Sendable ([UInt8]) throws -> EventFacts
    }

    static let contact = ["contact.first_name", "contact.last_name", "contact.email", "contact.phone"]
    static let responsible = ["responsible.first_name", "responsible.last_name"]
    static let deal = ["deal.id", "deal.title", "deal.stage", "deal.stage_id", "deal.pipeline_id", "deal.amount", "deal.status", "deal.loss_reason", "deal.previous_stage_id"]
    static let payment = ["payment.id", "payment.amount", "payment.refunded", "payment.status", "payment.purpose", "payment.campaign", "payment.provider", "payment.paid_at", "payment.first"]
    static let appointment = ["appointment.id", "appointment.kind", "appointment.starts_at", "appointment.ends_at", "appointment.address", "appointment.status", "deal.id"]

    public static let entries: [Entry] = {
        var out: [Entry] = []
        for type in [Deals.Event.created, Deals.Event.stageChanged, Deals.Event.won, Deals.Event.lost, Deals.Event.updated] {
            out.append(Entry(type: type, variables: contact + responsible + deal) { bytes in
                let e = try DealStageChanged(wireBytes: bytes)
                var f = dealFacts(e.deal)
                if let previous = e.previousStageID { f.variables["deal.previous_stage_id"] = .integer(previous) }
                return f
            })
        }
        // A task's assignee is the one "responsible": told of it when it is theirs (issue 25), and when it is overdue.
        for type in [Deals.Event.taskOverdue, Deals.Event.taskAssigned] {
            out.append(Entry(type: type, variables: contact + responsible + ["task.id", "task.title", "task.kind", "task.due_at", "deal.id"]) { bytes in
                let t = try DealTask(wireBytes: bytes)
                var f = EventFacts(contactID: t.contactID, dealID: t.dealID, responsibleID: t.assigneeID)
                f.variables = ["task.id": .integer(t.id), "task.title": .text(t.title), "task.kind": .text(t.kind.name)]
                if let due = t.dueAtMilliseconds { f.variables["task.due_at"] = .time(milliseconds: due) }
                if let d = t.dealID { f.variables["deal.id"] = .integer(d) }
                return f
            })
        }
        out.append(Entry(type: Deals.Event.leadLowQuality, variables: contact + ["lead.id", "lead.reason", "lead.partner", "lead.channel", "deal.id"]) { bytes in
            let l = try LeadReceipt(wireBytes: bytes)
            var f = EventFacts(contactID: l.contactID, dealID: l.dealID)
            f.variables = ["lead.id": .integer(l.id), "lead.reason": .text(l.reason), "lead.partner": .text(l.partner), "lead.channel": .text(l.channel)]
            if let d = l.dealID { f.variables["deal.id"] = .integer(d) }
            return f
        })
        out.append(Entry(type: Telephony.Event.missed, variables: ["call.id", "call.number", "call.started_at", "call.tracking_number"]) { bytes in
            let c = try CallSession(wireBytes: bytes)
            var f = EventFacts()
            f.variables = ["call.id": .text(c.id), "call.number": .text(c.clientNumber), "call.started_at": .time(milliseconds: c.startedAtMilliseconds), "call.tracking_number": .text(c.trackingNumber)]
            return f
        })
        for type in [Scheduling.Event.booked, Scheduling.Event.moved, Scheduling.Event.cancelled] {
            out.append(Entry(type: type, variables: contact + responsible + appointment) { bytes in
                let a = try Appointment(wireBytes: bytes)
                var f = EventFacts(dealID: a.dealID)
                f.variables = [
                    "appointment.id": .integer(a.id), "appointment.kind": .text(a.kind.name), "appointment.starts_at": .time(milliseconds: a.startMilliseconds),
                    "appointment.ends_at": .time(milliseconds: a.endMilliseconds), "appointment.address": .text(a.address), "appointment.status": .text(a.status.name),
                    "deal.id": .integer(a.dealID),
                ]
                f.sourceKey = "appointment-\(a.id)"
                f.anchorMilliseconds = a.startMilliseconds
                f.cancelsSource = type == Scheduling.Event.cancelled
                return f
            })
        }
        out.append(Entry(type: Scheduling.Event.reminderDue, variables: contact + ["session.id", "session.series", "session.number", "session.starts_at"]) { bytes in
            let r = try SessionReminder(wireBytes: bytes)
            var f = EventFacts(contactID: r.contactID)
            f.variables = ["session.id": .integer(r.sessionID), "session.series": .text(r.seriesName), "session.number": .integer(r.sessionNumber), "session.starts_at": .time(milliseconds: r.startMilliseconds)]
            f.sourceKey = "session-\(r.sessionID):contact-\(r.contactID)"
            f.anchorMilliseconds = r.startMilliseconds
            return f
        })
        for type in [Billing.Event.paymentPaid, Billing.Event.paymentFailed, Billing.Event.paymentRefunded] {
            out.append(Entry(type: type, variables: contact + payment + ["deal.id"]) { bytes in
                let p = try Payment(wireBytes: bytes)
                var f = EventFacts(contactID: p.payerContactID, dealID: p.dealID)
                f.variables = [
                    "payment.id": .integer(p.id), "payment.amount": .money(minor: p.amountMinor, currency: p.currency),
                    "payment.refunded": .money(minor: p.refundedMinor, currency: p.currency), "payment.status": .text(p.status.name),
                    "payment.purpose": .text(p.purpose), "payment.campaign": .text(p.campaign), "payment.provider": .text(p.provider.name),
                    "payment.first": .text(p.firstPayment ? "yes" : "no"),
                ]
                if let at = p.paidAtMilliseconds { f.variables["payment.paid_at"] = .time(milliseconds: at) }
                if let d = p.dealID { f.variables["deal.id"] = .integer(d) }
                return f
            })
        }
        out.append(Entry(type: Billing.Event.subscriptionPastDue, variables: contact + ["subscription.id", "subscription.amount", "subscription.purpose", "subscription.next_charge_at", "subscription.failed_charges"]) { bytes in
            let s = try PaymentSubscription(wireBytes: bytes)
            var f = EventFacts(contactID: s.payerContactID)
            f.variables = [
                "subscription.id": .text(s.subscriptionID), "subscription.purpose": .text(s.purpose),
                "subscription.failed_charges": .integer(s.failedCharges),
            ]
            if !s.currency.isEmpty { f.variables["subscription.amount"] = .money(minor: s.amountMinor, currency: s.currency) }
            if let at = s.nextChargeAtMilliseconds { f.variables["subscription.next_charge_at"] = .time(milliseconds: at) }
            f.sourceKey = "subscription-\(s.id)"
            return f
        })
        out.append(Entry(type: Billing.Event.offerConfirmed, variables: contact + responsible + ["order.total", "order.delivery", "order.delivery_cost", "order.lead_days", "order.address", "deal.id"]) { bytes in
            let o = try Offer(wireBytes: bytes)
            var f = EventFacts(contactID: o.contactID == 0 ? nil : o.contactID, dealID: o.dealID, responsibleID: o.responsibleID)
            f.variables = [
                "order.total": .money(minor: o.totalMinor, currency: o.currency), "order.delivery": .text(o.delivery?.tariff ?? ""),
                "order.delivery_cost": .money(minor: o.delivery?.costMinor ?? 0, currency: o.currency), "order.lead_days": .text(o.delivery.map { String($0.leadDays) } ?? ""),
                "order.address": .text(o.address), "deal.id": .integer(o.dealID),
            ]
            return f
        })
        // Issue 25: whom a note names is the one "responsible".
        out.append(Entry(type: Deals.Event.noteMention, variables: contact + responsible + ["note.id", "note.text", "note.author_id", "deal.id"]) { bytes in
            let m = try NoteMention(wireBytes: bytes)
            var f = EventFacts(contactID: m.note.contactID, dealID: m.note.dealID, responsibleID: m.staffID)
            f.variables = ["note.id": .integer(m.note.id), "note.text": .text(m.note.text)]
            if let author = m.note.authorID { f.variables["note.author_id"] = .integer(author) }
            if let d = m.note.dealID { f.variables["deal.id"] = .integer(d) }
            return f
        })
        // Issue 25: the inbox's own events; the conversation's assignee is the one "responsible".
        let message = ["message.text", "message.channel", "message.kind", "message.at", "message.new_lead", "conversation.id", "deal.id"]
        for type in [Notifications.Event.messageReceived, Notifications.Event.messageSent] {
            out.append(Entry(type: type, variables: contact + responsible + message) { bytes in
                let m = try ConversationMessage(wireBytes: bytes)
                var f = EventFacts(contactID: m.contactID, dealID: m.dealID, responsibleID: m.assigneeID)
                f.variables = [
                    "message.text": .text(m.text), "message.channel": .text(m.channel.name), "message.kind": .text(m.kind.name),
                    "message.at": .time(milliseconds: m.atMilliseconds), "message.new_lead": .text(m.newLead ? "yes" : "no"), "conversation.id": .integer(m.conversationID),
                ]
                if let d = m.dealID { f.variables["deal.id"] = .integer(d) }
                return f
            })
        }
        out.append(Entry(type: Notifications.Event.conversationAssigned, variables: contact + responsible + ["conversation.id", "conversation.channel", "conversation.preview", "deal.id"]) { bytes in
            let c = try Conversation(wireBytes: bytes)
            var f = EventFacts(contactID: c.contactID, dealID: c.dealID, responsibleID: c.assigneeID)
            f.variables = ["conversation.id": .integer(c.id), "conversation.channel": .text(c.channel.name), "conversation.preview": .text(c.preview)]
            if let d = c.dealID { f.variables["deal.id"] = .integer(d) }
            return f
        })
        return out
    }()

    /// The event types other services publish, which notifications takes from its inbox.
    public static let taken = entries.map(\.type).filter { !Notifications.Event.all.contains($0) }

    public static let byType: [String: Entry] = Dictionary(entries.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })

    static func dealFacts(_ d: Deal) -> EventFacts {
        var f = EventFacts(contactID: d.contactID, dealID: d.id, responsibleID: d.responsibleID)
        f.variables = [
            "deal.id": .integer(d.id), "deal.title": .text(d.title), "deal.stage_id": .integer(d.stageID), "deal.pipeline_id": .integer(d.pipelineID),
            "deal.status": .text(d.status.name), "deal.loss_reason": .text(d.lossReason),
        ]
        // A deal without an amount has none: no currency is made up for it (issue 22).
        if !d.currency.isEmpty { f.variables["deal.amount"] = .money(minor: d.amountMinor, currency: d.currency) }
        return f
    }

    /// A sample of every variable, for previews.
    static func sample(_ name: String) -> TemplateValue {
        if name.hasSuffix("_at") { return .time(milliseconds: 1_800_000_000_000) }
        if ["deal.amount", "payment.amount", "payment.refunded", "order.total", "order.delivery_cost"].contains(name) { return .money(minor: 150_000, currency: "RUB") }
        return .text("<\(name)>")
    }
}
