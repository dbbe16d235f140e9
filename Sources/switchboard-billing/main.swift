// The billing service: catalogue, offers and delivery, payments, prepayments, group
// economics and bonuses (DOMAIN.md B1–B6).
// Configuration: BILLING_HOST, BILLING_PORT (7105), BILLING_ADMIN_PORT, BILLING_DATA_DIR
// (./data/billing), BILLING_GRACE_SECONDS, BILLING_CONTACTS (127.0.0.1:7101): contacts
// for payers' match-or-create, BILLING_STALE_ATTEMPT_MINUTES (60): when an attempt is
// listed for follow-up, BILLING_SUBSCRIBERS: where deals and notifications listen (what
// each takes, and what billing takes from scheduling and deals, is Contracts' Topology).
import BillingService
import RPC
import ServiceKit

ServiceHost.run(service: "billing", prefix: "BILLING", defaultPort: 7105, migrations: BillingSchema.migrations) { host in
    let address = host.environment.string("CONTACTS", default: "127.0.0.1:7101")
    guard let endpoint = Endpoint(parsing: address) else {
        throw ConfigurationError(variable: host.environment.name("CONTACTS"), problem: "is \"\(address)\"; expected host:port")
    }
    var configuration = RPCClient.Configuration()
    configuration.caller = "billing"
    configuration.backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(2))
    let stale = try host.environment.int("STALE_ATTEMPT_MINUTES", default: 60, range: 1...525_600)
    let api = BillingAPI(database: host.database, clock: host.clock, staleAttemptMinutes: Int64(stale))
    host.server.register(api)
    api.subscribe(host.inbox)
    host.runInBackground("payer intake", PayerIntake(database: host.database, contacts: RPCClient(endpoint: endpoint, configuration: configuration), logger: host.logger))
}
