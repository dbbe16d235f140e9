import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// D5: the timeline of deals and contacts: one row per real interaction, read newest
/// first in pages. Writers append inside the transaction of the change they record.
public struct TimelineStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    static func append(_ tx: Transaction, _ entry: TimelineEntry) throws {
        try tx.run(
            "INSERT INTO timeline (at, kind, deal_id, contact_id, summary, actor_id) VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(entry.atMilliseconds), .text(entry.kind), SQLValue(entry.dealID), .integer(entry.contactID),
             .text(entry.summary), SQLValue(entry.actorID)])
    }

    static func entry(kind: String, dealID: Int64?, contactID: Int64, summary: String, actorID: Int64? = nil, at: Int64) -> TimelineEntry {
        var e = TimelineEntry()
        e.kind = kind
        e.dealID = dealID
        e.contactID = contactID
        e.summary = summary
        e.actorID = actorID
        e.atMilliseconds = at
        return e
    }

    /// A deal's or a contact's entries, newest first. A restricted caller sees a deal's
    /// timeline only if it sees the deal, and of a contact's (which the gateway first
    /// checks it may see) the contact's own entries and those of deals it sees (G3).
    public func page(_ request: TimelineRequest) async throws -> Timeline {
        let limit = try PageRequest(size: request.pageSize, default: 50, maximum: 500).limit
        guard (request.dealID == nil) != (request.contactID == nil) else {
            throw RPCError.invalidArgument("give either dealId or contactId")
        }
        let visibility = request.visibility.resolved
        return try await database.read { c in
            var sql = "SELECT t.id, t.at, t.kind, t.deal_id, t.contact_id, t.summary, t.actor_id FROM timeline t LEFT JOIN deals d ON d.id = t.deal_id WHERE "
            var values: [SQLValue] = []
            if let dealID = request.dealID {
                _ = try DealStore.loadVisible(c, id: dealID, visibility)
                sql += "t.deal_id = ?"
                values.append(.integer(dealID))
            } else if let contactID = request.contactID {
                sql += "t.contact_id = ?"
                values.append(.integer(contactID))
                if visibility.restricted {
                    let condition = visibility.sqlCondition("d.responsible_id")
                    sql += " AND (t.deal_id IS NULL OR \(condition.sql))"
                    values += condition.values.map { .integer($0) }
                }
            }
            if let before = request.beforeID {
                // Entries after `before` in the (time, id) order: late-arriving events
                // with an earlier time still land in their place.
                guard let at = try c.queryFirst("SELECT at FROM timeline WHERE id = ?", [.integer(before)], { $0.int64(0) }) else {
                    throw RPCError.invalidArgument(
                        "before \(before) is not a timeline entry", details: [FieldViolation(field: "before", description: "names no timeline entry")])
                }
                sql += " AND (t.at < ? OR (t.at = ? AND t.id < ?))"
                values += [.integer(at), .integer(at), .integer(before)]
            }
            sql += " ORDER BY t.at DESC, t.id DESC LIMIT ?"
            values.append(.integer(Int64(limit)))
            var timeline = Timeline()
            timeline.entries = try c.query(sql, values) { row in
                TimelineEntry(
                    id: row.int64("id"), atMilliseconds: row.int64("at"), kind: row.string("kind"), dealID: row.optionalInt64("deal_id"),
                    contactID: row.int64("contact_id"), summary: row.string("summary"), actorID: row.optionalInt64("actor_id"))
            }
            if timeline.entries.count == limit { timeline.nextBeforeID = timeline.entries.last?.id }
            return timeline
        }
    }
}
