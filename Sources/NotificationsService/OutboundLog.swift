import Contracts
import Foundation
import JSON
import Storage
import Wire

/// N1: the send log and queue. Every message is one row from when a rule plans it: its
/// status history, attempts, provider message id and cost; `due_at` says when the sender
/// takes it (a delay, a retry, quiet hours).
public struct OutboundLog: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    static func plan(_ tx: Transaction, rule: NotificationRule, eventID: String, eventType: String, payload: [UInt8], recipientKey: String,
                     contactID: Int64?, sourceKey: String, due: Int64, at now: Int64) throws {
        var m = OutboundMessage()
        m.ruleID = rule.id
        m.eventID = eventID
        m.eventType = eventType
        m.channel = rule.channel
        m.contactID = contactID
        m.status = .scheduled
        m.dueAtMilliseconds = due
        m.sourceKey = sourceKey
        m.createdAtMilliseconds = now
        m.history = [OutboundMessageChange(atMilliseconds: now, status: .scheduled, note: "rule \(rule.id) (\(rule.name)) on \(eventType)" + (due > now ? ", due \(RFC3339.format(milliseconds: due))" : ""))]
        let inserted = try tx.run(
            """
            INSERT OR IGNORE INTO sends (rule_id, event_id, recipient_key, status, due_at, source_key, before_minutes, contact_id, event_type, payload, message)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(rule.id), .text(eventID), .text(recipientKey), .integer(Int64(OutboundStatus.scheduled.rawValue)), .integer(due), .text(sourceKey),
             SQLValue(rule.beforeMinutes), SQLValue(contactID), .text(eventType), .blob(payload), .blob([])])
        guard inserted > 0 else { return }
        m.id = tx.lastInsertRowID
        try save(tx, m)
        tx.touch(EventIntake.sendsTopic)
    }

    /// An alert's message (N5): rendered already, to the alert's chat; rule id −alert.
    static func alert(_ tx: Transaction, _ a: Alert, text: String, at now: Int64) throws {
        try notice(tx, ruleID: -a.id, eventID: "alert-\(a.id)-\(now)", chat: a.chatID, text: text, why: "alert \(a.id) (\(a.name))", at: now)
    }

    /// A message the service writes itself (an alert, a word to the admin) to a Telegram
    /// chat; a negative rule id marks it as rendered already.
    static func notice(_ tx: Transaction, ruleID: Int64, eventID: String, chat: String, text: String, why: String, at now: Int64) throws {
        var m = OutboundMessage()
        m.ruleID = ruleID
        m.eventID = eventID
        m.eventType = "notice"
        m.channel = .telegram
        m.address = chat
        m.body = text
        m.status = .scheduled
        m.dueAtMilliseconds = now
        m.createdAtMilliseconds = now
        m.history = [OutboundMessageChange(atMilliseconds: now, status: .scheduled, note: why)]
        if try insertWritten(tx, &m) { tx.touch(EventIntake.sendsTopic) }
    }

    /// The row of a message the service wrote itself (no rule renders it), keyed like every
    /// send on (rule, event, recipient): false when that one is there already.
    static func insertWritten(_ tx: Transaction, _ m: inout OutboundMessage) throws -> Bool {
        let inserted = try tx.run(
            "INSERT OR IGNORE INTO sends (rule_id, event_id, recipient_key, status, due_at, source_key, contact_id, event_type, payload, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.integer(m.ruleID), .text(m.eventID), .text("address:\(m.address)"), .integer(Int64(m.status.rawValue)), .integer(m.dueAtMilliseconds),
             .text(m.sourceKey), SQLValue(m.contactID), .text(m.eventType), .blob([]), .blob([])])
        guard inserted > 0 else { return false }
        m.id = tx.lastInsertRowID
        try save(tx, m)
        return true
    }

    /// An NPS question the survey runner sent itself (N6), as it went: sent, or refused
    /// for good. Rule id 0; one row per survey.
    static func survey(_ tx: Transaction, _ s: Survey, chat: String, text: String, status: OutboundStatus, providerMessageID: String, note: String, at now: Int64) throws {
        var m = OutboundMessage()
        m.eventID = "nps-\(s.id)"
        m.eventType = "survey.nps"
        m.channel = .telegram
        m.provider = "telegram"
        m.address = chat
        m.contactID = s.contactID
        m.body = text
        m.status = status
        m.attempts = 1
        m.dueAtMilliseconds = now
        m.providerMessageID = providerMessageID
        m.sourceKey = "survey-\(s.id)"
        m.createdAtMilliseconds = now
        m.history = [OutboundMessageChange(atMilliseconds: now, status: status, note: "NPS survey \(s.id) on deal \(s.dealID): \(note)")]
        _ = try insertWritten(tx, &m)
    }

    static func cancel(_ tx: Transaction, sourceKey: String, because why: String, at now: Int64) throws {
        for var m in try tx.query("SELECT message FROM sends WHERE source_key = ? AND status = 1", [.text(sourceKey)], { try OutboundMessage(wireBytes: $0.blob(0)) }) {
            m.status = .cancelled
            m.history.append(OutboundMessageChange(atMilliseconds: now, status: .cancelled, note: why))
            try save(tx, m)
        }
    }

    /// Sends planned before the source's time follow it to its new time.
    static func replan(_ tx: Transaction, sourceKey: String, anchor: Int64, at now: Int64) throws {
        let rows = try tx.query("SELECT message, before_minutes FROM sends WHERE source_key = ? AND status = 1 AND before_minutes IS NOT NULL", [.text(sourceKey)]) {
            (try OutboundMessage(wireBytes: $0.blob(0)), $0.int64(1))
        }
        for (var m, before) in rows {
            let due = anchor - before * 60_000
            guard due != m.dueAtMilliseconds else { continue }
            if due <= now {
                m.status = .cancelled
                m.history.append(OutboundMessageChange(atMilliseconds: now, status: .cancelled, note: "moved to \(RFC3339.format(milliseconds: anchor)): its time to send has passed"))
            } else {
                m.history.append(OutboundMessageChange(atMilliseconds: now, status: .scheduled, note: "moved: due \(RFC3339.format(milliseconds: due)) instead of \(RFC3339.format(milliseconds: m.dueAtMilliseconds))"))
                m.dueAtMilliseconds = due
                // Maybe sooner than the sender sleeps until.
                tx.touch(EventIntake.sendsTopic)
            }
            try save(tx, m)
        }
    }

    static func save(_ tx: Transaction, _ m: OutboundMessage) throws {
        var kept = m
        if kept.history.count > 50 { kept.history.removeFirst(kept.history.count - 50) }
        // Statuses the provider reported before the send was recorded as sent apply now.
        if kept.status == .sent && !kept.providerMessageID.isEmpty { try DeliveryStatusIntake.applyEarly(tx, to: &kept) }
        try tx.run("UPDATE sends SET status = ?, due_at = ?, message = ?, channel = ?, provider_message_id = ? WHERE id = ?",
            [.integer(Int64(kept.status.rawValue)), .integer(kept.dueAtMilliseconds), .blob(kept.wireBytes()),
             .integer(Int64(kept.channel.rawValue)), .text(kept.providerMessageID), .integer(kept.id)])
        // An answer in a conversation shows its send's status (issue 25).
        try ConversationStore.sendChanged(tx, kept)
    }

    public func list(_ r: ListOutboundMessagesRequest) async throws -> OutboundMessageList {
        let limit = r.pageSize == 0 ? 100 : Int(r.pageSize)
        var sql = "SELECT message FROM sends WHERE id < ?"
        var values: [SQLValue] = [.integer(r.beforeID ?? Int64.max)]
        if r.status != .unspecified { sql += " AND status = ?"; values.append(.integer(Int64(r.status.rawValue))) }
        if let rule = r.ruleID { sql += " AND rule_id = ?"; values.append(.integer(rule)) }
        if let contact = r.contactID { sql += " AND contact_id = ?"; values.append(.integer(contact)) }
        sql += " ORDER BY id DESC LIMIT ?"
        values.append(.integer(Int64(limit)))
        return try await database.read { [sql, values] c in
            OutboundMessageList(sends: try c.query(sql, values) { try OutboundMessage(wireBytes: $0.blob(0)) })
        }
    }

    public func get(_ id: Int64) async throws -> OutboundMessage {
        guard let m = try await database.read({ c in
            try c.queryFirst("SELECT message FROM sends WHERE id = ?", [.integer(id)]) { try OutboundMessage(wireBytes: $0.blob(0)) }
        }) else { throw RPCError.notFound("send \(id) does not exist") }
        return m
    }
}
