import ContractServices
import ServiceKit

extension ServiceDefinition {
    static let billingContacts = Setting.address("CONTACTS", fallback: "127.0.0.1:7101", "the contacts service, for payers' match-or-create")
    static let billingDeals = Setting.text(
        "DEALS", fallback: "127.0.0.1:7102",
        "the deals service: an offer's deal must exist and be one the caller sees (B2, G3); `none` checks nothing (logged at start)")
    static let staleAttempt = Setting.integer(
        "STALE_ATTEMPT_MINUTES", fallback: 60, range: 1...525_600,
        "a payment still `attempt` after this is listed by `GET /v1/payments?stale=true` for follow-up")

    /// The billing service: catalogue, offers and delivery, payments, prepayments, group
    /// economics and bonuses (DOMAIN.md B1–B6).
    public static let billing = ServiceDefinition(
        service: "billing", prefix: "BILLING", defaultPort: 7105, migrations: BillingSchema.migrations, settings: [billingContacts, billingDeals, staleAttempt]
    ) { host in
        let contacts = try host.client(billingContacts, serving: "contacts")
        let deals = try host.dealReferences(billingDeals, unchecked: "offers")
        var api = BillingAPI(
            database: host.database, clock: host.clock, staleAttemptMinutes: Int64(try host.environment.int(staleAttempt)), deals: deals, contacts: contacts)
        api.events = host.eventErasure
        host.server.register(api)
        api.subscribe(host.inbox)
        host.runInBackground("payer intake", PayerIntake(database: host.database, contacts: contacts, logger: host.logger))
    }
}
