import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// S1: resources, checked when stored (a time zone that exists, hours that end after they
/// start), with their skills and zones indexed for slot search.
public struct ResourceStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// Refuses a resource whose values contradict themselves, naming each field.
    static func check(_ input: Resource) throws {
        var violations: [FieldViolation] = []
        if ZoneRules.named(input.timeZone) == nil {
            violations.append(FieldViolation(field: "timeZone", description: "\"\(input.timeZone)\" is not an IANA time zone (such as Europe/Moscow)"))
        }
        for (i, h) in input.hours.enumerated() where h.fromMinute >= h.toMinute {
            violations.append(FieldViolation(field: "hours[\(i)]", description: "must end after it starts"))
        }
        for (i, o) in input.overrides.enumerated() {
            if CivilDate(parsing: o.date) == nil { violations.append(FieldViolation(field: "overrides[\(i)].date", description: "\"\(o.date)\" is not a date")) }
            for (j, h) in o.hours.enumerated() where h.fromMinute >= h.toMinute {
                violations.append(FieldViolation(field: "overrides[\(i)].hours[\(j)]", description: "must end after it starts"))
            }
        }
        for (i, d) in input.daysOff.enumerated() where CivilDate(parsing: d) == nil {
            violations.append(FieldViolation(field: "daysOff[\(i)]", description: "\"\(d)\" is not a date"))
        }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the resource is not valid", details: Array(violations.prefix(20))) }
    }

    public func create(_ input: Resource) async throws -> Resource {
        try Self.check(input)
        let now = clock.milliseconds
        return try await database.write { tx in
            var r = input
            r.createdAtMilliseconds = now
            r = try Self.table.insert(tx, r)
            try Self.tag(tx, r)
            return r
        }
    }

    /// Its name, staff member, zone, hours, days off, overrides, zones and skills replaced (the
    /// kind stays), each change a line of its history (issue 26). An archived resource is not
    /// edited.
    public func update(_ input: Resource, by author: SetupLog.Author = .init()) async throws -> Resource {
        try Self.check(input)
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let old = try Self.load(tx.connection, input.id) else { throw RPCError.notFound("resource \(input.id) does not exist") }
            guard old.archivedAtMilliseconds == nil else { throw RPCError(.failedPrecondition, "resource \(input.id) is archived") }
            var r = input
            r.kind = old.kind
            r.createdAtMilliseconds = old.createdAtMilliseconds
            r.archivedAtMilliseconds = nil
            try Self.table.update(tx, r)
            try tx.run("DELETE FROM resource_tags WHERE resource_id = ?", [.integer(r.id)])
            try Self.tag(tx, r)
            try SetupLog.record(tx, entity: "resource", id: r.id, by: author, at: now, Self.changes(old, r))
            return r
        }
    }

    /// What an edit changed, in words.
    static func changes(_ old: Resource, _ new: Resource) -> [String] {
        var lines: [String] = []
        if old.name != new.name { lines.append("name \"\(old.name)\" → \"\(new.name)\"") }
        if old.staffID != new.staffID { lines.append("staff member \(old.staffID.map(String.init) ?? "none") → \(new.staffID.map(String.init) ?? "none")") }
        if old.timeZone != new.timeZone { lines.append("time zone \(old.timeZone) → \(new.timeZone)") }
        if old.hours != new.hours { lines.append("working hours changed") }
        if old.daysOff != new.daysOff || old.overrides != new.overrides { lines.append("days off and dated hours changed") }
        if old.zones != new.zones { lines.append("zones \(old.zones.joined(separator: ", ")) → \(new.zones.joined(separator: ", "))") }
        if old.skills != new.skills { lines.append("skills \(old.skills.joined(separator: ", ")) → \(new.skills.joined(separator: ", "))") }
        return lines
    }

    /// Issue 26: no new booking, slot or lesson takes the resource; what it has stays, and
    /// what is still ahead is listed for rebooking (also when it was archived before).
    public func archive(_ id: Int64, by author: SetupLog.Author = .init()) async throws -> ResourceArchive {
        let now = clock.milliseconds
        return try await database.write { tx in
            guard var r = try Self.load(tx.connection, id) else { throw RPCError.notFound("resource \(id) does not exist") }
            if r.archivedAtMilliseconds == nil {
                r.archivedAtMilliseconds = now
                try Self.table.update(tx, r)
                try SetupLog.record(tx, entity: "resource", id: id, by: author, at: now, ["archived"])
            }
            var archive = ResourceArchive(resource: r)
            let ahead = try tx.query(
                "SELECT appointment_id FROM busy WHERE resource_id = ? AND busy_from >= ? ORDER BY busy_from LIMIT 1000", [.integer(id), .integer(now)]
            ) { $0.int64(0) }
            archive.appointments = try ahead.filter { $0 > 0 }.prefix(500).compactMap { try AppointmentStore.table.find(tx.connection, id: $0) }
            archive.lessonIDs = Array(ahead.filter { $0 < 0 }.map { -$0 }.prefix(500))
            return archive
        }
    }

    public func history(_ id: Int64) async throws -> SetupHistory {
        try await database.read { c in
            guard try Self.load(c, id) != nil else { throw RPCError.notFound("resource \(id) does not exist") }
            return try SetupLog.history(c, entity: "resource", id: id)
        }
    }

    static func tag(_ tx: Transaction, _ r: Resource) throws {
        for tag in Set(r.skills.map { "skill:\($0)" } + r.zones.map { "zone:\($0)" }) {
            try tx.run("INSERT INTO resource_tags (tag, resource_id) VALUES (?, ?)", [.text(tag), .integer(r.id)])
        }
    }

    public func get(_ id: Int64) async throws -> Resource {
        guard let r = try await database.read({ c in try Self.load(c, id) }) else { throw RPCError.notFound("resource \(id) does not exist") }
        return r
    }

    /// Resources are kept whole, with what queries filter on copied out (Sources/README.md,
    /// "Storage"); their skills and zones are rows of `resource_tags`.
    static let table = MessageTable<Resource>(
        "resources", body: "resource", id: \.id, setID: { $0.id = $1 },
        columns: [
            .init("kind") { .integer(Int64($0.kind.rawValue)) }, .init("staff_id") { SQLValue($0.staffID) },
            .init("created_at") { .integer($0.createdAtMilliseconds) }, .init("archived_at") { SQLValue($0.archivedAtMilliseconds) },
        ])

    static func load(_ c: Connection, _ id: Int64) throws -> Resource? {
        try table.find(c, id: id)
    }

    /// Resources with the skill and in the zone (either may be empty: any), by id; archived
    /// ones are left out (issue 26: they take no new work; each is still read by id).
    static func matching(_ c: Connection, skill: String, zone: String, staffID: Int64? = nil, after: Int64 = 0, limit: Int = 10_000) throws -> [Resource] {
        var conditions = ["r.id > ?", "r.archived_at IS NULL"]
        var values: [SQLValue] = [.integer(after)]
        if let staffID {
            conditions.append("r.staff_id = ?")
            values.append(.integer(staffID))
        }
        for tag in [skill.isEmpty ? nil : "skill:\(skill)", zone.isEmpty ? nil : "zone:\(zone)"].compactMap({ $0 }) {
            conditions.append("EXISTS (SELECT 1 FROM resource_tags t WHERE t.tag = ? AND t.resource_id = r.id)")
            values.append(.text(tag))
        }
        return try c.query(
            "SELECT \(table.selection("r.")) FROM resources r WHERE \(conditions.joined(separator: " AND ")) ORDER BY r.id LIMIT \(limit)", values, table.message)
    }

    public func list(_ request: ListResourcesRequest) async throws -> ResourceList {
        let limit = request.pageSize == 0 ? 100 : Int(request.pageSize)
        return ResourceList(resources: try await database.read { c in
            try Self.matching(c, skill: request.skill, zone: request.zone, staffID: request.staffID, after: request.afterID ?? 0, limit: limit)
        })
    }
}
