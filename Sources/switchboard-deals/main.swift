// The deals service: pipelines, deals, leads, tasks, the timeline (DOMAIN.md D1–D6).
// Configuration: DEALS_HOST, DEALS_PORT (7102), DEALS_ADMIN_PORT, DEALS_DATA_DIR,
// DEALS_GRACE_SECONDS, DEALS_CONTACTS (127.0.0.1:7101): the contacts service for lead
// intake, DEALS_LEAD_WAIT_MS (2000): how long a lead submission waits for contacts
// before it is answered as pending, DEALS_SUBSCRIBERS: where its subscribers listen
// (what each takes is Contracts' Topology), DEALS_MISSED_CALL_TASK_MINUTES (10): when the call-back
// tasks of a missed call are due (T5), DEALS_REPORT_UTC_OFFSET_MINUTES (0): the time
// zone of D7's report days.
import DealsService
import RPC
import ServiceKit

ServiceHost.run(service: "deals", prefix: "DEALS", defaultPort: 7102, migrations: DealsSchema.migrations) { host in
    let address = host.environment.string("CONTACTS", default: "127.0.0.1:7101")
    guard let endpoint = Endpoint(parsing: address) else {
        throw ConfigurationError(variable: host.environment.name("CONTACTS"), problem: "is \"\(address)\"; expected host:port")
    }
    var configuration = RPCClient.Configuration()
    configuration.caller = "deals"
    configuration.backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(2))
    let wait = try host.environment.int("LEAD_WAIT_MS", default: 2000, range: 10...60_000)
    let callBackMinutes = try host.environment.int("MISSED_CALL_TASK_MINUTES", default: 10, range: 0...10_080)
    let api = DealsAPI(
        database: host.database, contacts: RPCClient(endpoint: endpoint, configuration: configuration), logger: host.logger,
        leadInlineTimeout: .milliseconds(wait), clock: host.clock, missedCallDelaySeconds: Int64(callBackMinutes) * 60)
    let offset = try host.environment.int("REPORT_UTC_OFFSET_MINUTES", default: 0, range: -720...840)
    try waitFor { try await api.useReportCalendar(offsetMinutes: Int64(offset)) }
    host.server.register(api)
    api.subscribe(host.inbox)
    api.handleTimers(host.timers)
    host.runInBackground("lead intake", api.leads)
    host.runInBackground("call effects", api.callEffects)
}
