import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// C8: erasing a person from deals. Their deals stay (stage, amounts, times, who worked
/// them: the reports count them) under a title that names nobody and without fields;
/// their leads keep where they came from, not who sent them; timeline entries keep their
/// kind and time, notes and tasks their place, without text; calls lose the number and
/// recordings. Events about those deals and leads go once every subscriber has them.
struct DealErasure: Sendable {
    let database: Database
    let events: EventErasure

    /// The title an erased person's deal keeps.
    static let erasedTitle = "Erased person's deal"

    /// The lead as kept after its sender is erased: its channel, partner, campaign and
    /// what it asked about stay, for the reports; who sent it and their words go.
    static func anonymous(_ lead: Lead) -> Lead {
        var kept = Lead()
        (kept.channel, kept.partner, kept.externalID) = (lead.channel, lead.partner, lead.externalID)
        (kept.utmSource, kept.utmMedium, kept.utmCampaign) = (lead.utmSource, lead.utmMedium, lead.utmCampaign)
        (kept.amountMinor, kept.currency, kept.trackingNumber) = (lead.amountMinor, lead.currency, lead.trackingNumber)
        (kept.region, kept.product, kept.actorID) = (lead.region, lead.product, lead.actorID)
        return kept
    }

    func erase(_ request: ErasePersonRequest) async throws -> ErasureReport {
        let (counts, aggregates) = try await database.write { tx -> ([String: Int64], [String]) in
            let contact = SQLValue.integer(request.contactID)
            let ownDeals = try tx.query("SELECT id FROM deals WHERE contact_id = ?", [contact]) { $0.int64(0) }
            let deals = Array(Set(ownDeals + request.dealIDs)).sorted()
            let dealList = SQLList.integers(deals)
            let phones = request.phones.filter { !$0.isEmpty }
            let phoneList = phones.isEmpty ? "NULL" : phones.map { _ in "?" }.joined(separator: ",")
            var counts: [String: Int64] = [:]

            for deal in try DealStore.table.list(tx.connection, where: "id IN (\(dealList))") where deal.title != Self.erasedTitle || !deal.customFields.isEmpty {
                var kept = deal
                kept.title = Self.erasedTitle
                kept.customFields = []
                try DealStore.table.update(tx, kept)
                counts["deals", default: 0] += 1
            }
            counts["fields"] = Int64(try tx.run("DELETE FROM deal_fields WHERE deal_id IN (\(dealList))"))
            counts["timeline"] = Int64(try tx.run(
                "UPDATE timeline SET summary = '' WHERE (contact_id = ? OR deal_id IN (\(dealList))) AND summary != ''", [contact]))
            let notes = try tx.query("SELECT id, body FROM notes WHERE contact_id = ? OR deal_id IN (\(dealList))", [contact]) { ($0.int64(0), $0.blob(1)) }
            for (id, body) in notes {
                let note = try Note(wireBytes: body)
                guard !note.text.isEmpty || !note.history.isEmpty else { continue }
                var kept = Note()
                (kept.id, kept.dealID, kept.contactID, kept.authorID) = (note.id, note.dealID, note.contactID, note.authorID)
                (kept.createdAtMilliseconds, kept.editedAtMilliseconds) = (note.createdAtMilliseconds, note.editedAtMilliseconds)
                try tx.run("UPDATE notes SET body = ? WHERE id = ?", [.blob(kept.wireBytes()), .integer(id)])
                counts["notes", default: 0] += 1
            }
            counts["tasks"] = Int64(try tx.run(
                "UPDATE tasks SET title = '' WHERE (contact_id = ? OR deal_id IN (\(dealList))) AND title != ''", [contact]))
            counts["taskReschedules"] = Int64(try tx.run("""
                UPDATE task_reschedules SET reason = '' WHERE reason != '' AND task_id IN (SELECT id FROM tasks WHERE contact_id = ? OR deal_id IN (\(dealList)))
                """, [contact]))

            let leads = try tx.query(
                "SELECT id, lead FROM leads WHERE contact_id = ? OR deal_id IN (\(dealList))", [contact]) { ($0.int64(0), $0.blob(1)) }
            for (id, body) in leads {
                let lead = try Lead(wireBytes: body)
                let kept = Self.anonymous(lead)
                guard kept != lead else { continue }
                try tx.run("UPDATE leads SET lead = ? WHERE id = ?", [.blob(kept.wireBytes()), .integer(id)])
                counts["leads", default: 0] += 1
            }

            let calls = try tx.query(
                "SELECT session_id, session FROM calls WHERE deal_id IN (\(dealList)) OR client_number IN (\(phoneList))",
                phones.map { .text($0) }) { ($0.string(0), $0.blob(1)) }
            for (id, body) in calls {
                let call = try CallSession(wireBytes: body)
                guard call.erased != call else { continue }
                try tx.run("UPDATE calls SET client_number = '', session = ? WHERE session_id = ?", [.blob(call.erased.wireBytes()), .text(id)])
                counts["calls", default: 0] += 1
            }
            let tasks = try tx.query("SELECT id FROM tasks WHERE contact_id = ? AND deal_id IS NULL", [contact]) { "task-\($0.int64(0))" }
            return (counts, ["contact-\(request.contactID)"] + deals.map { "deal-\($0)" } + leads.map { "lead-\($0.0)" } + tasks)
        }
        return try await events.report(counts, for: request, aggregates: aggregates)
    }
}
