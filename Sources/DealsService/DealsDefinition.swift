import ServiceKit

extension ServiceDefinition {
    static let dealsContacts = Setting.address("CONTACTS", fallback: "127.0.0.1:7101", "the contacts service, for lead intake")
    static let leadWait = Setting.integer(
        "LEAD_WAIT_MS", fallback: 2000, range: 10...60_000, "how long a lead waits for contacts before it is answered 202 (pending)")
    static let missedCallMinutes = Setting.integer(
        "MISSED_CALL_TASK_MINUTES", fallback: 10, range: 0...10_080, "when a missed call's call-back tasks are due (T5)")
    static let reportOffset = Setting.integer(
        "REPORT_UTC_OFFSET_MINUTES", fallback: 0, range: -720...840, shown: "SWITCHBOARD_TIME_ZONE's offset",
        "the time zone of the lead reports' days, minutes east of UTC (D7); unset: SWITCHBOARD_TIME_ZONE's offset at start")

    /// The deals service: pipelines, deals, leads, tasks, the timeline (DOMAIN.md D1–D9).
    public static let deals = ServiceDefinition(
        service: "deals", prefix: "DEALS", defaultPort: 7102, migrations: DealsSchema.migrations,
        settings: [dealsContacts, leadWait, missedCallMinutes, reportOffset, .timeZone]
    ) { host in
        var api = DealsAPI(
            database: host.database, contacts: try host.client(dealsContacts, serving: "contacts"), logger: host.logger,
            leadInlineTimeout: .milliseconds(try host.environment.int(leadWait)), clock: host.clock,
            missedCallDelaySeconds: Int64(try host.environment.int(missedCallMinutes)) * 60)
        // Issue 26: report days in the business's time zone unless an offset is named.
        let explicit = !(host.environment.values[host.environment.name(of: reportOffset)] ?? "").isEmpty
        let offset = explicit ? try host.environment.int(reportOffset) : try host.environment.timeZone().secondsFromGMT(at: Int64(host.clock.now().timeIntervalSince1970)) / 60
        try await api.useReportCalendar(offsetMinutes: Int64(offset))
        api.events = host.eventErasure
        host.server.register(api)
        api.subscribe(host.inbox)
        api.handleTimers(host.timers)
        host.runInBackground("lead intake", api.leads)
        host.runInBackground("call effects", api.callEffects)
    }
}
