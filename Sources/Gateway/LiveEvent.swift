import Contracts
import Foundation
import Wire

/// G6 (issue 27 item 4): one thing that happened elsewhere that a person on the console
/// should see without reloading, as the gateway's live feed sends it: its kind (the SSE
/// event name), whose it is (G3: the staff member it belongs to; nil — only those who see
/// everything), and the few fields a screen needs (never more than the person could read).
struct LiveEvent: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case message, task, deal, dialer, callback
    }

    var id: Int64 = 0
    let kind: Kind
    let owner: Int64?
    let data: [UInt8]
    /// For a call-back: when it is due (the feed tells its owner then).
    var dueAtMilliseconds: Int64? = nil

    /// The service events the feed follows, by publisher.
    static let followed: [String: [String]] = [
        Notifications.service: [Notifications.Event.messageReceived, Notifications.Event.conversationAssigned],
        Deals.service: [Deals.Event.taskAssigned, Deals.Event.created, Deals.Event.stageChanged, Deals.Event.won, Deals.Event.lost, Deals.Event.updated],
        Telephony.service: [Telephony.Event.outcome],
    ]

    /// What a person sees of `envelope`: nil for types the feed does not follow or a payload
    /// that does not read.
    static func from(_ envelope: EventEnvelope) -> [LiveEvent] {
        func json(_ fields: [String: Any?]) -> [UInt8] { JSONWriter.encode(fields.compactMapValues { $0 }) }
        func iso(_ ms: Int64?) -> String? { ms.map(JSONWriter.timestamp(milliseconds:)) }
        switch envelope.type {
        case Notifications.Event.messageReceived:
            guard let m = try? ConversationMessage(wireBytes: envelope.payload) else { return [] }
            return [LiveEvent(kind: .message, owner: m.assigneeID, data: json([
                "conversationId": m.conversationID, "dealId": m.dealID, "direction": m.direction.name, "channel": m.channel.name,
                "text": String(m.text.prefix(200)), "at": iso(m.atMilliseconds),
            ]))]
        case Notifications.Event.conversationAssigned:
            guard let c = try? Conversation(wireBytes: envelope.payload) else { return [] }
            return [LiveEvent(kind: .message, owner: c.assigneeID, data: json(["conversationId": c.id, "dealId": c.dealID, "assigned": true]))]
        case Deals.Event.taskAssigned:
            guard let task = try? DealTask(wireBytes: envelope.payload) else { return [] }
            return [LiveEvent(kind: .task, owner: task.assigneeID, data: json([
                "taskId": task.id, "dealId": task.dealID, "kind": task.kind.name, "title": String(task.title.prefix(200)), "dueAt": iso(task.dueAtMilliseconds),
            ]))]
        case Deals.Event.created, Deals.Event.stageChanged, Deals.Event.won, Deals.Event.lost, Deals.Event.updated:
            guard let change = try? DealStageChanged(wireBytes: envelope.payload) else { return [] }
            let deal = change.deal
            return [LiveEvent(kind: .deal, owner: deal.responsibleID, data: json([
                "dealId": deal.id, "stageId": deal.stageID, "status": deal.status.name, "pipelineId": deal.pipelineID,
            ]))]
        case Telephony.Event.outcome:
            guard let recorded = try? OutcomeRecorded(wireBytes: envelope.payload) else { return [] }
            let entry = recorded.entry
            var events = [LiveEvent(kind: .dialer, owner: recorded.operatorID, data: json(["entryId": entry.id, "outcome": recorded.outcome.name]))]
            if recorded.outcome == .callback, let at = entry.callbackAtMilliseconds {
                var due = LiveEvent(kind: .callback, owner: entry.callbackFor ?? recorded.operatorID, data: json([
                    "entryId": entry.id, "phone": entry.phone, "callbackAt": iso(at), "dealId": entry.dealID,
                ]))
                due.dueAtMilliseconds = at
                events.append(due)
            }
            return events
        default:
            return []
        }
    }

    /// Whether a person with `visibility` (nil: sees everything) may see it.
    func visible(to visibility: Visibility?) -> Bool {
        guard let visibility, visibility.restricted else { return true }
        guard let owner else { return false }
        return visibility.staffIDs.contains(owner)
    }
}
