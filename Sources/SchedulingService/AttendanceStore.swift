import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// S6: attendance per lesson (of a group's enrolled students) and per session (of a
/// series' participants). A mark replaces the earlier one; each change is an
/// attendance.recorded event, committed with it.
public struct AttendanceStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// How long before its start a lesson's or session's roll may be taken (students arrive).
    static let rollEarly: Int64 = 3_600_000

    /// S6: attendance is for what has begun (an hour's grace for the roll): a mark on a
    /// lesson weeks ahead would count it as held in economics and balances (B4, B5).
    static func requireStarted(_ what: String, start: Int64, now: Int64) throws {
        guard start - rollEarly <= now else {
            throw RPCError(.failedPrecondition, "\(what) has not started: attendance is taken from an hour before it begins")
        }
    }

    public func record(_ input: LessonAttendance) async throws -> LessonAttendance {
        guard input.mark != .unspecified else {
            throw RPCError.invalidArgument("say present, absent or excused", details: [FieldViolation(field: "mark", description: "is missing")])
        }
        let now = clock.milliseconds
        return try await database.write { tx in
            var record = input
            record.by = input.markedBy
            record.markedBy = ""
            record.atMilliseconds = now
            let item: (kind: String, id: Int64)
            if let lesson = input.lessonID {
                guard let (groupID, start, cancelled) = try tx.queryFirst(
                    "SELECT group_id, start_at, cancelled FROM lessons WHERE id = ?", [.integer(lesson)], { ($0.int64(0), $0.int64(1), $0.bool(2)) })
                else { throw RPCError.notFound("lesson \(lesson) does not exist") }
                guard !cancelled else { throw RPCError(.failedPrecondition, "lesson \(lesson) was cancelled") }
                try Self.requireStarted("lesson \(lesson)", start: start, now: now)
                guard let e = try tx.queryFirst("SELECT enrolment FROM enrolments WHERE group_id = ? AND contact_id = ?", [.integer(groupID), .integer(input.contactID)], {
                    try Enrolment(wireBytes: $0.blob(0))
                }), e.status == .trial || e.status == .active else {
                    throw RPCError.invalidArgument("contact \(input.contactID) is not a student of this group", details: [FieldViolation(field: "contactId", description: "is not enrolled")])
                }
                (record.groupID, record.startMilliseconds, record.dealID) = (groupID, start, e.dealID)
                item = ("lesson", lesson)
            } else if let session = input.sessionID {
                guard let (seriesID, start, cancelled) = try tx.queryFirst(
                    "SELECT series_id, start_at, cancelled FROM sessions WHERE id = ?", [.integer(session)], { ($0.int64(0), $0.int64(1), $0.bool(2)) })
                else { throw RPCError.notFound("session \(session) does not exist") }
                guard !cancelled else { throw RPCError(.failedPrecondition, "session \(session) was cancelled") }
                try Self.requireStarted("session \(session)", start: start, now: now)
                guard try tx.queryFirst("SELECT 1 FROM participants WHERE series_id = ? AND contact_id = ?", [.integer(seriesID), .integer(input.contactID)], { $0.int(0) }) != nil else {
                    throw RPCError.invalidArgument("contact \(input.contactID) is not a participant of this series", details: [FieldViolation(field: "contactId", description: "is not enrolled")])
                }
                (record.seriesID, record.startMilliseconds) = (seriesID, start)
                item = ("session", session)
            } else {
                throw RPCError.invalidArgument("name a lesson or a session")
            }
            if let earlier = try tx.queryFirst(
                "SELECT record FROM attendance WHERE kind = ? AND item_id = ? AND contact_id = ?", [.text(item.kind), .integer(item.id), .integer(input.contactID)],
                { try LessonAttendance(wireBytes: $0.blob(0)) }), earlier.mark == input.mark
            {
                return earlier
            }
            try tx.run(
                "INSERT INTO attendance (kind, item_id, contact_id, record) VALUES (?, ?, ?, ?) ON CONFLICT (kind, item_id, contact_id) DO UPDATE SET record = excluded.record",
                [.text(item.kind), .integer(item.id), .integer(input.contactID), .blob(record.wireBytes())])
            try tx.appendEvent(type: Scheduling.Event.attendanceRecorded, aggregateID: "contact-\(input.contactID)", payload: record.wireBytes())
            return record
        }
    }
}
