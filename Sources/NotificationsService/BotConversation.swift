import Contracts
import Foundation
import ServiceKit
import Storage
import Wire

/// N6: a qualification bot's flow run with a new lead's contact, as a durable state
/// machine in SQLite (status 1 planned, 2 asking, 3 done, 4 skipped; the question it is on;
/// the answers so far), so a restart mid-conversation carries on. Answers are saved on the
/// deal's fields when it ends.
enum BotConversation {
    /// Flows are kept whole (Sources/README.md, "Storage").
    static let flows = MessageTable<BotFlow>("bot_flows", body: "flow", id: \.id, setID: { $0.id = $1 })

    /// A conversation for a deal a lead opened, with the newest flow, inside the event's
    /// transaction, over the channel the lead came by (WhatsApp's leads are asked there).
    static func plan(_ tx: Transaction, dealID: Int64, contactID: Int64, channel: NotificationChannel = .telegram) throws {
        guard let flow = try tx.queryFirst("SELECT \(flows.selection()) FROM bot_flows ORDER BY id DESC LIMIT 1", [], flows.message) else { return }
        let inserted = try tx.run(
            "INSERT OR IGNORE INTO conversations (flow_id, deal_id, contact_id, chat_id, status, current, ask_pending, answers, saved, channel) VALUES (?, ?, ?, '', 1, ?, 1, ?, 0, ?)",
            [.integer(flow.id), .integer(dealID), .integer(contactID), .text(flow.first), .blob([]), .integer(Int64(channel.rawValue))])
        if inserted > 0 { tx.touch(SurveyStore.topic) }
    }

    /// A deep link opened in `chat` (issue 25): the deal's bot starts there. One planned
    /// without a chat, or skipped for want of one, starts over from the flow's first
    /// question; one already talking or finished is left as it is.
    static func start(_ tx: Transaction, dealID: Int64, contactID: Int64, chat: String) throws {
        try plan(tx, dealID: dealID, contactID: contactID)
        guard let flowID = try tx.queryFirst("SELECT flow_id FROM conversations WHERE deal_id = ?", [.integer(dealID)], { $0.int64(0) }),
            let flow = try flows.find(tx.connection, id: flowID)
        else { return }
        let changed = try tx.run(
            "UPDATE conversations SET chat_id = ?, channel = ?, status = 1, current = ?, ask_pending = 1 WHERE deal_id = ? AND (status = 4 OR (status = 1 AND chat_id = ''))",
            [.text(chat), .integer(Int64(NotificationChannel.telegram.rawValue)), .text(flow.first), .integer(dealID)])
        if changed > 0 { tx.touch(SurveyStore.topic) }
    }

    /// The next question after `answer` to `question` (nil: not an answer to it).
    static func next(_ question: BotQuestion, text: String, button: String) -> (answer: String, next: String)? {
        switch question.kind {
        case .choice:
            let typed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            // A button's data, the answer's words, or its number (WhatsApp asks more than three choices as a numbered list).
            let chosen = button.hasPrefix("bot:") ? question.choices.first { "bot:\(question.questionKey):\($0.label)" == button }
                : question.choices.first { $0.label.lowercased() == typed.lowercased() }
                    ?? Int(typed).flatMap { $0 >= 1 && $0 <= question.choices.count ? question.choices[$0 - 1] : nil }
            return chosen.map { ($0.label, $0.next) }
        case .text:
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : (String(t.prefix(4000)), question.next)
        case .unspecified:
            return nil
        }
    }

    /// A reply in `chat` to the conversation waiting there; nil when none is.
    static func reply(_ tx: Transaction, chat: String, text: String, button: String, channel: NotificationChannel = .telegram) throws -> ReplyOutcome? {
        guard let (id, flowID, current, answersBlob) = try tx.queryFirst(
            "SELECT id, flow_id, current, answers FROM conversations WHERE chat_id = ? AND channel = ? AND status = 2 AND ask_pending = 0 ORDER BY id DESC LIMIT 1",
            [.text(chat), .integer(Int64(channel.rawValue))],
            { ($0.int64(0), $0.int64(1), $0.string(2), $0.blob(3)) })
        else { return nil }
        guard let flow = try flows.find(tx.connection, id: flowID),
              let question = flow.questions.first(where: { $0.questionKey == current })
        else { return ReplyOutcome(taken: false, note: "conversation \(id)'s flow is gone") }
        guard let (answer, next) = Self.next(question, text: text, button: button) else {
            return ReplyOutcome(taken: false, note: question.kind == .choice ? "not one of the answers: \(question.choices.map(\.label).joined(separator: ", "))" : "an empty answer")
        }
        var answers = try Self.answers(answersBlob)
        answers.fields = answers.fields.filter { $0.name != question.field } + [CustomField(name: question.field, value: answer)]
        let kept = answers.wireBytes()
        if next == "end" {
            try tx.run("UPDATE conversations SET status = 3, current = 'end', answers = ? WHERE id = ?", [.blob(kept), .integer(id)])
        } else {
            try tx.run("UPDATE conversations SET current = ?, ask_pending = 1, answers = ? WHERE id = ?", [.text(next), .blob(kept), .integer(id)])
        }
        tx.touch(SurveyStore.topic)
        return ReplyOutcome(taken: true, note: "conversation \(id): \(question.field) = \(answer)")
    }

    /// The answers so far as the deal's fields.
    static func fields(_ blob: [UInt8]) throws -> [CustomField] {
        try answers(blob).fields
    }

    /// The kept answers; an empty blob is none yet. One that cannot be read is an error,
    /// never silently no answers (they would be lost on the next save).
    static func answers(_ blob: [UInt8]) throws -> BotAnswers {
        blob.isEmpty ? BotAnswers() : try BotAnswers(wireBytes: blob)
    }
}
