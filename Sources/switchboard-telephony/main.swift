// The telephony service: one session per real call (DOMAIN.md T1–T2, T11, T12).
// Configuration: TELEPHONY_HOST, TELEPHONY_PORT (7103), TELEPHONY_ADMIN_PORT,
// TELEPHONY_DATA_DIR (./data/telephony: shard-NN.sqlite files), TELEPHONY_GRACE_SECONDS,
// TELEPHONY_REPLICA (telephony-0): this replica's name, TELEPHONY_REPLICAS (its own name
// alone): every replica's name, comma-separated, the same list everywhere,
// SWITCHBOARD_DEFAULT_COUNTRY (RU): the country of numbers without a country code (C1),
// TELEPHONY_SHARDS (16): logical shards, fixed for a deployment,
// TELEPHONY_WINDOW_SECONDS (120): reports of one client number in one direction that
// start this close together are one call, whatever ids the PBX gave them (T1).
// TELEPHONY_TAKE_OVER_FROM (name=host:port,...): for a replica added to the list, the
// replicas to take its shards from (Compose/README.md, "Telephony replicas").
// TELEPHONY_SUBSCRIBERS: where deals and notifications listen (Contracts' Topology),
// TELEPHONY_CONTACTS (127.0.0.1:7101; none: no staff numbers): whose staff numbers make
// a call internal (T2) and name the staff member a leg rang; also whom to route to (T9).
// TELEPHONY_ROUTE_FALLBACK (empty): where routing sends a caller when contacts cannot
// say in time; TELEPHONY_ROUTE_BUDGET_MS (30): how long routing may ask contacts.
import Contracts
import RPC
import ServiceKit
import TelephonyService

ServiceHost.run(service: "telephony", prefix: "TELEPHONY", defaultPort: 7103, migrations: TelephonySchema.controlMigrations) { host in
    let replica = host.environment.string("REPLICA", default: "telephony-0")
    let replicas = host.environment.string("REPLICAS", default: replica).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard replicas.contains(replica), Set(replicas).count == replicas.count, !replicas.contains("") else {
        throw ConfigurationError(
            variable: host.environment.name("REPLICAS"),
            problem: "is \"\(replicas.joined(separator: ","))\"; expected distinct names including this replica's (\(replica))")
    }
    let count = try host.environment.int("SHARDS", default: CallShard.defaultCount, range: 1...4096)
    let window = try host.environment.int("WINDOW_SECONDS", default: 120, range: 1...3600)
    let shards = ShardSet(
        replica: replica, replicas: replicas, shards: CallShard(count: count), folder: host.dataDirectory,
        windowMilliseconds: Int64(window) * 1000, clock: host.clock, control: host.database,
        numbers: try host.environment.callNumbers())
    // T12 hand-off: a replica added to the list takes its shards from their old owners.
    var previous: [String: RPCClient] = [:]
    let from = host.environment.string("TAKE_OVER_FROM", default: "")
    for entry in from.split(separator: ",") {
        let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, replicas.contains(parts[0]), parts[0] != replica, let endpoint = Endpoint(parsing: parts[1]) else {
            throw ConfigurationError(variable: host.environment.name("TAKE_OVER_FROM"), problem: "has \"\(entry)\"; expected name=host:port of another replica in the list")
        }
        previous[parts[0]] = RPCClient(endpoint: endpoint)
    }
    try waitFor { try await shards.loadHandOffs() }
    if !previous.isEmpty {
        let peers = previous
        let taken = try waitFor { try await shards.takeOver(from: peers) }
        host.logger.info("shards taken over", ["shards": taken.map(String.init).joined(separator: ","), "from": peers.keys.sorted().joined(separator: ",")])
        for client in peers.values { client.shutdown() }
    }
    // Each shard file has its own outbox: a call's events commit with the call (P2).
    for (shard, database) in try shards.openOwned() {
        host.publishEvents(from: database, named: "shard-\(String(format: "%02d", shard))")
    }
    let address = host.environment.string("CONTACTS", default: "127.0.0.1:7101")
    var contacts: RPCClient?
    if address != "none" {
        guard let endpoint = Endpoint(parsing: address) else {
            throw ConfigurationError(variable: host.environment.name("CONTACTS"), problem: "is \"\(address)\"; expected host:port or none")
        }
        var configuration = RPCClient.Configuration()
        configuration.caller = "telephony"
        configuration.backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(2))
        contacts = RPCClient(endpoint: endpoint, configuration: configuration)
    }
    let fallback = host.environment.string("ROUTE_FALLBACK", default: "")
    let routeBudget = try host.environment.int("ROUTE_BUDGET_MS", default: 30, range: 1...5000)
    // T10: the dialer's settings, and deals' accepted leads into the queue.
    let dialer = DialerSettingsStore(database: host.database, clock: host.clock)
    try waitFor { try await dialer.load() }
    let feeder = QueueFeeder(control: host.database, shards: shards, settings: dialer, logger: host.logger)
    host.inbox.on(Deals.Event.leadAccepted) { event, tx in try feeder.handle(event, tx) }
    host.runInBackground("queue feeder", feeder)
    host.server.register(TelephonyAPI(
        shards: shards, staff: StaffNumbers(contacts: contacts),
        router: CallRouter(contacts: contacts, fallback: fallback, budget: .milliseconds(routeBudget), numbers: shards.numbers), dialer: dialer))
    host.logger.info("shards", ["replica": replica, "owned": shards.owned.map(String.init).joined(separator: ",")])
}
