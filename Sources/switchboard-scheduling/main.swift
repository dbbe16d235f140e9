// The scheduling service: resources, appointments and slots (DOMAIN.md S1–S2).
// Configuration: SCHEDULING_HOST, SCHEDULING_PORT (7104), SCHEDULING_ADMIN_PORT,
// SCHEDULING_DATA_DIR (./data/scheduling), SCHEDULING_GRACE_SECONDS,
// SCHEDULING_SUBSCRIBERS (deals takes appointment.booked, .moved, .cancelled for the
// timeline), SCHEDULING_MIN_NOTICE_MINUTES (60): how far ahead a booking must start.
import SchedulingService
import ServiceKit

ServiceHost.run(service: "scheduling", prefix: "SCHEDULING", defaultPort: 7104, migrations: SchedulingSchema.migrations) { host in
    let notice = try host.environment.int("MIN_NOTICE_MINUTES", default: 60, range: 0...43_200)
    let api = SchedulingAPI(database: host.database, clock: host.clock, noticeMinutes: Int64(notice))
    host.server.register(api)
    api.handleTimers(host.timers)
}
