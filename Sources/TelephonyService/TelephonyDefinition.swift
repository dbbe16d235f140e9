import Contracts
import FoundationEssentials
import Glibc
import RPC
import ServiceKit

extension ServiceDefinition {
    static let replica = Setting.text("REPLICA", fallback: "telephony-0", "this replica's name")
    static let replicas = Setting.text(
        "REPLICAS", shown: "its own name",
        """
        every replica's name, comma-separated, the same list on every replica and caller: a number's calls live on the \
        replica that wins its shard (T12)
        """)
    static let shardCount = Setting.integer("SHARDS", fallback: CallShard.defaultCount, range: 1...4096, "logical shards, fixed for a deployment")
    static let window = Setting.integer(
        "WINDOW_SECONDS", fallback: 120, range: 1...3600,
        """
        T1: reports of one client number in one direction that start this close are one call, whatever ids the PBX gave them \
        (each forwarded leg has its own uniqueid at Ringostat); reports with a shared call id are one call whenever they \
        start. A call answered on any leg is answered: a missed leg of it makes no call-back task (T5), and call-backs set \
        before its answered leg was reported are completed by it (T6)
        """)
    static let takeOverFrom = Setting.text(
        "TAKE_OVER_FROM", "for a replica added to the list, the replicas to take its shards from: `name=host:port,...` (T12)")
    static let telephonyContacts = Setting.text(
        "CONTACTS", fallback: "127.0.0.1:7101",
        "the contacts service: staff numbers make a call internal (T2) and name the staff member a leg rang; whom to route to (T9); `none` for no lookups")
    static let routeFallback = Setting.text("ROUTE_FALLBACK", "where routing sends a caller when contacts cannot say in time (T9)")
    static let routeBudget = Setting.integer("ROUTE_BUDGET_MS", fallback: 30, range: 1...5000, "how long routing may ask contacts (T9)")
    static let recordingRetention = Setting.integer(
        "RECORDING_RETENTION_DAYS", fallback: 365, range: 1...3650, "calls older than this lose their recording links (P5); checked hourly")

    /// The telephony service: one session per real call, the dialer's queue, routing
    /// (DOMAIN.md T1–T12); one replica of several, each owning its shards.
    public static let telephony = ServiceDefinition(
        service: "telephony", prefix: "TELEPHONY", defaultPort: 7103, migrations: TelephonySchema.controlMigrations,
        settings: [replica, replicas, shardCount, window, takeOverFrom, telephonyContacts, routeFallback, routeBudget, recordingRetention, .defaultCountry],
        identity: replica
    ) { host in
        let name = host.environment.string(replica)
        let names = host.environment.string(replicas, fallback: name).split(separator: ",").map { $0.trimming(.spaces) }
        guard names.contains(name), Set(names).count == names.count, !names.contains("") else {
            throw ConfigurationError(
                variable: host.environment.name(of: replicas),
                problem: "is \"\(names.joined(separator: ","))\"; expected distinct names including this replica's (\(name))")
        }
        let shards = ShardSet(
            replica: name, replicas: names, shards: CallShard(count: try host.environment.int(shardCount)), folder: host.dataDirectory,
            windowMilliseconds: Int64(try host.environment.int(window)) * 1000, clock: host.clock, control: host.database,
            numbers: try host.environment.callNumbers())
        // T12 hand-off: a replica added to the list takes its shards from their old owners.
        var previous: [String: RPCClient] = [:]
        for entry in host.environment.string(takeOverFrom).split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimming(.spaces) }
            guard parts.count == 2, names.contains(parts[0]), parts[0] != name, let endpoint = Endpoint(parsing: parts[1]) else {
                throw ConfigurationError(
                    variable: host.environment.name(of: takeOverFrom), problem: "has \"\(entry)\"; expected name=host:port of another replica in the list")
            }
            previous[parts[0]] = host.client(Endpoint(host: endpoint.host, port: endpoint.port, name: parts[0]))
        }
        try await shards.loadHandOffs()
        if !previous.isEmpty {
            let taken = try await shards.takeOver(from: previous)
            host.logger.info("shards taken over", ["shards": taken.map(String.init).joined(separator: ","), "from": previous.keys.sorted().joined(separator: ",")])
            for client in previous.values { client.shutdown() }
        }
        // Each shard file has its own outbox: a call's events commit with the call (P2).
        let owned = try shards.openOwned()
        for (shard, database) in owned {
            host.publishEvents(from: database, named: "shard-\(shard.zeroPadded(to: 2))")
        }
        let retention = RecordingRetention(days: try host.environment.int(recordingRetention))
        let (clock, logger) = (host.clock, host.logger)
        host.runInBackground("recording retention", PeriodicJob("removing old recording links", every: .seconds(3600), logger: logger) {
            for (shard, database) in owned {
                let cleared = try await retention.apply(to: database, now: clock.now())
                if cleared > 0 { logger.info("removed old recording links", ["shard": "\(shard)", "calls": "\(cleared)", "days": "\(retention.days)"]) }
            }
        })
        let contacts = host.environment.string(telephonyContacts) == "none" ? nil : try host.client(telephonyContacts, serving: "contacts")
        // T9 answers within ROUTE_BUDGET_MS: the TLS handshake with contacts happens now, not in the first call's budget.
        contacts?.warmUp()
        // T10: the dialer's settings, and deals' accepted leads into the queue.
        let dialer = DialerSettingsStore(database: host.database, clock: host.clock)
        try await dialer.load()
        let feeder = QueueFeeder(control: host.database, shards: shards, settings: dialer, logger: host.logger)
        host.inbox.on(Deals.Event.leadAccepted) { event, tx in try feeder.handle(event, tx) }
        host.runInBackground("queue feeder", feeder)
        let departures = StaffDepartures(control: host.database, shards: shards, settings: dialer, logger: host.logger)
        host.inbox.on(Contacts.Event.staffDeactivated) { event, tx in try departures.handle(event, tx) }
        host.runInBackground("staff departures", departures)
        let consents = CallConsents(control: host.database, shards: shards, settings: dialer, logger: host.logger)
        host.inbox.on(Contacts.Event.consentChanged) { event, tx in try consents.handle(event, tx) }
        host.runInBackground("call consents", consents)
        var api = TelephonyAPI(
            shards: shards, staff: StaffNumbers(contacts: contacts),
            router: CallRouter(
                contacts: contacts, fallback: host.environment.string(routeFallback), budget: .milliseconds(try host.environment.int(routeBudget)),
                numbers: shards.numbers),
            dialer: dialer)
        api.events = host.eventErasure
        host.server.register(api)
        host.logger.info("shards", ["replica": name, "owned": shards.owned.map(String.init).joined(separator: ",")])
    }
}
