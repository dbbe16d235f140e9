import Contracts
import FoundationEssentials
import Glibc
import Storage
import Wire

/// Calls from telephony's events, on the deals side (T2–T8). Inside the inbox's
/// transaction it only stores and links; what needs contacts (a new caller's contact, a
/// responsible's senior manager) is done by the lead intake and ``CallEffects`` loops.
/// - T2: internal calls create nothing here.
/// - T3/T7: a call from or to a number no open deal knows becomes a lead (channel
///   `call`, source the tracking number and utm), so one contact and one deal come of
///   it, or it joins the client's open deal.
/// - T4: the lead's actor, and so a new deal's responsible, is the last answerer.
/// - T8: each call is one timeline entry on its deal, updated as the call completes.
enum CallLedger {
    static let pendingTopic = "calls.pending"

    static func recorded(_ session: CallSession, _ tx: Transaction, now: Int64) throws {
        guard session.direction != .internal else { return }
        try LeadReportStore.call(tx, session)
        let known = try tx.queryFirst("SELECT lead_id, deal_id FROM calls WHERE session_id = ?", [.text(session.id)]) {
            (lead: $0.optionalInt64("lead_id"), deal: $0.optionalInt64("deal_id"))
        }
        try tx.run(
            """
            INSERT INTO calls (session_id, client_number, session, received_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (session_id) DO UPDATE SET session = excluded.session
            """, [.text(session.id), .text(session.clientNumber), .blob(session.wireBytes()), .integer(now)])
        if let dealID = known?.deal {
            try writeEntry(tx, session, dealID: dealID)
            if session.answered { try LeadReportStore.responded(tx, dealID: dealID, at: session.startedAtMilliseconds, slack: Self.responseSlack) }
            return
        }
        guard known?.lead == nil else { return }  // its lead is on the way
        // T4: who answered decides a new deal's responsible, so a call that is still
        // ringing (forwarding may go on) waits until someone answers or it is over.
        guard session.answered || session.ended else { return }
        // The number's open deal from an earlier call: the call joins it (never a second deal).
        if let (dealID, contactID) = try tx.queryFirst(
            """
            SELECT d.id, d.contact_id FROM calls c JOIN deals d ON d.id = c.deal_id
            WHERE c.client_number = ? AND d.status = 1 ORDER BY d.id DESC LIMIT 1
            """, [.text(session.clientNumber)], { ($0.int64(0), $0.int64(1)) })
        {
            try link(tx, session.id, dealID: dealID, contactID: contactID)
            return
        }
        var lead = Lead()
        lead.channel = "call"
        lead.partner = "telephony"
        lead.externalID = "call:\(session.id)"
        lead.phone = session.clientNumber
        lead.trackingNumber = session.trackingNumber
        lead.utmSource = session.utmSource
        lead.utmMedium = session.utmMedium
        lead.utmCampaign = session.utmCampaign
        lead.actorID = session.answeredByStaffID
        lead.occurredAtMilliseconds = session.startedAtMilliseconds
        lead.comment = "\(session.direction == .outbound ? "outbound" : "inbound") call" + (session.poolName.isEmpty ? "" : " (\(session.poolName))")
        let leadID = try LeadIntake.insert(tx, lead, rejection: nil, now: now)
        try tx.run("UPDATE calls SET lead_id = ? WHERE session_id = ?", [.integer(leadID), .text(session.id)])
    }

    /// T5/T6 effects wait until the call's deal is known; ``CallEffects`` applies them.
    static func ended(_ session: CallSession, missed: Bool, _ tx: Transaction, now: Int64) throws {
        guard session.direction != .internal else { return }
        try recorded(session, tx, now: now)
        try tx.run("UPDATE calls SET \(missed ? "missed_pending" : "answered_pending") = 1 WHERE session_id = ?", [.text(session.id)])
        tx.touch(pendingTopic)
    }

    /// The lead a call brought in is processed: its calls (and any that joined it) are on the deal.
    static func leadProcessed(_ tx: Transaction, leadID: Int64, dealID: Int64, contactID: Int64) throws {
        for sessionID in try tx.query("SELECT session_id FROM calls WHERE lead_id = ? AND deal_id IS NULL", [.integer(leadID)], { $0.string(0) }) {
            try link(tx, sessionID, dealID: dealID, contactID: contactID)
        }
        // Calls of the same number that came while the lead waited join the same deal.
        for sessionID in try tx.query(
            "SELECT session_id FROM calls WHERE deal_id IS NULL AND client_number = (SELECT client_number FROM calls WHERE lead_id = ? LIMIT 1)",
            [.integer(leadID)], { $0.string(0) })
        {
            try link(tx, sessionID, dealID: dealID, contactID: contactID)
        }
    }

    /// A call's lead is taken once the call is answered or over: its answer is its first response.
    static let responseSlack: Int64 = 3_600_000

    static func link(_ tx: Transaction, _ sessionID: String, dealID: Int64, contactID: Int64) throws {
        try tx.run("UPDATE calls SET deal_id = ? WHERE session_id = ?", [.integer(dealID), .text(sessionID)])
        if let session = try tx.queryFirst("SELECT session FROM calls WHERE session_id = ?", [.text(sessionID)], { try CallSession(wireBytes: $0.blob(0)) }) {
            try writeEntry(tx, session, dealID: dealID, contactID: contactID)
            if session.answered { try LeadReportStore.responded(tx, dealID: dealID, at: session.startedAtMilliseconds, slack: Self.responseSlack) }
            // T4: an open deal nobody is responsible for goes to the one who answered its call.
            if let answerer = session.answeredByStaffID {
                try DealStore.assignIfUnassigned(tx, dealID: dealID, to: answerer)
            }
        }
        tx.touch(pendingTopic)
    }

    /// T8: the call's one timeline entry, written or brought up to date.
    static func writeEntry(_ tx: Transaction, _ session: CallSession, dealID: Int64, contactID: Int64? = nil) throws {
        let summary = Self.summary(session)
        if let entryID = try tx.queryFirst("SELECT entry_id FROM calls WHERE session_id = ?", [.text(session.id)], { $0.optionalInt64(0) }) ?? nil {
            try tx.run("UPDATE timeline SET summary = ?, actor_id = ? WHERE id = ?", [.text(summary), SQLValue(session.answeredByStaffID), .integer(entryID)])
            return
        }
        guard let contact = try contactID ?? tx.queryFirst("SELECT contact_id FROM deals WHERE id = ?", [.integer(dealID)], { $0.int64(0) }) else { return }
        try TimelineStore.append(tx, TimelineStore.entry(
            kind: "call", dealID: dealID, contactID: contact, summary: summary, actorID: session.answeredByStaffID, at: session.startedAtMilliseconds))
        try tx.run("UPDATE calls SET entry_id = ? WHERE session_id = ?", [.integer(tx.lastInsertRowID), .text(session.id)])
    }

    static func summary(_ s: CallSession) -> String {
        var parts = ["\(s.direction == .outbound ? "outbound" : "inbound") call"]
        parts.append(s.answered ? "answered, \(s.talkSeconds) s" : (s.ended ? "missed" : "ringing"))
        if !s.trackingNumber.isEmpty { parts.append("via \(s.trackingNumber)") }
        if !s.recordingURL.isEmpty { parts.append("recording \(s.recordingURL)") }
        return parts.joined(separator: "; ")
    }
}
