// The notifications service: rules, templates, the send log and outbound webhooks
// (DOMAIN.md N1–N4).
// Configuration: NOTIFICATIONS_HOST, NOTIFICATIONS_PORT (7106), NOTIFICATIONS_ADMIN_PORT,
// NOTIFICATIONS_DATA_DIR (./data/notifications), NOTIFICATIONS_GRACE_SECONDS,
// NOTIFICATIONS_CONTACTS (127.0.0.1:7101) and NOTIFICATIONS_DEALS (127.0.0.1:7102): where
// recipients and deals are looked up. Name it in every publisher's *_SUBSCRIBERS; the
// topology sends it the events its rules and webhooks take (GET /v1/notification-events).
// NOTIFICATIONS_ALERT_SECONDS (15): how often alerts are checked (business clock);
// NOTIFICATIONS_ADMIN_CHAT: the admin's Telegram chat, told when a webhook endpoint is disabled;
// NOTIFICATIONS_SMTP_CA_FILE: extra roots to trust for the SMTP relay.
// NOTIFICATIONS_TELEPHONY (127.0.0.1:7103; comma-separated, `name=host:port` taken too,
// empty for none) and NOTIFICATIONS_BILLING (127.0.0.1:7105): where the dialing queue and
// payments stuck in attempt are read for alerts on them.
// NOTIFICATIONS_PUBLIC_URL: the gateway's public base URL, for emails' one-click
// unsubscribe links (empty: only the mailto one).
// NOTIFICATIONS_OUTBOUND_ALLOW: ranges the channels, webhook endpoints and rule addresses
// may reach despite the outbound policy (CIDRs, `loopback`, `private`; empty: public
// addresses only). `switchboard up` allows loopback for local providers.
import Foundation
import NotificationsService
import RPC
import ServiceKit
import Sockets

ServiceHost.run(service: "notifications", prefix: "NOTIFICATIONS", defaultPort: 7106, migrations: NotificationsSchema.migrations) { host in
    func client(_ name: String, _ fallback: String) throws -> RPCClient {
        let address = host.environment.string(name, default: fallback)
        guard let endpoint = Endpoint(parsing: address) else {
            throw ConfigurationError(variable: host.environment.name(name), problem: "is \"\(address)\"; expected host:port")
        }
        var configuration = RPCClient.Configuration()
        configuration.caller = "notifications"
        configuration.backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(2))
        return RPCClient(endpoint: endpoint, configuration: configuration)
    }
    let contacts = try client("CONTACTS", "127.0.0.1:7101")
    let deals = try client("DEALS", "127.0.0.1:7102")
    let billing = try client("BILLING", "127.0.0.1:7105")
    let telephonyList = host.environment.string("TELEPHONY", default: "127.0.0.1:7103")
    let telephony = try telephonyList.split(separator: ",").map { item -> RPCClient in
        let address = item.split(separator: "=", maxSplits: 1).last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        guard let endpoint = Endpoint(parsing: address) else {
            throw ConfigurationError(variable: host.environment.name("TELEPHONY"), problem: "has \"\(item)\"; expected host:port (or name=host:port), comma-separated")
        }
        var configuration = RPCClient.Configuration()
        configuration.caller = "notifications"
        return RPCClient(endpoint: endpoint, configuration: configuration)
    }
    let publicURL = host.environment.string("PUBLIC_URL", default: "")
    if !publicURL.isEmpty, URL(string: publicURL).flatMap({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil ? $0 : nil }) == nil {
        throw ConfigurationError(variable: host.environment.name("PUBLIC_URL"), problem: "is \"\(publicURL)\"; expected the gateway's public http(s) URL, such as https://crm.example.com")
    }
    let links = try waitFor { try await UnsubscribeLinks.load(host.database, publicURL: publicURL) }
    let outbound = try OutboundPolicy.from(host.environment)
    let api = NotificationsAPI(database: host.database, clock: host.clock, unsubscribeLinks: links, outbound: outbound)
    try waitFor { try await api.installDefaults() }
    host.server.register(api)
    api.subscribe(host.inbox)
    host.runInBackground("sender", OutboundSender(database: host.database, contacts: contacts, deals: deals, logger: host.logger, clock: host.clock, outbound: outbound, unsubscribeLinks: links))
    host.runInBackground("surveys", SurveyRunner(database: host.database, contacts: contacts, deals: deals, logger: host.logger, clock: host.clock, outbound: outbound))
    let alertSeconds = try host.environment.int("ALERT_SECONDS", default: 15, range: 1...3600)
    host.runInBackground("alerts", AlertRunner(
        store: api.alerts, statistics: ServiceStatistics(telephony: telephony, billing: billing), logger: host.logger, clock: host.clock, intervalSeconds: Int64(alertSeconds)))
    host.runInBackground("webhooks", WebhookDispatcher(database: host.database, logger: host.logger, clock: host.clock, outbound: outbound))
}
