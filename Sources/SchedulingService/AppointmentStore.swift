import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// S2: appointments that are never double-booked. Every path that gives a resource time
/// (a booking, a move) checks the resource's `busy` rows and writes its own in one write
/// transaction, and SQLite has one writer: two bookings cannot both see the time free.
public struct AppointmentStore: Sendable {
    let database: Database
    let clock: WallClock
    /// Bookings start at least this far ahead (an admin's override aside).
    let noticeMilliseconds: Int64

    static let maxSearch: Int64 = 31 * 86_400_000

    public init(database: Database, clock: WallClock, noticeMinutes: Int64 = 60) {
        self.database = database
        self.clock = clock
        self.noticeMilliseconds = noticeMinutes * 60_000
    }

    // MARK: Slots

    public func findSlots(_ request: SlotRequest) async throws -> SlotList {
        let now = clock.milliseconds
        let from = max(request.fromMilliseconds ?? 0, now + noticeMilliseconds)
        let to = request.toMilliseconds ?? from + 14 * 86_400_000
        guard to > from, to - from <= Self.maxSearch else {
            throw RPCError.invalidArgument("search at most 31 days ahead, and to after from", details: [FieldViolation(field: "to", description: "is outside from..from+31 days")])
        }
        let limit = request.limit == 0 ? 10 : Int(request.limit)
        let duration = request.durationMinutes * 60_000
        return try await database.read { c in
            let resources = request.resourceIDs.isEmpty
                ? try ResourceStore.matching(c, skill: request.skill, zone: request.zone)
                : try request.resourceIDs.compactMap { try ResourceStore.load(c, $0) }
            let candidates = try resources.map { r in
                SlotFinder.Candidate(resourceID: r.id, open: WorkingTime.open(r, from: from, to: to), busy: try BusyTime.stretches(c, resource: r.id, from: from, to: to))
            }
            return SlotList(slots: SlotFinder.find(
                candidates, duration: duration, bufferBefore: request.bufferBeforeMinutes * 60_000, bufferAfter: request.bufferAfterMinutes * 60_000,
                from: from, limit: limit))
        }
    }

    // MARK: Booking

    /// `overrideReason`: an admin's booking outside working hours or the notice (never over another appointment).
    public func book(_ input: Appointment, overrideReason: String = "") async throws -> BookingResult {
        try Self.check(input)
        let now = clock.milliseconds
        try Self.checkHorizon(input, now: now)
        let notice = noticeMilliseconds
        return try await database.write { tx in
            let resources = try Self.resources(tx.connection, input.resourceIDs)
            if overrideReason.isEmpty { try Self.checkHours(input, resources, now: now, notice: notice) }
            if let result = try Self.clash(tx.connection, input, resources: resources, ignoring: nil, now: now, notice: notice) { return result }
            var a = input
            a.status = .booked
            a.createdAtMilliseconds = now
            a.override = !overrideReason.isEmpty
            a.overrideReason = overrideReason
            a.overrideAs = ""
            a = try Self.table.insert(tx, a)
            try Self.occupy(tx, a)
            try tx.appendEvent(type: Scheduling.Event.booked, aggregateID: "deal-\(a.dealID)", payload: a.wireBytes())
            return BookingResult(booked: true, appointment: a)
        }
    }

    /// New times, checked as a booking is (its own old time does not count); the old
    /// times go to the history with who moved it and why.
    public func move(_ request: MoveRequest) async throws -> BookingResult {
        let now = clock.milliseconds
        let notice = noticeMilliseconds
        return try await database.write { tx in
            guard var a = try Self.load(tx.connection, request.id) else { throw RPCError.notFound("appointment \(request.id) does not exist") }
            guard a.status == .booked else {
                throw RPCError(.failedPrecondition, "appointment \(a.id) is \(a.status.name): only a booked one can be moved")
            }
            var moved = a
            moved.startMilliseconds = request.startMilliseconds
            moved.endMilliseconds = request.endMilliseconds
            try Self.check(moved)
            try Self.checkHorizon(moved, now: now)
            let resources = try Self.resources(tx.connection, a.resourceIDs)
            if !a.override { try Self.checkHours(moved, resources, now: now, notice: notice) }
            if let result = try Self.clash(tx.connection, moved, resources: resources, ignoring: a.id, now: now, notice: notice) { return result }
            a.history.append(AppointmentChange(
                atMilliseconds: now, by: request.by, fromStartMilliseconds: a.startMilliseconds, fromEndMilliseconds: a.endMilliseconds,
                toStartMilliseconds: moved.startMilliseconds, toEndMilliseconds: moved.endMilliseconds, reason: request.reason))
            a.startMilliseconds = moved.startMilliseconds
            a.endMilliseconds = moved.endMilliseconds
            try Self.occupy(tx, a)
            try Self.save(tx, a)
            try tx.appendEvent(type: Scheduling.Event.moved, aggregateID: "deal-\(a.dealID)", payload: a.wireBytes())
            return BookingResult(booked: true, appointment: a)
        }
    }

