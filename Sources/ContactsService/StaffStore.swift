import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// C4: staff members, their numbers (so telephony can tell internal calls), their
/// supervisor, skills and zone.
public struct StaffStore: Sendable {
    public let database: Database
    let clock: WallClock
    public let phones: PhoneNormalizer

    /// The schema's limit on mobiles: no more than these are normalized however many are sent.
    public static let maxNumbers = 20

    public init(database: Database, phones: PhoneNormalizer, clock: WallClock = .system) {
        self.clock = clock
        self.database = database
        self.phones = phones
    }

    /// Validates and stores a new member; a number that already belongs to someone is
    /// `already_exists`, naming the owner.
    public func create(_ member: StaffMember) async throws -> StaffMember {
        let stored = try clean(member)
        let now = clock.milliseconds
        let id = try await database.write { tx -> Int64 in
            try Self.requireSupervisor(tx, stored.supervisorID, for: nil)
            return try Self.insert(tx, stored, now: now)
        }
        return try await get(id)
    }

    /// A cleaned member's rows (create, and an import's new staff).
    static func insert(_ tx: Transaction, _ stored: StaffMember, now: Int64) throws -> Int64 {
        try tx.run("INSERT INTO staff (first_name, last_name, role, email, supervisor_id, zone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(stored.firstName), .text(stored.lastName), .integer(Int64(stored.role.rawValue)), .text(stored.email),
             SQLValue(stored.supervisorID), .text(stored.zone), .integer(now)])
        let id = tx.lastInsertRowID
        try writeNumbersAndSkills(tx, id: id, stored)
        return id
    }

    /// Issue 26: the member as the edit says, in full; each changed field a line of their
    /// history. A member who left is not edited (failed_precondition).
    public func update(_ edit: StaffEdit) async throws -> StaffMember {
        let stored = try clean(edit.member)
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let before = try Self.load(tx.connection, id: edit.staffID) else { throw RPCError.notFound("staff member \(edit.staffID) does not exist") }
            guard before.deactivatedAtMilliseconds == nil else {
                throw RPCError(.failedPrecondition, "staff member \(edit.staffID) was deactivated and is not edited")
            }
            try Self.requireSupervisor(tx, stored.supervisorID, for: edit.staffID)
            try tx.run("UPDATE staff SET first_name = ?, last_name = ?, role = ?, email = ?, supervisor_id = ?, zone = ? WHERE id = ?",
                [.text(stored.firstName), .text(stored.lastName), .integer(Int64(stored.role.rawValue)), .text(stored.email),
                 SQLValue(stored.supervisorID), .text(stored.zone), .integer(edit.staffID)])
            try tx.run("DELETE FROM staff_numbers WHERE staff_id = ?", [.integer(edit.staffID)])
            try tx.run("DELETE FROM staff_skills WHERE staff_id = ?", [.integer(edit.staffID)])
            try Self.writeNumbersAndSkills(tx, id: edit.staffID, stored)
            let after = try Self.load(tx.connection, id: edit.staffID)!
            try SetupLog.record(
                tx, entity: "staff", id: edit.staffID, by: SetupLog.Author(staffID: edit.actorID, credentialID: edit.credentialID), at: now,
                StaffChange.lines(before, after))
            return after
        }
    }

    /// Issue 26: the member leaves. Their work goes to `handToID`, else their supervisor (an
    /// active member other than them); their numbers are released; the staff they
    /// supervised report to the one taking over; `staff.deactivated` tells the services
    /// holding their work. A second time is failed_precondition.
    public func deactivate(_ request: DeactivateStaffRequest) async throws -> StaffMember {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let member = try Self.load(tx.connection, id: request.staffID) else {
                throw RPCError.notFound("staff member \(request.staffID) does not exist")
            }
            guard member.deactivatedAtMilliseconds == nil else {
                throw RPCError(.failedPrecondition, "staff member \(request.staffID) was deactivated already")
            }
            guard let heir = request.handToID ?? member.supervisorID else {
                throw RPCError.invalidArgument("their work needs someone to go to", details: [
                    FieldViolation(field: "handToId", description: "is required: staff member \(member.id) has no supervisor")])
            }
            let field = request.handToID == nil ? "handToId (their supervisor)" : "handToId"
            guard heir != member.id else {
                throw RPCError.invalidArgument("a member cannot hand their work to themselves", details: [FieldViolation(field: field, description: "is the member who leaves")])
            }
            guard let taker = try Self.load(tx.connection, id: heir), taker.deactivatedAtMilliseconds == nil else {
                throw RPCError.invalidArgument("staff member \(heir) cannot take the work", details: [
                    FieldViolation(field: field, description: "is not an active staff member")])
            }
            let numbers = member.extensions + member.mobiles
            try tx.run("DELETE FROM staff_numbers WHERE staff_id = ?", [.integer(member.id)])
            try tx.run("UPDATE staff SET deactivated_at = ?, handed_to = ? WHERE id = ?", [.integer(now), .integer(taker.id), .integer(member.id)])
            // G6: they cannot sign in to the console any more, nor come back with an old invite.
            try StaffSignIn.forget(tx, staffID: member.id, at: now)
            let reports = try tx.query("SELECT id FROM staff WHERE supervisor_id = ? AND deactivated_at IS NULL AND id != ?",
                                       [.integer(member.id), .integer(taker.id)]) { $0.int64(0) }
            try tx.run("UPDATE staff SET supervisor_id = ? WHERE supervisor_id = ? AND deactivated_at IS NULL AND id != ?",
                       [.integer(taker.id), .integer(member.id), .integer(taker.id)])
            let author = SetupLog.Author(staffID: request.actorID, credentialID: request.credentialID)
            var lines = ["deactivated; their work handed to staff member \(taker.id)"]
            if !numbers.isEmpty { lines.append("numbers released: " + numbers.joined(separator: ", ")) }
            if !reports.isEmpty { lines.append("staff \(reports.map(String.init).joined(separator: ", ")) now report to staff member \(taker.id)") }
            try SetupLog.record(tx, entity: "staff", id: member.id, by: author, at: now, lines)
            for report in reports {
                try SetupLog.record(tx, entity: "staff", id: report, by: author, at: now, ["supervisor \(member.id) → \(taker.id) (\(member.id) left)"])
            }
            var event = StaffDeactivated()
            event.staffID = member.id
            event.handToID = taker.id
            event.atMilliseconds = now
            event.actorID = request.actorID
            try tx.appendEvent(type: Contacts.Event.staffDeactivated, aggregateID: "staff-\(member.id)", payload: event.wireBytes())
            return try Self.load(tx.connection, id: member.id)!
        }
    }

    /// The member's changes (issue 26), when they exist.
    public func history(_ id: Int64) async throws -> SetupHistory {
        try await database.read { c in
            guard try Self.exists(c, id) else { throw RPCError.notFound("staff member \(id) does not exist") }
            return try SetupLog.history(c, entity: "staff", id: id)
        }
    }

    /// The member as stored: the schema's limits on each field (names, role, extensions,
    /// counts), real numbers (E.164) and a real email; every violation at once.
    func clean(_ member: StaffMember) throws -> StaffMember {
        var violations = member.violations()
        let refused = Set(violations.map(\.field))
        var mobiles: [String] = []
        for (i, raw) in member.mobiles.prefix(Self.maxNumbers).enumerated() where !refused.contains("mobiles[\(i)]") {
            switch phones.normalize(raw) {
            case let .success(phone): mobiles.append(phone.number)
            case let .failure(failure): violations.append(FieldViolation(field: "mobiles[\(i)]", description: "\"\(raw)\" \(failure.reason)"))
            }
        }
        if !member.email.isEmpty, !refused.contains("email"), case let .failure(failure) = EmailNormalizer.normalize(member.email) {
            violations.append(FieldViolation(field: "email", description: "\"\(member.email)\" \(failure.reason)"))
        }
        guard violations.isEmpty else {
            throw RPCError.invalidArgument("the staff member has \(violations.count) invalid field(s)", details: violations)
        }
        var clean = member
        clean.firstName = member.firstName.trimming(.spaces)
        clean.lastName = member.lastName.trimming(.spaces)
        clean.email = (try? EmailNormalizer.normalize(member.email).get()) ?? ""
        clean.mobiles = mobiles
        return clean
    }

    /// A supervisor must be an active member, and not the member themselves.
    static func requireSupervisor(_ tx: Transaction, _ supervisor: Int64?, for member: Int64?) throws {
        guard let supervisor else { return }
        let active = try tx.queryFirst("SELECT deactivated_at IS NULL FROM staff WHERE id = ?", [.integer(supervisor)]) { $0.bool(0) }
        guard active == true, supervisor != member else {
            throw RPCError.invalidArgument("supervisor \(supervisor) cannot supervise", details: [
                FieldViolation(field: "supervisorId", description: supervisor == member ? "is the member themselves" : "is not an active staff member")])
        }
        // Issue 26: an edit cannot close a loop (the member above their own supervisor).
        guard let member else { return }
        var above: Int64? = supervisor
        var seen = Set<Int64>()
        while let current = above, seen.insert(current).inserted {
            guard current != member else {
                throw RPCError.invalidArgument("supervisor \(supervisor) reports to staff member \(member)", details: [
                    FieldViolation(field: "supervisorId", description: "reports to this member, directly or not: a loop")])
            }
            above = try tx.queryFirst("SELECT supervisor_id FROM staff WHERE id = ?", [.integer(current)]) { $0.optionalInt64(0) } ?? nil
        }
    }

    static func writeNumbersAndSkills(_ tx: Transaction, id: Int64, _ stored: StaffMember) throws {
        let numbers = stored.extensions.map { ($0, "extension") } + stored.mobiles.map { ($0, "mobile") }
        for (i, (number, kind)) in numbers.enumerated() {
            if let owner = try tx.queryFirst("SELECT staff_id FROM staff_numbers WHERE number = ?", [.text(number)], { $0.int64(0) }) {
                throw RPCError(.alreadyExists, "number \(number) already belongs to staff member \(owner)")
            }
            try tx.run("INSERT INTO staff_numbers (staff_id, number, kind, position) VALUES (?, ?, ?, ?)",
                [.integer(id), .text(number), .text(kind), .integer(Int64(i))])
        }
        for skill in Set(stored.skills.map { $0.trimming(.spaces).lowercased() }) where !skill.isEmpty {
            try tx.run("INSERT INTO staff_skills (staff_id, skill) VALUES (?, ?)", [.integer(id), .text(skill)])
        }
    }

    public func get(_ id: Int64) async throws -> StaffMember {
        guard let member = try await database.read({ try Self.load($0, id: id) }) else {
            throw RPCError.notFound("staff member \(id) does not exist")
        }
        return member
    }

    /// A page of staff by id (G1: every list is paged).
    public func page(_ request: ListStaffRequest) async throws -> StaffList {
        let page = try PageRequest(size: request.pageSize, cursor: request.cursor, default: 100, maximum: 500)
        let role = request.role
        // G6: sign-in finds a person by email, matched the way it was stored; one that
        // does not read as an address matches nobody.
        let email: String? = request.email.isEmpty ? nil : ((try? EmailNormalizer.normalize(request.email).get()) ?? "\u{0}")
        let found = try await database.read { connection in
            var sql = "SELECT id FROM staff WHERE id > ?"
            var values: [SQLValue] = [.integer(page.afterID)]
            if role != .unspecified {
                sql += " AND role = ?"
                values.append(.integer(Int64(role.rawValue)))
            }
            if let email {
                sql += " AND email = ?"
                values.append(.text(email))
            }
            let ids = try connection.query(sql + " ORDER BY id LIMIT ?", values + [.integer(Int64(page.limit + 1))]) { $0.int64(0) }
            return try ids.compactMap { try Self.load(connection, id: $0) }
        }
        var list = StaffList()
        (list.members, list.nextCursor) = page.page(found, id: \.id)
        return list
    }

    /// Whether `id` names a staff member, in `tx` (responsible and assignee checks, C4).
    static func exists(_ c: Connection, _ id: Int64) throws -> Bool {
        try c.queryFirst("SELECT 1 FROM staff WHERE id = ?", [.integer(id)], { _ in true }) != nil
    }

    /// Everyone, for the org chart (G3 teams); never sent as one answer.
    public func list(role: StaffRole) async throws -> [StaffMember] {
        try await database.read { connection in
            let ids = role == .unspecified
                ? try connection.query("SELECT id FROM staff ORDER BY id") { $0.int64(0) }
                : try connection.query("SELECT id FROM staff WHERE role = ? ORDER BY id", [.integer(Int64(role.rawValue))]) { $0.int64(0) }
            return try ids.compactMap { try Self.load(connection, id: $0) }
        }
    }

    /// The member owning `number`: an extension as typed, or any phone format of a mobile.
    public func find(byNumber raw: String) async throws -> StaffMember {
        let trimmed = raw.trimming(.spaces)
        var candidates = [trimmed]
        if case let .success(phone) = phones.normalize(trimmed) { candidates.append(phone.number) }
        let keys = candidates
        let found = try await database.read { connection -> StaffMember? in
            for key in keys {
                if let id = try connection.queryFirst("SELECT staff_id FROM staff_numbers WHERE number = ?", [.text(key)], { $0.int64(0) }) {
                    return try Self.load(connection, id: id)
                }
            }
            return nil
        }
        guard let found else { throw RPCError.notFound("no staff member has the number \(trimmed)") }
        return found
    }

    static func load(_ connection: Connection, id: Int64) throws -> StaffMember? {
        guard var member = try connection.queryFirst(
            "SELECT id, first_name, last_name, role, email, supervisor_id, zone, deactivated_at, handed_to FROM staff WHERE id = ?", [.integer(id)],
            { row -> StaffMember in
                var m = StaffMember()
                m.id = row.int64("id")
                m.firstName = row.string("first_name")
                m.lastName = row.string("last_name")
                m.role = StaffRole(rawValue: row.int("role")) ?? .unspecified
                m.email = row.string("email")
                m.supervisorID = row.optionalInt64("supervisor_id")
                m.zone = row.string("zone")
                m.deactivatedAtMilliseconds = row.optionalInt64("deactivated_at")
                m.handedToID = row.optionalInt64("handed_to")
                return m
            })
        else { return nil }
        let numbers = try connection.query("SELECT number, kind FROM staff_numbers WHERE staff_id = ? ORDER BY position", [.integer(id)]) {
            ($0.string(0), $0.string(1))
        }
        member.extensions = numbers.filter { $0.1 == "extension" }.map(\.0)
        member.mobiles = numbers.filter { $0.1 == "mobile" }.map(\.0)
        member.skills = try connection.query("SELECT skill FROM staff_skills WHERE staff_id = ? ORDER BY skill", [.integer(id)]) { $0.string(0) }
        return member
    }
}
