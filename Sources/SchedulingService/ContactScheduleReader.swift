import Contracts
import Storage
import Wire

/// C8: what scheduling holds about one person, for their export: the groups they are or
/// were in, the series they joined, and every attendance mark, each at most ``limit``.
struct ContactScheduleReader: Sendable {
    static let limit: Int64 = 10_000
    let database: Database

    func read(contactID: Int64) async throws -> ContactSchedule {
        try await database.read { c in
            let id = SQLValue.integer(contactID), limit = SQLValue.integer(Self.limit)
            var schedule = ContactSchedule()
            schedule.enrolments = try c.query(
                "SELECT e.group_id, g.name, e.enrolment FROM enrolments e JOIN groups g ON g.id = e.group_id WHERE e.contact_id = ? ORDER BY e.since LIMIT ?",
                [id, limit]) { GroupEnrolment(groupID: $0.int64(0), groupName: $0.string(1), enrolment: try Enrolment(wireBytes: $0.blob(2))) }
            schedule.series = try c.query(
                "SELECT p.series_id, s.name, p.joined_at FROM participants p JOIN series s ON s.id = p.series_id WHERE p.contact_id = ? ORDER BY p.joined_at LIMIT ?",
                [id, limit]) { SeriesParticipation(seriesID: $0.int64(0), seriesName: $0.string(1), joinedAtMilliseconds: $0.int64(2)) }
            schedule.attendance = try c.query("SELECT record FROM attendance WHERE contact_id = ? LIMIT ?", [id, limit]) {
                try LessonAttendance(wireBytes: $0.blob(0))
            }.sorted { $0.startMilliseconds > $1.startMilliseconds }
            return schedule
        }
    }
}
