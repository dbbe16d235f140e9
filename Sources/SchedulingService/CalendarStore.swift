import Contracts
import Digest
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// S3: a resource's period, a staff member's day, and the iCalendar feed behind a secret
/// (kept as its SHA-256; a new one replaces the old).
public struct CalendarStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    public func calendar(_ request: CalendarRequest) async throws -> ResourceCalendar {
        let now = clock.milliseconds
        let from = request.fromMilliseconds ?? CivilDate.floorDivide(now, 86_400_000) * 86_400_000
        let to = request.toMilliseconds ?? from + 7 * 86_400_000
        guard to > from, to - from <= 31 * 86_400_000 else {
            throw RPCError.invalidArgument("a calendar covers at most 31 days, and to after from", details: [FieldViolation(field: "to", description: "is outside from..from+31 days")])
        }
        return try await database.read { c in
            guard let r = try ResourceStore.load(c, request.resourceID) else { throw RPCError.notFound("resource \(request.resourceID) does not exist") }
            let working = WorkingTime.open(r, from: from, to: to).map { Slot(resourceID: r.id, startMilliseconds: $0.start, endMilliseconds: $0.end) }
            // Lessons hold their resources' time as busy rows under −lesson id.
            let lessons = try c.query(
                """
                SELECT l.id, l.start_at, l.end_at, l.moved FROM busy b JOIN lessons l ON l.id = -b.appointment_id
                WHERE b.resource_id = ? AND b.appointment_id < 0 AND b.busy_from < ? AND b.busy_to > ? AND l.cancelled = 0 ORDER BY l.start_at, l.id
                """, [.integer(r.id), .integer(to), .integer(from)]) { Lesson(id: $0.int64(0), startMilliseconds: $0.int64(1), endMilliseconds: $0.int64(2), moved: $0.bool(3)) }
            return ResourceCalendar(
                resourceID: r.id, timeZone: r.timeZone, working: working, appointments: try Self.appointments(c, r.id, from: from, to: to), lessons: lessons)
        }
    }

    /// Appointments of the resource overlapping the period, by start; cancelled ones only with `cancelled`.
    static func appointments(_ c: Connection, _ resource: Int64, from: Int64, to: Int64, cancelled: Bool = false) throws -> [Appointment] {
        let ids = try c.query(
            "SELECT appointment_id FROM appointment_resources WHERE resource_id = ? AND start_at < ? AND end_at > ?",
            [.integer(resource), .integer(to), .integer(from)]) { $0.int64(0) }
        return try ids.compactMap { try AppointmentStore.load(c, $0) }
            .filter { cancelled || $0.status != .cancelled }
            .sorted { ($0.startMilliseconds, $0.id) < ($1.startMilliseconds, $1.id) }
    }

    public func between(_ request: CalendarRequest) async throws -> AppointmentList {
        guard let from = request.fromMilliseconds, let to = request.toMilliseconds, to > from, to - from <= 31 * 86_400_000 else {
            throw RPCError.invalidArgument("a calendar covers at most 31 days, and to after from", details: [FieldViolation(field: "to", description: "is outside from..from+31 days")])
        }
        return try await database.read { c in
            let ids = Set(try c.query("SELECT appointment_id FROM appointment_resources WHERE start_at < ? AND end_at > ? AND start_at > ?",
                [.integer(to), .integer(from), .integer(from - BusyTime.longest)]) { $0.int64(0) })
            let all = try ids.compactMap { try AppointmentStore.load(c, $0) }.filter { $0.status != .cancelled }
            return AppointmentList(appointments: all.sorted { ($0.startMilliseconds, $0.id) < ($1.startMilliseconds, $1.id) })
        }
    }

    public func day(_ request: DayRequest) async throws -> AppointmentList {
        guard let date = CivilDate(parsing: request.date) else {
            throw RPCError.invalidArgument("date must be YYYY-MM-DD", details: [FieldViolation(field: "date", description: "is \"\(request.date)\"")])
        }
        return try await database.read { c in
            let resources = try ResourceStore.table.list(c, where: "staff_id = ?", [.integer(request.staffID)])
            var all: [Appointment] = []
            for r in resources {
                guard let zone = ZoneRules.named(r.timeZone) else { continue }
                let from = WorkingTime.instant(date, minute: 0, zone), to = WorkingTime.instant(date, minute: 1440, zone)
                all += try Self.appointments(c, r.id, from: from, to: to)
            }
            return AppointmentList(appointments: all.sorted { ($0.startMilliseconds, $0.id) < ($1.startMilliseconds, $1.id) })
        }
    }

    public func issueFeed(_ resourceID: Int64) async throws -> FeedLink {
        let token = SecureRandom.hex(24)
        let digest = Self.digest(token)
        try await database.write { tx in
            guard try ResourceStore.load(tx.connection, resourceID) != nil else { throw RPCError.notFound("resource \(resourceID) does not exist") }
            try tx.run(
                "INSERT INTO feeds (resource_id, digest) VALUES (?, ?) ON CONFLICT (resource_id) DO UPDATE SET digest = excluded.digest",
                [.integer(resourceID), .text(digest)])
        }
        return FeedLink(path: "/v1/calendars/\(token).ics")
    }

    /// How a feed's secret is kept: its SHA-256, in hex.
    static func digest(_ token: String) -> String {
        Hex.encode(SHA256.digest(token))
    }

    /// The feed: 30 days back and 90 ahead, cancelled appointments included (so phones drop them).
    public func feed(_ token: String) async throws -> FeedText {
        let digest = Self.digest(token)
        let now = clock.milliseconds
        return try await database.read { c in
            guard let id = try c.queryFirst("SELECT resource_id FROM feeds WHERE digest = ?", [.text(digest)], { $0.int64(0) }),
                let r = try ResourceStore.load(c, id)
            else { throw RPCError.notFound("no calendar has this address") }
            let appointments = try Self.appointments(c, id, from: now - 30 * 86_400_000, to: now + 90 * 86_400_000, cancelled: true)
            return FeedText(text: ICalendar.document(r, appointments, now: now))
        }
    }
}
