import Contracts
import RPC
import ServiceKit
import Storage
import Wire

/// The scheduling service's RPC face (S1, S2): thin handlers over the stores.
public struct SchedulingAPI: RegistrableRPCService {
    public let resources: ResourceStore
    public let appointments: AppointmentStore
    public let calendars: CalendarStore
    public let series: SeriesStore
    public let groups: GroupStore
    public let attendance: AttendanceStore

    public init(database: Database, clock: WallClock, noticeMinutes: Int64 = 60) {
        resources = ResourceStore(database: database, clock: clock)
        appointments = AppointmentStore(database: database, clock: clock, noticeMinutes: noticeMinutes)
        calendars = CalendarStore(database: database, clock: clock)
        series = SeriesStore(database: database, clock: clock)
        groups = GroupStore(database: database, clock: clock)
        attendance = AttendanceStore(database: database, clock: clock)
    }

    /// S4: deals' stage changes: a trial stage enrols the deal's contact in its group, won
    /// makes them active, lost takes them out (`trialStages`: the stage ids that mean a trial lesson).
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

    public func registerMethods(with server: RPCServer) {
        server.register(Scheduling.createResource) { request, _ in try await resources.create(request) }
        server.register(Scheduling.getResource) { request, _ in try await resources.get(request.id) }
        server.register(Scheduling.updateResource) { request, _ in try await resources.update(request) }
        server.register(Scheduling.listResources) { request, _ in try await resources.list(request) }
        server.register(Scheduling.findSlots) { request, _ in try await appointments.findSlots(request) }
        server.register(Scheduling.book) { request, _ in try await appointments.book(request, overrideReason: request.overrideAs) }
        server.register(Scheduling.getAppointment) { request, _ in try await appointments.get(request.id) }
        server.register(Scheduling.moveAppointment) { request, _ in try await appointments.move(request) }
        server.register(Scheduling.cancelAppointment) { request, _ in try await appointments.cancel(request) }
        server.register(Scheduling.calendar) { request, _ in try await calendars.calendar(request) }
        server.register(Scheduling.day) { request, _ in try await calendars.day(request) }
        server.register(Scheduling.appointmentsBetween) { request, _ in try await calendars.between(request) }
        server.register(Scheduling.issueFeed) { request, _ in try await calendars.issueFeed(request.id) }
        server.register(Scheduling.feed) { request, _ in try await calendars.feed(request.token) }
        server.register(Scheduling.createSeries) { request, _ in try await series.create(request) }
        server.register(Scheduling.getSeries) { request, _ in try await series.get(request.id) }
        server.register(Scheduling.addSession) { request, _ in try await series.addSession(request) }
        server.register(Scheduling.moveSession) { request, _ in try await series.moveSession(request) }
        server.register(Scheduling.cancelSession) { request, _ in try await series.cancelSession(request.id) }
        server.register(Scheduling.enroll) { request, _ in try await series.enroll(request) }
        server.register(Scheduling.createGroup) { request, _ in try await groups.create(request) }
        server.register(Scheduling.getGroup) { request, _ in try await groups.get(request.id) }
        server.register(Scheduling.moveLesson) { request, _ in try await groups.moveLesson(request) }
        server.register(Scheduling.cancelLesson) { request, _ in try await groups.cancelLesson(request) }
        server.register(Scheduling.enrol) { request, _ in try await groups.enrol(request) }
        server.register(Scheduling.leave) { request, _ in try await groups.leave(request) }
        server.register(Scheduling.recordAttendance) { request, _ in try await attendance.record(request) }
        server.setHealth(.serving, for: Scheduling.service)
    }
}