    public func cancel(_ request: CancelRequest) async throws -> Appointment {
        try await database.write { tx in
            guard var a = try Self.load(tx.connection, request.id) else { throw RPCError.notFound("appointment \(request.id) does not exist") }
            if a.status == .cancelled { return a }
            guard a.status == .booked else {
                throw RPCError(.failedPrecondition, "appointment \(a.id) is \(a.status.name): only a booked one can be cancelled")
            }
            a.status = .cancelled
            a.cancelReason = request.reason
            try BusyTime.release(tx, holder: a.id)
            try Self.save(tx, a)
            try tx.appendEvent(type: Scheduling.Event.cancelled, aggregateID: "deal-\(a.dealID)", payload: a.wireBytes())
            return a
        }
    }

    /// It happened, or the client was not there: its time stays taken (it was used).
    public func complete(_ request: CompleteAppointmentRequest) async throws -> Appointment {
        guard request.outcome == .done || request.outcome == .noShow else {
            throw RPCError.invalidArgument("say how it went", details: [FieldViolation(field: "outcome", description: "must be done or no_show")])
        }
        return try await database.write { tx in
            guard var a = try Self.load(tx.connection, request.id) else { throw RPCError.notFound("appointment \(request.id) does not exist") }
            if a.status == request.outcome { return a }
            guard a.status == .booked else {
                throw RPCError(.failedPrecondition, "appointment \(a.id) is \(a.status.name): only a booked one is marked \(request.outcome.name)")
            }
            a.status = request.outcome
            let notes = request.notes.trimming(.spacesAndNewlines)
            if !notes.isEmpty { a.notes = a.notes.isEmpty ? notes : a.notes + "\n" + notes }
            try Self.save(tx, a)
            return a
        }
    }

    /// A deal's appointments, every status, by start (at most 1,000: a deal has a handful).
    public func of(deal dealID: Int64) async throws -> [Appointment] {
        try await database.read { c in
            try Self.table.list(c, where: "deal_id = ?", [.integer(dealID)]).sorted { $0.startMilliseconds < $1.startMilliseconds }.prefix(1_000).map { $0 }
        }
    }

    public func get(_ id: Int64) async throws -> Appointment {
        guard let a = try await database.read({ c in try Self.load(c, id) }) else { throw RPCError.notFound("appointment \(id) does not exist") }
        return a
    }

    // MARK: Rules inside the write

    static func check(_ a: Appointment) throws {
        var v: [FieldViolation] = []
        if a.endMilliseconds <= a.startMilliseconds { v.append(FieldViolation(field: "end", description: "must be after start")) }
        if a.endMilliseconds - a.startMilliseconds > 24 * 3_600_000 { v.append(FieldViolation(field: "end", description: "an appointment lasts at most 24 hours")) }
        if a.resourceIDs.isEmpty { v.append(FieldViolation(field: "resourceIds", description: "name at least one resource")) }
        if Set(a.resourceIDs).count != a.resourceIDs.count { v.append(FieldViolation(field: "resourceIds", description: "names a resource twice")) }
        if a.kind == .unspecified { v.append(FieldViolation(field: "kind", description: "must be measurement, installation or custom")) }
        guard v.isEmpty else { throw RPCError.invalidArgument("the appointment is not valid", details: v) }
    }

    static func resources(_ c: Connection, _ ids: [Int64]) throws -> [Resource] {
        try ids.enumerated().map { i, id in
            guard let r = try ResourceStore.load(c, id) else {
                throw RPCError.invalidArgument("resource \(id) does not exist", details: [FieldViolation(field: "resourceIds[\(i)]", description: "is unknown")])
            }
            guard r.archivedAtMilliseconds == nil else {
                throw RPCError.invalidArgument("resource \(id) is archived", details: [FieldViolation(field: "resourceIds[\(i)]", description: "is archived: it takes no new bookings")])
            }
            return r
        }
    }

