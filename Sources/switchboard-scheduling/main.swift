// The scheduling service: resources, appointments and slots (DOMAIN.md S1–S2).
// Configuration: SCHEDULING_HOST, SCHEDULING_PORT (7104), SCHEDULING_ADMIN_PORT,
// SCHEDULING_DATA_DIR (./data/scheduling), SCHEDULING_GRACE_SECONDS,
// SCHEDULING_SUBSCRIBERS (where deals, billing and notifications listen; what each takes
// is Contracts' Topology), SCHEDULING_MIN_NOTICE_MINUTES (60): how far ahead a booking must start,
// SCHEDULING_TRIAL_STAGES (none): the deal stage ids that mean "trial lesson" (S4);
// subscribe it to deals' deal.stage_changed, deal.won and deal.lost.
import SchedulingService
import ServiceKit

ServiceHost.run(service: "scheduling", prefix: "SCHEDULING", defaultPort: 7104, migrations: SchedulingSchema.migrations) { host in
    let notice = try host.environment.int("MIN_NOTICE_MINUTES", default: 60, range: 0...43_200)
    let api = SchedulingAPI(database: host.database, clock: host.clock, noticeMinutes: Int64(notice))
    host.server.register(api)
    api.handleTimers(host.timers)
    // S4: which deal stages are a trial lesson (ids, comma-separated; per pipeline).
    let stages = host.environment.string("TRIAL_STAGES", default: "")
    var trial: Set<Int64> = []
    for part in stages.split(separator: ",") {
        guard let id = Int64(part.trimmingCharacters(in: .whitespaces)), id > 0 else {
            throw ConfigurationError(variable: host.environment.name("TRIAL_STAGES"), problem: "has \"\(part)\"; expected stage ids such as 6,11")
        }
        trial.insert(id)
    }
    api.subscribe(host.inbox, trialStages: trial)
}
