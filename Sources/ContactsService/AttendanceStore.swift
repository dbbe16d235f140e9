import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// C5 records: who had a ticket to which event, with what status, and whether they
/// came. A report is applied in one transaction: its contacts and its records commit
/// together or not at all.
public struct AttendanceStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.clock = clock
        self.database = database
    }

    /// Applies a checked report; a ticket already recorded with the same status and
    /// attendance changes nothing.
    public func record(_ report: AttendanceReport, tickets: [AttendanceReportValidator.Ticket]) async throws -> AttendanceOutcome {
        try await database.write { tx in
            var outcome = AttendanceOutcome()
            let now = clock.milliseconds
            for ticket in tickets {
                let a = ticket.attendee
                let existing = try tx.queryFirst(
                    """
                    SELECT r.contact_id, r.status, r.attended, COALESCE(c.merged_into, r.contact_id) AS live
                    FROM attendance r JOIN contacts c ON c.id = r.contact_id WHERE r.source = ? AND r.order_id = ? AND r.code = ?
                    """, [.text(report.source), .text(a.orderID), .text(a.code)]
                ) { (status: $0.string("status"), attended: $0.int("attended") != 0, contact: $0.int64("live")) }
                if let existing, existing.status == a.status, existing.attended == a.attended {
                    outcome.unchanged += 1
                    outcome.contactIDs.append(existing.contact)
                    continue
                }
                let contactID: Int64
                if let existing {
                    contactID = existing.contact
                } else {
                    // 003's policy: the same email is the same person only with the same name.
                    let match = try ContactStore.matchOrCreate(in: tx, ticket.draft, requireNameMatch: true, visibility: Visibility(), now: now)
                    if match.created { outcome.contactsCreated += 1 }
                    contactID = match.contact.id
                }
                try tx.run(
                    """
                    INSERT INTO attendance (contact_id, source, event_id, event_title, event_starts_at, order_id, code, status, attended, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source, order_id, code) DO UPDATE SET status = excluded.status, attended = excluded.attended,
                        event_title = excluded.event_title, event_starts_at = excluded.event_starts_at, recorded_at = excluded.recorded_at
                    """,
                    [.integer(contactID), .text(report.source), .text(report.eventID), .text(report.eventTitle),
                     report.eventStartsAtMilliseconds.map { .integer($0) } ?? .null, .text(a.orderID), .text(a.code), .text(a.status),
                     .integer(a.attended ? 1 : 0), .integer(now)])
                outcome.recorded += 1
                outcome.contactIDs.append(contactID)
            }
            return outcome
        }
    }

    /// A contact's records, newest event first.
    public func list(contactID: Int64) async throws -> [Attendance] {
        try await database.read { c in
            try c.query(
                """
                SELECT contact_id, source, event_id, event_title, event_starts_at, order_id, code, status, attended, recorded_at
                FROM attendance WHERE contact_id = ? ORDER BY COALESCE(event_starts_at, recorded_at) DESC, id DESC LIMIT 1000
                """, [.integer(contactID)]
            ) { row in
                Attendance(
                    contactID: row.int64("contact_id"), source: row.string("source"), eventID: row.string("event_id"),
                    eventTitle: row.string("event_title"), eventStartsAtMilliseconds: row.optionalInt64("event_starts_at"),
                    orderID: row.string("order_id"), code: row.string("code"), status: row.string("status"),
                    attended: row.int("attended") != 0, recordedAtMilliseconds: row.int64("recorded_at"))
            }
        }
    }
}
