import Contracts
import Foundation
import Storage

/// P5 (issue 29): a send older than `NOTIFICATIONS_SEND_LOG_RETENTION_DAYS` keeps what
/// reports and an admin count (rule, channel, provider, status and when, attempts, cost,
/// country, the contact's id) and loses what it said to whom: its address, subject, body,
/// template parameters, attachment, history notes and the event it was made from. Sends not
/// yet done (scheduled) are left until they are. The log's dedupe key (rule, event,
/// recipient kind) holds no one's address, so a redelivered event still sends nothing twice.
public struct SendLogRetention: Sendable {
    public let days: Int
    /// Sends redacted in one transaction, so a pass never holds the writer long.
    static let batch = 500
    static let done: [OutboundStatus] = [.sent, .failed, .skipped, .cancelled, .delivered, .read, .undelivered]

    public init(days: Int) { self.days = days }

    /// Redacts every send due before `days` ago that is done; returns how many.
    @discardableResult
    public func apply(to database: Database, now: Date) async throws -> Int {
        let cutoff = Int64(now.timeIntervalSince1970 * 1000) - Int64(days) * 86_400_000
        let statuses = Self.done.map { String($0.rawValue) }.joined(separator: ",")
        return try await database.writeInBatches(of: Self.batch) { tx, batch in
            let rows = try tx.query(
                "SELECT id, message FROM sends WHERE redacted = 0 AND due_at < ? AND status IN (\(statuses)) LIMIT \(batch)", [.integer(cutoff)]
            ) { ($0.int64(0), try OutboundMessage(wireBytes: $0.blob(1))) }
            for (id, message) in rows {
                try tx.run("UPDATE sends SET payload = x'', message = ?, redacted = 1 WHERE id = ?", [.blob(Self.redacted(message).wireBytes()), .integer(id)])
            }
            return rows.count
        }
    }

    /// `message` without what it said to whom.
    static func redacted(_ message: OutboundMessage) -> OutboundMessage {
        var kept = message
        kept.address = ""
        kept.subject = ""
        kept.body = ""
        kept.template = nil
        kept.attachment = ""
        kept.attachmentName = ""
        kept.history = message.history.map { OutboundMessageChange(atMilliseconds: $0.atMilliseconds, status: $0.status, note: "") }
        return kept
    }
}