    /// G1: a booking within the horizon, whoever books it (an admin's override included).
    static func checkHorizon(_ a: Appointment, now: Int64) throws {
        if let problem = Horizon.tooFarAhead(a.startMilliseconds, now: now) {
            throw RPCError.invalidArgument("the booking \(problem)", details: [FieldViolation(field: "start", description: problem)])
        }
    }

    static func checkHours(_ a: Appointment, _ resources: [Resource], now: Int64, notice: Int64) throws {
        guard a.startMilliseconds >= now + notice else {
            throw RPCError.invalidArgument(
                "bookings start at least \(notice / 60_000) minutes ahead", details: [FieldViolation(field: "start", description: "is too soon")])
        }
        let window = WorkingTime.Stretch(a.startMilliseconds, a.endMilliseconds)
        for (i, r) in resources.enumerated() where !SlotFinder.inside(window, WorkingTime.open(r, from: window.start, to: window.end + 1)) {
            // open() cuts stretches at the range: ask around the window.
            let around = WorkingTime.open(r, from: window.start - 86_400_000, to: window.end + 86_400_000)
            guard SlotFinder.inside(window, around) else {
                throw RPCError.invalidArgument(
                    "\(r.name) does not work then (\(r.timeZone))", details: [FieldViolation(field: "resourceIds[\(i)]", description: "is not working at that time")])
            }
        }
    }

    /// nil when every resource is free for the window and its buffers; else the refusal
    /// with the next free slots for the same resources, duration and buffers.
    static func clash(_ c: Connection, _ a: Appointment, resources: [Resource], ignoring: Int64?, now: Int64, notice: Int64) throws -> BookingResult? {
        let from = a.startMilliseconds - a.bufferBeforeMinutes * 60_000
        let to = a.endMilliseconds + a.bufferAfterMinutes * 60_000
        for r in resources {
            guard try BusyTime.firstClash(c, resource: r.id, from: from, to: to, ignoring: ignoring ?? 0) != nil else { continue }
            // The next free times for all of them at once.
            let searchFrom = max(a.startMilliseconds, now + notice)
            let searchTo = searchFrom + 14 * 86_400_000
            let open = SlotFinder.intersect(resources.map { WorkingTime.open($0, from: searchFrom, to: searchTo) })
            let busy = try resources.flatMap { res in try BusyTime.stretches(c, resource: res.id, from: searchFrom, to: searchTo, ignoring: ignoring ?? 0) }
            let alternatives = SlotFinder.find(
                [SlotFinder.Candidate(resourceID: a.resourceIDs[0], open: open, busy: busy)], duration: a.endMilliseconds - a.startMilliseconds,
                bufferBefore: a.bufferBeforeMinutes * 60_000, bufferAfter: a.bufferAfterMinutes * 60_000, from: searchFrom, limit: 5)
            // G3: what holds the time is not named (the caller may not see that deal).
            return BookingResult(booked: false, clash: "\(r.name) is busy then", alternatives: alternatives)
        }
        return nil
    }

    static func occupy(_ tx: Transaction, _ a: Appointment) throws {
        try tx.run("DELETE FROM appointment_resources WHERE appointment_id = ?", [.integer(a.id)])
        for r in a.resourceIDs {
            try tx.run(
                "INSERT INTO appointment_resources (resource_id, start_at, end_at, appointment_id) VALUES (?, ?, ?, ?)",
                [.integer(r), .integer(a.startMilliseconds), .integer(a.endMilliseconds), .integer(a.id)])
        }
        try BusyTime.hold(
            tx, holder: a.id, resources: a.resourceIDs, from: a.startMilliseconds - a.bufferBeforeMinutes * 60_000,
            to: a.endMilliseconds + a.bufferAfterMinutes * 60_000)
    }

    /// Appointments are kept whole, their deal and status copied out (Sources/README.md,
    /// "Storage"); the times they hold are rows of `busy` and `appointment_resources`.
    static let table = MessageTable<Appointment>(
        "appointments", body: "appointment", id: \.id, setID: { $0.id = $1 },
        columns: [
            .init("deal_id") { .integer($0.dealID) }, .init("status") { .integer(Int64($0.status.rawValue)) },
            .init("created_at") { .integer($0.createdAtMilliseconds) },
        ])

    static func save(_ tx: Transaction, _ a: Appointment) throws {
        try table.update(tx, a)
    }

    static func load(_ c: Connection, _ id: Int64) throws -> Appointment? {
        try table.find(c, id: id)
    }
}
