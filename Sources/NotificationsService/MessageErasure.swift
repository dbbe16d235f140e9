import Contracts
import ServiceKit
import Storage
import Wire

/// C8: erasing a person from notifications. Their send log entries keep their rule,
/// channel, status and times (the counts) without address, text or the event they came
/// from (``SendLogRetention/redacted(_:)``); their conversations keep their channel,
/// assignee and times, their messages direction and kind, without chat ids or words; NPS
/// surveys keep their score (an aggregate) without the chat. Finished webhook deliveries
/// and early delivery statuses that name them go.
struct MessageErasure: Sendable {
    let database: Database
    let events: EventErasure

    func erase(_ request: ErasePersonRequest) async throws -> ErasureReport {
        let contact = SQLValue.integer(request.contactID)
        let needles = request.needles
        let (counts, conversations) = try await database.write { tx -> ([String: Int64], [Int64]) in
            var counts: [String: Int64] = [:]
            let inMessage = Database.condition(holding: needles, in: "message")
            let inPayload = Database.condition(holding: needles, in: "payload")
            let sends = try tx.query(
                "SELECT id, message FROM sends WHERE (contact_id = ? OR \(inMessage.sql) OR \(inPayload.sql)) AND (redacted = 0 OR recipient_key NOT LIKE 'erased-%')",
                [contact] + inMessage.values + inPayload.values) { ($0.int64(0), try OutboundMessage(wireBytes: $0.blob(1))) }
            for (id, message) in sends {
                try tx.run(
                    "UPDATE sends SET payload = x'', message = ?, redacted = 1, recipient_key = ?, source_key = '' WHERE id = ?",
                    [.blob(SendLogRetention.redacted(message).wireBytes()), .text("erased-\(id)"), .integer(id)])
            }
            counts["sends"] = Int64(sends.count)

            let conversations = try tx.query("SELECT id FROM inbox_conversations WHERE contact_id = ?", [contact]) { $0.int64(0) }
            for id in conversations {
                let messages = try tx.query("SELECT id, body FROM inbox_messages WHERE conversation_id = ?", [.integer(id)]) {
                    ($0.int64(0), try ConversationMessage(wireBytes: $0.blob(1)))
                }
                for (messageID, message) in messages where !message.text.isEmpty || !message.buttonData.isEmpty || !message.mediaID.isEmpty {
                    var kept = message
                    (kept.text, kept.buttonData, kept.mediaID) = ("", "", "")
                    try tx.run("UPDATE inbox_messages SET body = ? WHERE id = ?", [.blob(kept.wireBytes()), .integer(messageID)])
                    counts["messages", default: 0] += 1
                }
                counts["conversations", default: 0] += Int64(try tx.run(
                    "UPDATE inbox_conversations SET chat_id = ?, preview = '', title = '' WHERE id = ? AND chat_id != ?",
                    [.text("erased-\(id)"), .integer(id), .text("erased-\(id)")]))
            }
            counts["bots"] = Int64(try tx.run(
                "UPDATE conversations SET chat_id = 'erased-' || id, answers = x'' WHERE contact_id = ? AND chat_id != 'erased-' || id", [contact]))
            counts["surveys"] = Int64(try tx.run(
                "UPDATE surveys SET chat_id = 'erased-' || id WHERE contact_id = ? AND chat_id != 'erased-' || id", [contact]))
            counts["optOuts"] = Int64(try tx.run("UPDATE opt_outs SET reason = '' WHERE contact_id = ? AND reason != ''", [contact]))
            counts["startLinks"] = Int64(try tx.run("UPDATE start_links SET chat_id = '' WHERE contact_id = ? AND chat_id != ''", [contact]))
            let delivered = Database.condition(holding: needles, in: "payload")
            counts["deliveries"] = Int64(try tx.run(
                "DELETE FROM deliveries WHERE status != \(DeliveryStatus.pending.rawValue) AND (\(delivered.sql))", delivered.values))
            let statuses = Database.condition(holding: needles, in: "status_update")
            counts["statuses"] = Int64(try tx.run("DELETE FROM early_statuses WHERE \(statuses.sql)", statuses.values))
            return (counts, conversations)
        }
        return try await events.report(counts, for: request, aggregates: conversations.map { "conversation-\($0)" })
    }
}
