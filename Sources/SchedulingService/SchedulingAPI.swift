import ContractServices
import Contracts
import RPC
import ServiceKit
import Storage
import Wire

/// The scheduling service's RPC face (S1, S2): thin handlers over the stores.
public struct SchedulingAPI: Scheduling.ServiceProtocol {
    public let resources: ResourceStore
    public let appointments: AppointmentStore
    public let calendars: CalendarStore
    public let series: SeriesStore
    public let groups: GroupStore
    public let attendance: AttendanceStore
    /// Whether a booked appointment's deal exists for the caller; nil checks nothing (a
    /// deployment that says so, the benchmarks).
    public let deals: DealReferences?

    /// C8: the events it keeps, for a person's erasure (the host's; none in unit tests).
    public var events = EventErasure.none

    public init(database: Database, clock: WallClock, noticeMinutes: Int64 = 60, deals: DealReferences? = nil) {
        self.deals = deals
        resources = ResourceStore(database: database, clock: clock)
        appointments = AppointmentStore(database: database, clock: clock, noticeMinutes: noticeMinutes)
        calendars = CalendarStore(database: database, clock: clock)
        series = SeriesStore(database: database, clock: clock)
        groups = GroupStore(database: database, clock: clock)
        attendance = AttendanceStore(database: database, clock: clock)
    }

    /// S4: deals' stage changes: a trial stage enrols the deal's contact in its group, won
    /// makes them active, lost takes them out (`trialStages`: the stage ids that mean a trial lesson).
    public func contactSchedule(_ request: ContactScheduleRequest, context _: ServerContext) async throws -> ContactSchedule {
        try await ContactScheduleReader(database: appointments.database).read(contactID: request.contactID)
    }

    public func erasePerson(_ request: ErasePersonRequest, context _: ServerContext) async throws -> ErasureReport {
        try await AppointmentErasure(database: appointments.database, events: events).erase(request)
    }

    public func subscribe(_ inbox: EventInbox, trialStages: Set<Int64>) {
        for type in [Deals.Event.stageChanged, Deals.Event.won, Deals.Event.lost] {
            inbox.on(type) { event, tx in
                try GroupStore.dealChanged(try DealStageChanged(wireBytes: event.payload), type: type, trialStages: trialStages, tx, now: event.occurredAtMilliseconds)
            }
        }
    }

    /// S5: reminders that come due.
    public func handleTimers(_ timers: TimerRunner) {
        timers.on(SeriesStore.reminderTimer) { timer, tx in try SeriesStore.fire(timer, tx) }
    }

    public func createResource(_ request: Resource, context _: ServerContext) async throws -> Resource {
        try await resources.create(request)
    }

    public func getResource(_ request: GetResourceRequest, context _: ServerContext) async throws -> Resource {
        try await resources.get(request.id)
    }

    public func updateResource(_ request: Resource, context: ServerContext) async throws -> Resource {
        try await resources.update(request, by: SetupLog.Author(staffID: context.principal?.staffID, credentialID: context.principal?.credentialID))
    }

    public func archiveResource(_ request: ArchiveResourceRequest, context: ServerContext) async throws -> ResourceArchive {
        try await resources.archive(request.resourceID, by: SetupLog.Author(staffID: context.principal?.staffID, credentialID: context.principal?.credentialID))
    }

    public func resourceHistory(_ request: SetupHistoryRequest, context _: ServerContext) async throws -> SetupHistory {
        try await resources.history(request.id)
    }

    public func listResources(_ request: ListResourcesRequest, context _: ServerContext) async throws -> ResourceList {
        try await resources.list(request)
    }

    public func findSlots(_ request: SlotRequest, context _: ServerContext) async throws -> SlotList {
        try await appointments.findSlots(request)
    }

    public func book(_ request: Appointment, context: ServerContext) async throws -> BookingResult {
        try await deals?.requireVisible(request.dealID, context)
        return try await appointments.book(request, overrideReason: request.overrideAs)
    }

    public func getAppointment(_ request: GetAppointmentRequest, context: ServerContext) async throws -> Appointment {
        try await visible(try await appointments.get(request.id), context)
    }

    public func moveAppointment(_ request: MoveRequest, context: ServerContext) async throws -> BookingResult {
        _ = try await visible(try await appointments.get(request.id), context)
        return try await appointments.move(request)
    }

    public func dealAppointments(_ request: GetDealAppointmentsRequest, context: ServerContext) async throws -> AppointmentList {
        if let deals, restriction(context) != nil, !(try await deals.isVisible(request.dealID, context)) { return AppointmentList() }
        return AppointmentList(appointments: try await appointments.of(deal: request.dealID))
    }

    /// G6: the engineer or teacher who is one of its resources marks it too, whoever's the
    /// deal (their day lists it, S3); anyone else restricted needs to see the deal.
    public func completeAppointment(_ request: CompleteAppointmentRequest, context: ServerContext) async throws -> Appointment {
        let appointment = try await appointments.get(request.id)
        if !(try await isOwnStop(appointment, context)) { _ = try await visible(appointment, context) }
        return try await appointments.complete(request)
    }

    /// Whether the principal is one of the appointment's resources (an engineer's own stop).
    private func isOwnStop(_ appointment: Appointment, _ context: ServerContext) async throws -> Bool {
        guard let staff = context.principal?.staffID else { return false }
        for id in appointment.resourceIDs where try await resources.get(id).staffID == staff { return true }
        return false
    }

    public func cancelAppointment(_ request: CancelRequest, context: ServerContext) async throws -> Appointment {
        _ = try await visible(try await appointments.get(request.id), context)
        return try await appointments.cancel(request)
    }

