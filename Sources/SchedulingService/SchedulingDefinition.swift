import ContractServices
import FoundationEssentials
import Glibc
import ServiceKit

extension ServiceDefinition {
    static let minimumNotice = Setting.integer(
        "MIN_NOTICE_MINUTES", fallback: 60, range: 0...43_200, "how far ahead a booking must start (an admin's override aside)")
    static let trialStages = Setting.text(
        "TRIAL_STAGES", "the deal stage ids that mean \"trial lesson\" (S4), comma-separated; per pipeline")
    static let schedulingDeals = Setting.text(
        "DEALS", fallback: "127.0.0.1:7102",
        "the deals service: a booking's deal must exist and be one the caller sees (S2, G3); `none` checks nothing (logged at start)")

    /// The scheduling service: resources, appointments, slots, groups and lessons
    /// (DOMAIN.md S1–S5).
    public static let scheduling = ServiceDefinition(
        service: "scheduling", prefix: "SCHEDULING", defaultPort: 7104, migrations: SchedulingSchema.migrations,
        settings: [minimumNotice, trialStages, schedulingDeals]
    ) { host in
        let deals = try host.dealReferences(schedulingDeals, unchecked: "bookings")
        var api = SchedulingAPI(
            database: host.database, clock: host.clock, noticeMinutes: Int64(try host.environment.int(minimumNotice)), deals: deals)
        api.events = host.eventErasure
        host.server.register(api)
        api.handleTimers(host.timers)
        var trial: Set<Int64> = []
        for part in host.environment.string(trialStages).split(separator: ",") {
            guard let id = Int64(part.trimming(.spaces)), id > 0 else {
                throw ConfigurationError(variable: host.environment.name(of: trialStages), problem: "has \"\(part)\"; expected stage ids such as 6,11")
            }
            trial.insert(id)
        }
        api.subscribe(host.inbox, trialStages: trial)
    }
}
