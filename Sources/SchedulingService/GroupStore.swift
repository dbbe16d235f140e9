import Contracts
import FoundationEssentials
import Glibc
import JSON
import ServiceKit
import Storage
import Wire

/// S4: school groups. Their weekly lessons are materialised when the group is made, each
/// one holding its teacher's and room's time in `busy` (as appointment id −lesson) so an
/// appointment can never land on a lesson nor a lesson on an appointment; every lesson is
/// checked in the same write. Enrolments keep their history; a full group waitlists.
public struct GroupStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// Every occurrence of the weekly lessons between the dates, in the group's zone.
    public static func occurrences(_ g: Group) -> [WorkingTime.Stretch] {
        guard let zone = ZoneRules.named(g.timeZone), let first = CivilDate(parsing: g.firstDate), let last = CivilDate(parsing: g.lastDate) else { return [] }
        var out: [WorkingTime.Stretch] = []
        var date = first
        while date <= last {
            for w in g.weekly where w.weekday == date.weekday && w.fromMinute < w.toMinute {
                out.append(.init(WorkingTime.instant(date, minute: w.fromMinute, zone), WorkingTime.instant(date, minute: w.toMinute, zone)))
            }
            date = CivilDate(day: date.day + 1)
        }
        return out.sorted { $0.start < $1.start }
    }

    public func create(_ input: Group) async throws -> GroupResult {
        var v: [FieldViolation] = []
        if ZoneRules.named(input.timeZone) == nil { v.append(FieldViolation(field: "timeZone", description: "\"\(input.timeZone)\" is not an IANA time zone")) }
        let first = CivilDate(parsing: input.firstDate), last = CivilDate(parsing: input.lastDate)
        if first == nil { v.append(FieldViolation(field: "firstDate", description: "is not a date")) }
        if last == nil { v.append(FieldViolation(field: "lastDate", description: "is not a date")) }
        if let first, let last, last < first || last.day - first.day > 366 {
            v.append(FieldViolation(field: "lastDate", description: "must be on or after firstDate, at most a year later"))
        }
        // G1: lessons within the horizon (a year and a day from today).
        if let first, let problem = Horizon.tooFarAhead(first.day * 86_400_000, now: clock.milliseconds) {
            v.append(FieldViolation(field: "firstDate", description: problem))
        }
        if input.weekly.isEmpty { v.append(FieldViolation(field: "weekly", description: "name at least one weekly lesson")) }
        for (i, w) in input.weekly.enumerated() where w.fromMinute >= w.toMinute { v.append(FieldViolation(field: "weekly[\(i)]", description: "must end after it starts")) }
        guard v.isEmpty else { throw RPCError.invalidArgument("the group is not valid", details: v) }
        return try await database.write { tx in
            let c = tx.connection
            for (field, id) in [("teacherId", Optional(input.teacherID)), ("roomId", input.roomID)] {
                guard let id else { continue }
                guard let resource = try ResourceStore.load(c, id) else {
                    throw RPCError.invalidArgument("resource \(id) does not exist", details: [FieldViolation(field: field, description: "is unknown")])
                }
                guard resource.archivedAtMilliseconds == nil else {
                    throw RPCError.invalidArgument("resource \(id) is archived", details: [FieldViolation(field: field, description: "is archived: it takes no new lessons")])
                }
            }
            guard try c.queryFirst("SELECT 1 FROM groups WHERE name = ?", [.text(input.name)], { $0.int(0) }) == nil else {
                throw RPCError(.alreadyExists, "a group is named \"\(input.name)\" already: deals name their group by it")
            }
            let lessons = Self.occurrences(input)
            let clashes = try lessons.flatMap { try Self.clashes(c, $0, input, ignoring: nil) }
            guard clashes.isEmpty else { return GroupResult(created: false, clashes: clashes) }
            var g = input
            g.lessons = []
            g.enrolments = []
            g = try Self.table.insert(tx, g)
            for lesson in lessons {
                try tx.run("INSERT INTO lessons (group_id, start_at, end_at, cancelled, moved) VALUES (?, ?, ?, 0, 0)",
                    [.integer(g.id), .integer(lesson.start), .integer(lesson.end)])
                try Self.hold(tx, lessonID: tx.lastInsertRowID, lesson, g)
            }
            return GroupResult(created: true, group: try Self.load(c, g.id)!)
        }
    }

    static func clashes(_ c: Connection, _ lesson: WorkingTime.Stretch, _ g: Group, ignoring lessonID: Int64?) throws -> [String] {
        var out: [String] = []
        for id in resources(g) {
            if let other = try BusyTime.firstClash(c, resource: id, from: lesson.start, to: lesson.end, ignoring: -(lessonID ?? 0)) {
                // S6: named as the appointment's clash is — the teacher or room, and whose time it is.
                let name = try ResourceStore.load(c, id)?.name ?? "resource \(id)"
                let what: String
                if other < 0, let group = try c.queryFirst(
                    "SELECT g.name FROM lessons l JOIN groups g ON g.id = l.group_id WHERE l.id = ?", [.integer(-other)], { $0.string(0) })
                {
                    what = "a lesson of group \"\(group)\""
                } else {
                    what = other < 0 ? "another lesson" : "an appointment"
                }
                out.append("\(RFC3339.format(milliseconds: lesson.start)): \(name) has \(what) then")
            }
        }
        return out
    }

    /// S4: a group's lessons are changed by an admin (no acting staff member) or by the
    /// staff member who is its teacher; anyone else is refused.
    static func requireTeacher(_ c: Connection, _ g: Group, _ actingStaffID: Int64?) throws {
        guard let actingStaffID else { return }
        let teacher = try c.queryFirst("SELECT staff_id FROM resources WHERE id = ?", [.integer(g.teacherID)]) { $0.optionalInt64(0) } ?? nil
        guard teacher == actingStaffID else {
            throw RPCError(.permissionDenied, "only an admin or the group's teacher may move or cancel its lessons")
        }
    }

    /// The teacher, and the room if the group has one.
    static func resources(_ g: Group) -> [Int64] {
        [g.teacherID] + (g.roomID.map { [$0] } ?? [])
    }

    static func hold(_ tx: Transaction, lessonID: Int64, _ lesson: WorkingTime.Stretch, _ g: Group) throws {
        try BusyTime.hold(tx, holder: -lessonID, resources: resources(g), from: lesson.start, to: lesson.end)
    }

    public func get(_ id: Int64) async throws -> Group {
        guard let g = try await database.read({ c in try Self.load(c, id) }) else { throw RPCError.notFound("group \(id) does not exist") }
        return g
    }

    /// S4 (issue 26 item 7): groups by id, filtered; few enough (a school's hundreds) to
    /// filter their bodies here, a page at a time.
    public func list(_ request: ListGroupsRequest) async throws -> GroupList {
        let limit = Int(request.pageSize == 0 ? 100 : request.pageSize)
        let course = request.course.trimming(.spaces).lowercased()
        let level = request.level.trimming(.spaces).lowercased()
        return try await database.read { c in
            var out = GroupList()
            var after = request.afterID ?? 0
            while out.groups.count < limit {
                // The body does not hold the id (the row does).
                let page = try c.query("SELECT id, grp FROM groups WHERE id > ? ORDER BY id LIMIT 200", [.integer(after)]) { row -> Group in
                    var g = try Group(wireBytes: row.blob(1))
                    g.id = row.int64(0)
                    return g
                }
                guard let last = page.last else { break }
                after = last.id
                for var g in page where out.groups.count < limit {
                    if !course.isEmpty && g.course.lowercased() != course { continue }
                    if !level.isEmpty && g.level.lowercased() != level { continue }
                    if let teacher = request.teacherID, g.teacherID != teacher { continue }
                    g.seatsTaken = try c.queryFirst(
                        "SELECT count(*) FROM enrolments WHERE group_id = ? AND status IN (?, ?)",
                        [.integer(g.id), .integer(Int64(EnrolmentStatus.trial.rawValue)), .integer(Int64(EnrolmentStatus.active.rawValue))]) { $0.int64(0) } ?? 0
                    if request.hasFreeSeats && g.seatsTaken >= g.capacity { continue }
                    g.lessons = []
                    g.enrolments = []
                    out.groups.append(g)
                }
            }
            return out
        }
    }

    public func moveLesson(_ request: MoveRequest) async throws -> GroupResult {
        guard request.endMilliseconds > request.startMilliseconds, request.endMilliseconds - request.startMilliseconds <= 24 * 3_600_000 else {
            throw RPCError.invalidArgument("a lesson ends after it starts, within 24 hours", details: [FieldViolation(field: "end", description: "is not after start")])
        }
        return try await database.write { tx in
            guard let (groupID, cancelled) = try tx.queryFirst("SELECT group_id, cancelled FROM lessons WHERE id = ?", [.integer(request.id)], { ($0.int64(0), $0.bool(1)) }),
                let g = try Self.load(tx.connection, groupID)
            else { throw RPCError.notFound("lesson \(request.id) does not exist") }
            try Self.requireTeacher(tx.connection, g, request.actingStaffID)
            guard !cancelled else { throw RPCError(.failedPrecondition, "lesson \(request.id) is cancelled") }
            let lesson = WorkingTime.Stretch(request.startMilliseconds, request.endMilliseconds)
            let clashes = try Self.clashes(tx.connection, lesson, g, ignoring: request.id)
            guard clashes.isEmpty else { return GroupResult(created: false, group: g, clashes: clashes) }
            try tx.run("UPDATE lessons SET start_at = ?, end_at = ?, moved = 1 WHERE id = ?", [.integer(lesson.start), .integer(lesson.end), .integer(request.id)])
            try Self.hold(tx, lessonID: request.id, lesson, g)
            return GroupResult(created: true, group: try Self.load(tx.connection, groupID)!)
        }
    }

    public func cancelLesson(_ request: CancelRequest) async throws -> Group {
        try await database.write { tx in
            guard let groupID = try tx.queryFirst("SELECT group_id FROM lessons WHERE id = ?", [.integer(request.id)], { $0.int64(0) }),
                let g = try Self.load(tx.connection, groupID)
            else {
                throw RPCError.notFound("lesson \(request.id) does not exist")
            }
            try Self.requireTeacher(tx.connection, g, request.actingStaffID)
            try tx.run("UPDATE lessons SET cancelled = 1 WHERE id = ?", [.integer(request.id)])
            try BusyTime.release(tx, holder: -request.id)
            return try Self.load(tx.connection, groupID)!
        }
    }

    public func enrol(_ request: EnrolmentRequest) async throws -> EnrolmentResult {
        let now = clock.milliseconds
        return try await database.write { tx in try Self.enrol(tx, request, now: now) }
    }

    /// Inside a caller's transaction (deals' stage events too).
    static func enrol(_ tx: Transaction, _ request: EnrolmentRequest, now: Int64) throws -> EnrolmentResult {
        guard let g = try load(tx.connection, request.groupID) else { throw RPCError.notFound("group \(request.groupID) does not exist") }
        let wanted: EnrolmentStatus = request.status == .active ? .active : .trial
        var e = g.enrolments.first { $0.contactID == request.contactID } ?? Enrolment(contactID: request.contactID)
        if e.status == wanted || (e.status == .active && wanted == .trial) { return EnrolmentResult(enrolment: e) }
        let seated = g.enrolments.filter { [.trial, .active].contains($0.status) && $0.contactID != request.contactID }.count
        let status: EnrolmentStatus
        if e.status == .trial || e.status == .active || seated < g.capacity {
            status = wanted
        } else {
            status = .waitlisted
        }
        if status == e.status { return EnrolmentResult(enrolment: e, waitlisted: true, position: try position(tx.connection, g.id, request.contactID)) }
        e.status = status
        if let deal = request.dealID { e.dealID = deal }
        e.history.append(EnrolmentChange(atMilliseconds: now, status: status, why: request.why.isEmpty ? (status == .waitlisted ? "the group was full" : "enrolled") : request.why))
        try save(tx, g.id, e, now: now)
        let waitlisted = status == .waitlisted
        return EnrolmentResult(enrolment: e, waitlisted: waitlisted, position: waitlisted ? try position(tx.connection, g.id, request.contactID) : 0)
    }

    public func leave(_ request: EnrolmentRequest) async throws -> Group {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let g = try Self.load(tx.connection, request.groupID) else { throw RPCError.notFound("group \(request.groupID) does not exist") }
            try Self.leave(tx, g, contactID: request.contactID, why: request.why.isEmpty ? "left" : request.why, now: now)
            return try Self.load(tx.connection, g.id)!
        }
    }

    static func leave(_ tx: Transaction, _ g: Group, contactID: Int64, why: String, now: Int64) throws {
        guard var e = g.enrolments.first(where: { $0.contactID == contactID }) else {
            throw RPCError.notFound("contact \(contactID) is not in group \(g.id)")
        }
        guard e.status != .left else { return }
        let heldASeat = e.status == .trial || e.status == .active
        e.status = .left
        e.history.append(EnrolmentChange(atMilliseconds: now, status: .left, why: why))
        try save(tx, g.id, e, now: now)
        // The seat goes to the first on the waitlist, as a trial.
        guard heldASeat, let next = try tx.queryFirst(
            "SELECT enrolment FROM enrolments WHERE group_id = ? AND status = ? ORDER BY since, contact_id LIMIT 1",
            [.integer(g.id), .integer(Int64(EnrolmentStatus.waitlisted.rawValue))], { try Enrolment(wireBytes: $0.blob(0)) })
        else { return }
        var promoted = next
        promoted.status = .trial
        promoted.history.append(EnrolmentChange(atMilliseconds: now, status: .trial, why: "a seat freed"))
        try save(tx, g.id, promoted, now: now)
    }

    static func save(_ tx: Transaction, _ groupID: Int64, _ e: Enrolment, now: Int64) throws {
        try tx.run(
            """
            INSERT INTO enrolments (group_id, contact_id, status, deal_id, enrolment, since) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (group_id, contact_id) DO UPDATE SET status = excluded.status, deal_id = excluded.deal_id, enrolment = excluded.enrolment, since = excluded.since
            """, [.integer(groupID), .integer(e.contactID), .integer(Int64(e.status.rawValue)), SQLValue(e.dealID), .blob(e.wireBytes()), .integer(now)])
        // Every change of a seat, for billing's group economics and prepayments (B4–B6).
        let name = try tx.queryFirst("SELECT name FROM groups WHERE id = ?", [.integer(groupID)]) { $0.string(0) } ?? ""
        try tx.appendEvent(
            type: Scheduling.Event.enrolmentChanged, aggregateID: "group-\(groupID)",
            payload: EnrolmentChanged(groupID: groupID, groupName: name, enrolment: e, atMilliseconds: now).wireBytes())
    }

    static func position(_ c: Connection, _ groupID: Int64, _ contactID: Int64) throws -> Int64 {
        let line = try c.query(
            "SELECT contact_id FROM enrolments WHERE group_id = ? AND status = ? ORDER BY since, contact_id", [.integer(groupID), .integer(Int64(EnrolmentStatus.waitlisted.rawValue))]
        ) { $0.int64(0) }
        return Int64((line.firstIndex(of: contactID) ?? line.count) + 1)
    }

    /// A group is kept whole but for its lessons and enrolments, which are rows of their
    /// own (Sources/README.md, "Storage"); its name is unique, for deals to name it by.
    static let table = MessageTable<Group>("groups", body: "grp", id: \.id, setID: { $0.id = $1 }, columns: [.init("name") { .text($0.name) }])

    static func load(_ c: Connection, _ id: Int64) throws -> Group? {
        guard var g = try table.find(c, id: id) else { return nil }
        g.lessons = try c.query("SELECT id, start_at, end_at, cancelled, moved FROM lessons WHERE group_id = ? ORDER BY start_at, id", [.integer(id)]) {
            Lesson(id: $0.int64(0), startMilliseconds: $0.int64(1), endMilliseconds: $0.int64(2), cancelled: $0.bool(3), moved: $0.bool(4))
        }
        g.enrolments = try c.query("SELECT enrolment FROM enrolments WHERE group_id = ? ORDER BY contact_id", [.integer(id)]) { try Enrolment(wireBytes: $0.blob(0)) }
        g.seatsTaken = Int64(g.enrolments.filter { $0.status == .trial || $0.status == .active }.count)
        return g
    }

    // MARK: From deals (S4)

    /// A deal reached a trial stage: its contact joins the group the deal names (custom
    /// field `group`) as trial; won makes them active; lost takes them out.
    public static func dealChanged(_ changed: DealStageChanged, type: String, trialStages: Set<Int64>, _ tx: Transaction, now: Int64) throws {
        let deal = changed.deal
        switch type {
        case Deals.Event.stageChanged where trialStages.contains(deal.stageID):
            guard let name = deal.customFields.first(where: { $0.name.lowercased() == "group" })?.value,
                let groupID = try tx.queryFirst("SELECT id FROM groups WHERE name = ?", [.text(name)], { $0.int64(0) })
            else { return }
            _ = try enrol(tx, EnrolmentRequest(groupID: groupID, contactID: deal.contactID, status: .trial, dealID: deal.id, why: "deal \(deal.id) reached the trial stage"), now: now)
        case Deals.Event.won, Deals.Event.lost:
            for (groupID, contactID) in try tx.query("SELECT group_id, contact_id FROM enrolments WHERE deal_id = ?", [.integer(deal.id)], { ($0.int64(0), $0.int64(1)) }) {
                guard let g = try load(tx.connection, groupID) else { continue }
                if type == Deals.Event.won {
                    _ = try enrol(tx, EnrolmentRequest(groupID: groupID, contactID: contactID, status: .active, dealID: deal.id, why: "deal \(deal.id) won"), now: now)
                } else {
                    try leave(tx, g, contactID: contactID, why: "deal \(deal.id) lost" + (deal.lossReason.isEmpty ? "" : ": \(deal.lossReason)"), now: now)
                }
            }
        default:
            return
        }
    }
}
