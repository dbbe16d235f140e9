import Contracts
import JSON
import Storage

/// S6 on the deals side (D5): a student's mark at a lesson or session, inside the inbox's
/// transaction (a redelivery adds nothing).
enum AttendanceLedger {
    /// S6: a student's mark at a lesson or session, on their timeline (and their deal's, when one brought them).
    static func record(_ a: LessonAttendance, _ tx: Transaction, at now: Int64) throws {
        let what = a.lessonID.map { "lesson \($0) of group \(a.groupID ?? 0)" } ?? "session \(a.sessionID ?? 0) of series \(a.seriesID ?? 0)"
        let summary = "\(a.mark.name) at \(what) (\(RFC3339.format(milliseconds: a.startMilliseconds))), marked by \(a.by)"
        try TimelineStore.append(tx, TimelineStore.entry(kind: "attendance", dealID: a.dealID, contactID: a.contactID, summary: summary, at: now))
    }
}
