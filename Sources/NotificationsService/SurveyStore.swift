import Contracts
import Foundation
import ServiceKit
import Storage
import Wire

/// N6: NPS surveys as durable state machines in SQLite — planned (10 minutes after a deal
/// is won) → asking (up to 24 hours) → answered | expired — so a restart mid-survey
/// carries on where it was. A reply is taken once per provider update id.
public struct SurveyStore: Sendable {
    let database: Database
    let clock: WallClock
    static let topic = "notifications.surveys"

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// One survey per won deal, inside the event's transaction.
    static func plan(_ tx: Transaction, dealID: Int64, contactID: Int64, wonAt: Int64) throws {
        var s = SurveyProgress.planned(dealID: dealID, contactID: contactID, wonAt: wonAt)
        let inserted = try tx.run(
            "INSERT OR IGNORE INTO surveys (deal_id, contact_id, chat_id, status, due_at, effects_done, survey) VALUES (?, ?, '', 1, ?, 0, ?)",
            [.integer(dealID), .integer(contactID), .integer(s.dueAtMilliseconds), .blob([])])
        guard inserted > 0 else { return }
        s.id = tx.lastInsertRowID
        try save(tx, s)
        tx.touch(topic)
    }

    static func save(_ tx: Transaction, _ s: Survey) throws {
        try tx.run("UPDATE surveys SET chat_id = ?, status = ?, due_at = ?, expires_at = ?, effects_done = ?, survey = ? WHERE id = ?",
            [.text(s.chatID), .integer(Int64(s.status.rawValue)), .integer(s.dueAtMilliseconds), SQLValue(s.expiresAtMilliseconds), SQLValue(s.effectsDone), .blob(s.wireBytes()), .integer(s.id)])
    }

    static func load(_ c: Connection, _ id: Int64) throws -> Survey? {
        try c.queryFirst("SELECT survey FROM surveys WHERE id = ?", [.integer(id)]) { try Survey(wireBytes: $0.blob(0)) }
    }

    /// A score from a button (`nps:7`) or a message ("7"), 0–10.
    public static func score(text: String, button: String) -> Int64? {
        let raw = button.hasPrefix("nps:") ? String(button.dropFirst(4)) : text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let n = Int64(raw), (0...10).contains(n) else { return nil }
        return n
    }

    public func reply(_ r: InboundReply) async throws -> ReplyOutcome {
        let now = clock.milliseconds
        return try await database.write { tx in try Self.answer(tx, r, now: now) }
    }

    /// A reply inside the caller's transaction: the inbox hands each message it keeps to the
    /// survey or bot waiting in its chat here (kept once, so it needs no `updateID`).
    static func answer(_ tx: Transaction, _ r: InboundReply, now: Int64) throws -> ReplyOutcome {
        if !r.updateID.isEmpty {
            guard try tx.run("INSERT OR IGNORE INTO replies (update_id, at) VALUES (?, ?)", [.text(r.updateID), .integer(now)]) > 0 else {
                return ReplyOutcome(taken: false, note: "update \(r.updateID) was taken already")
            }
        }
        // Surveys and /stop are Telegram's; over WhatsApp only a bot asks (issue 25).
        if r.channel == .whatsapp {
            return try BotConversation.reply(tx, chat: r.chatID, text: r.text, button: r.buttonData, channel: .whatsapp)
                ?? ReplyOutcome(taken: false, note: "no bot waits for an answer in WhatsApp chat \(r.chatID)")
        }
        let waiting = try tx.queryFirst("SELECT survey FROM surveys WHERE chat_id = ? AND status = 2 ORDER BY id DESC LIMIT 1", [.text(r.chatID)]) { try Survey(wireBytes: $0.blob(0)) }
        if r.text.trimmingCharacters(in: .whitespaces).lowercased() == "/stop" {
            let contact = try waiting?.contactID ?? tx.queryFirst("SELECT contact_id FROM surveys WHERE chat_id = ? ORDER BY id DESC LIMIT 1", [.text(r.chatID)]) { $0.int64(0) }
            guard let contact else { return ReplyOutcome(taken: false, note: "no contact is known for chat \(r.chatID)") }
            try tx.run("INSERT INTO opt_outs (contact_id, channel, reason, at) VALUES (?, ?, '/stop', ?) ON CONFLICT (contact_id, channel) DO NOTHING",
                [.integer(contact), .integer(Int64(NotificationChannel.telegram.rawValue)), .integer(now)])
            if let s = waiting { try Self.save(tx, SurveyProgress.expired(s, because: "the contact sent /stop")) }
            return ReplyOutcome(taken: true, note: "contact \(contact) opted out of telegram")
        }
        guard var s = waiting else {
            if let outcome = try BotConversation.reply(tx, chat: r.chatID, text: r.text, button: r.buttonData) { return outcome }
            if let outcome = try Self.comment(tx, r, now: now) { return outcome }
            return ReplyOutcome(taken: false, note: "no survey or conversation waits for an answer in chat \(r.chatID)")
        }
        guard let score = Self.score(text: r.text, button: r.buttonData) else { return ReplyOutcome(taken: false, note: "not a score from 0 to 10") }
        guard var answered = SurveyProgress.answered(s, score: score, at: now) else {
            return ReplyOutcome(taken: false, note: "survey \(s.id)'s 24 hours are over: the answer comes too late")
        }
        if r.atMilliseconds > 0 { answered.answeredAtMilliseconds = r.atMilliseconds }
        s = answered
        try Self.save(tx, s)
        tx.touch(Self.topic)
        return ReplyOutcome(taken: true, note: "survey \(s.id): \(score)")
    }

    /// Issue 26: the first words a client writes after their score, within 24 hours of it,
    /// are its comment (the deal's `nps_comment`, carried like the score).
    static func comment(_ tx: Transaction, _ r: InboundReply, now: Int64) throws -> ReplyOutcome? {
        let text = r.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, r.buttonData.isEmpty,
            var s = try tx.queryFirst("SELECT survey FROM surveys WHERE chat_id = ? AND status = 3 ORDER BY id DESC LIMIT 1", [.text(r.chatID)], { try Survey(wireBytes: $0.blob(0)) }),
            s.comment.isEmpty, let answered = s.answeredAtMilliseconds, now - answered <= 86_400_000
        else { return nil }
        s.comment = String(text.prefix(1000))
        s.effectsDone = false
        try save(tx, s)
        tx.touch(topic)
        return ReplyOutcome(taken: true, note: "survey \(s.id): comment")
    }

    public func list(_ r: ListSurveysRequest) async throws -> SurveyList {
        var sql = "SELECT survey FROM surveys WHERE 1 = 1"
        var values: [SQLValue] = []
        if let d = r.dealID { sql += " AND deal_id = ?"; values.append(.integer(d)) }
        if r.status != .unspecified { sql += " AND status = ?"; values.append(.integer(Int64(r.status.rawValue))) }
        sql += " ORDER BY id DESC LIMIT ?"
        values.append(.integer(r.pageSize == 0 ? 100 : r.pageSize))
        return try await database.read { [sql, values] c in SurveyList(surveys: try c.query(sql, values) { try Survey(wireBytes: $0.blob(0)) }) }
    }
}
