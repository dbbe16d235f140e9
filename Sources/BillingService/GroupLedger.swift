import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// What billing keeps of other services' facts for B4–B6, from their events: each group's
/// students (from scheduling's enrolment.changed: joined when first a trial or active
/// student, left when they leave), the lessons held and each student's marks (from
/// attendance.recorded: a lesson with attendance recorded was held), and won deals with
/// who won them (deals' deal.won: the manager who sold a student).
public enum GroupLedger {
    public static func enrolmentChanged(_ change: EnrolmentChanged, _ tx: Transaction) throws {
        let e = change.enrolment
        let at = change.atMilliseconds
        let seated = e.status == .trial || e.status == .active
        let existing = try tx.queryFirst("SELECT joined_at, left_at FROM students WHERE group_id = ? AND contact_id = ?",
            [.integer(change.groupID), .integer(e.contactID)]) { ($0.optionalInt64(0), $0.optionalInt64(1)) }
        let joined = seated ? (existing?.0 ?? e.history.first(where: { $0.status == .trial || $0.status == .active })?.atMilliseconds ?? at) : existing?.0
        let left: Int64? = e.status == .left ? (existing?.1 ?? at) : nil
        try tx.run(
            """
            INSERT INTO students (group_id, contact_id, group_name, status, deal_id, joined_at, left_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (group_id, contact_id) DO UPDATE SET group_name = excluded.group_name, status = excluded.status,
                deal_id = COALESCE(excluded.deal_id, students.deal_id), joined_at = excluded.joined_at, left_at = excluded.left_at
            """,
            [.integer(change.groupID), .integer(e.contactID), .text(change.groupName), .integer(Int64(e.status.rawValue)), SQLValue(e.dealID), SQLValue(joined), SQLValue(left)])
    }

    public static func attendanceRecorded(_ a: LessonAttendance, _ tx: Transaction) throws {
        guard let lesson = a.lessonID, let group = a.groupID else { return }
        try tx.run("INSERT OR IGNORE INTO lessons_held (lesson_id, group_id, start_at) VALUES (?, ?, ?)", [.integer(lesson), .integer(group), .integer(a.startMilliseconds)])
        try tx.run(
            "INSERT INTO marks (lesson_id, contact_id, group_id, start_at, mark) VALUES (?, ?, ?, ?, ?) ON CONFLICT (lesson_id, contact_id) DO UPDATE SET mark = excluded.mark",
            [.integer(lesson), .integer(a.contactID), .integer(group), .integer(a.startMilliseconds), .integer(Int64(a.mark.rawValue))])
    }

    public static func dealWon(_ change: DealStageChanged, at: Int64, _ tx: Transaction) throws {
        let d = change.deal
        try tx.run(
            "INSERT INTO won_deals (deal_id, contact_id, responsible_id, won_at) VALUES (?, ?, ?, ?) ON CONFLICT (deal_id) DO UPDATE SET responsible_id = excluded.responsible_id, won_at = excluded.won_at",
            [.integer(d.id), .integer(d.contactID), SQLValue(d.responsibleID), .integer(d.closedAtMilliseconds ?? at)])
    }
}