    /// G3 in scheduling itself: an appointment of a deal a restricted principal does not see
    /// answers not_found, as if it did not exist (deals is asked; nobody else is restricted).
    private func visible(_ appointment: Appointment, _ context: ServerContext) async throws -> Appointment {
        guard let deals, restriction(context) != nil else { return appointment }
        guard try await deals.isVisible(appointment.dealID, context) else { throw RPCError.notFound("appointment \(appointment.id) does not exist") }
        return appointment
    }

    /// The principal's visibility when it is restricted; nil for everyone who sees everything.
    private func restriction(_ context: ServerContext) -> Visibility? {
        guard let visibility = context.principal?.visibility, visibility.restricted else { return nil }
        return visibility
    }

    /// The deals among the appointments' that a restricted principal sees (all of them for
    /// others, and when the deployment checks no deals).
    private func visibleDeals(_ list: [Appointment], _ context: ServerContext) async throws -> Set<Int64>? {
        guard let deals, restriction(context) != nil else { return nil }
        return try await deals.visible(list.map(\.dealID), context)
    }

    /// S3, G3: a restricted person sees the calendars of resources that are theirs or their
    /// team's (another's answers not_found); a teammate's resource may hold appointments of
    /// deals they may not see (another team's client), which show only as busy time, with
    /// no deal, address or notes.
    public func calendar(_ request: CalendarRequest, context: ServerContext) async throws -> ResourceCalendar {
        if let visibility = restriction(context) {
            let resource = try await resources.get(request.resourceID)
            guard let staff = resource.staffID, visibility.staffIDs.contains(staff) else { throw RPCError.notFound("resource \(request.resourceID) does not exist") }
        }
        var calendar = try await calendars.calendar(request)
        guard let seen = try await visibleDeals(calendar.appointments, context) else { return calendar }
        for hidden in calendar.appointments where !seen.contains(hidden.dealID) {
            calendar.busy.append(BusyBlock(startMilliseconds: hidden.startMilliseconds, endMilliseconds: hidden.endMilliseconds, kind: hidden.kind))
        }
        calendar.appointments.removeAll { !seen.contains($0.dealID) }
        return calendar
    }

    /// S3, G3: a restricted person reads their own or a teammate's day (another's is empty,
    /// as a day without resources is): the stops are the engineer's whoever's deal they serve.
    public func day(_ request: DayRequest, context: ServerContext) async throws -> AppointmentList {
        let list = try await calendars.day(request)
        if let visibility = restriction(context), !visibility.staffIDs.contains(request.staffID) { return AppointmentList() }
        return list
    }

    /// S3, G3: the period's appointments of the deals the principal sees.
    public func appointmentsBetween(_ request: CalendarRequest, context: ServerContext) async throws -> AppointmentList {
        var list = try await calendars.between(request)
        if let seen = try await visibleDeals(list.appointments, context) { list.appointments.removeAll { !seen.contains($0.dealID) } }
        return list
    }

    public func issueFeed(_ request: GetResourceRequest, context _: ServerContext) async throws -> FeedLink {
        try await calendars.issueFeed(request.id)
    }

    public func feed(_ request: FeedRequest, context _: ServerContext) async throws -> FeedText {
        try await calendars.feed(request.token)
    }

    public func createSeries(_ request: Series, context _: ServerContext) async throws -> Series {
        try await series.create(request)
    }

    public func getSeries(_ request: GetSeriesRequest, context _: ServerContext) async throws -> Series {
        try await series.get(request.id)
    }

    public func addSession(_ request: SeriesSession, context _: ServerContext) async throws -> Series {
        try await series.addSession(request)
    }

    public func moveSession(_ request: MoveSessionRequest, context _: ServerContext) async throws -> Series {
        try await series.moveSession(request)
    }

    public func cancelSession(_ request: GetSessionRequest, context _: ServerContext) async throws -> Series {
        try await series.cancelSession(request.id)
    }

    public func enroll(_ request: EnrollRequest, context _: ServerContext) async throws -> Series {
        try await series.enroll(request)
    }

    public func createGroup(_ request: Group, context _: ServerContext) async throws -> GroupResult {
        try await groups.create(request)
    }

    public func getGroup(_ request: GetGroupRequest, context _: ServerContext) async throws -> Group {
        try await groups.get(request.id)
    }

    public func listGroups(_ request: ListGroupsRequest, context _: ServerContext) async throws -> GroupList {
        try await groups.list(request)
    }

    public func moveLesson(_ request: MoveRequest, context _: ServerContext) async throws -> GroupResult {
        try await groups.moveLesson(request)
    }

    public func cancelLesson(_ request: CancelRequest, context _: ServerContext) async throws -> Group {
        try await groups.cancelLesson(request)
    }

    /// S4: an enrolment that names a deal names one that exists, that the caller sees, and
    /// that is the enrolled contact's.
    public func enrol(_ request: EnrolmentRequest, context: ServerContext) async throws -> EnrolmentResult {
        if let id = request.dealID, let deal = try await deals?.requireVisible(id, context), deal.contactID != request.contactID {
            throw RPCError.invalidArgument("deal \(id) is not contact \(request.contactID)'s", details: [FieldViolation(field: "dealId", description: "belongs to another contact")])
        }
        return try await groups.enrol(request)
    }

    public func leave(_ request: EnrolmentRequest, context _: ServerContext) async throws -> Group {
        try await groups.leave(request)
    }

    public func recordAttendance(_ request: LessonAttendance, context _: ServerContext) async throws -> LessonAttendance {
        try await attendance.record(request)
    }
}
