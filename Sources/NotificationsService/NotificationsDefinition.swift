import Foundation
import RPC
import ServiceKit
import Sockets

extension ServiceDefinition {
    static let notificationsContacts = Setting.address("CONTACTS", fallback: "127.0.0.1:7101", "where recipients are looked up")
    static let notificationsDeals = Setting.address("DEALS", fallback: "127.0.0.1:7102", "where deals and stage names are looked up")
    static let notificationsBilling = Setting.address("BILLING", fallback: "127.0.0.1:7105", "where alerts read payments stuck in attempt")
    static let notificationsTelephony = Setting.text(
        "TELEPHONY", fallback: "127.0.0.1:7103",
        "where alerts read the dialing queue: every replica as `name=host:port` (its certificate's name), comma-separated; a bare `host:port` is `telephony-0`")
    static let publicURL = Setting.text(
        "PUBLIC_URL",
        """
        the gateway's public base URL (`https://crm.example.com`): emails to contacts carry a one-click unsubscribe link \
        there (RFC 8058); without it, only the mailto one
        """)
    static let alertSeconds = Setting.integer("ALERT_SECONDS", fallback: 15, range: 1...3600, "how often alerts are checked (business clock)")
    static let adminChat = Setting.text("ADMIN_CHAT", "the admin's Telegram chat, told when a webhook endpoint is disabled")
    static let smtpCAFile = Setting.text("SMTP_CA_FILE", "extra roots to trust for the SMTP relay (PEM)")
    static let sendLogRetention = Setting.integer(
        "SEND_LOG_RETENTION_DAYS", fallback: 365, range: 31...3650,
        "sends older than this keep their status, cost and counts and lose their address, text and event (P5); checked hourly")

    /// The notifications service: rules, templates, the send log, surveys, alerts and
    /// outbound webhooks (DOMAIN.md N1–N6).
    public static let notifications = ServiceDefinition(
        service: "notifications", prefix: "NOTIFICATIONS", defaultPort: 7106, migrations: NotificationsSchema.migrations,
        settings: [
            notificationsContacts, notificationsDeals, notificationsBilling, notificationsTelephony, publicURL, alertSeconds, adminChat,
            smtpCAFile, sendLogRetention,
        ]
    ) { host in
        let contacts = try host.client(notificationsContacts, serving: "contacts")
        let deals = try host.client(notificationsDeals, serving: "deals")
        let billing = try host.client(notificationsBilling, serving: "billing")
        let entries = host.environment.string(notificationsTelephony).split(separator: ",")
        let telephony = try entries.map { item -> RPCClient in
            // Each replica's certificate names it: `telephony-0=host:port`; a bare address is the only replica.
            guard var endpoint = Endpoint(parsing: item.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(
                    variable: host.environment.name(of: notificationsTelephony),
                    problem: "has \"\(item)\"; expected name=host:port (or host:port for telephony-0), comma-separated")
            }
            if !item.contains("=") {
                guard entries.count == 1 else {
                    throw ConfigurationError(
                        variable: host.environment.name(of: notificationsTelephony),
                        problem: "has \"\(item)\"; with several replicas each is name=host:port, the name its certificate carries")
                }
                endpoint.name = "telephony-0"
            }
            return host.client(endpoint)
        }
        let url = host.environment.string(publicURL)
        if !url.isEmpty, URL(string: url).flatMap({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil ? $0 : nil }) == nil {
            throw ConfigurationError(
                variable: host.environment.name(of: publicURL),
                problem: "is \"\(url)\"; expected the gateway's public http(s) URL, such as https://crm.example.com")
        }
        let links = try await UnsubscribeLinks.load(host.database, publicURL: url)
        let outbound = try OutboundPolicy.from(host.environment)
        // Notifications formats dates with Foundation (ICU): the zone the environment named, as ICU knows it.
        let rules = try host.environment.timeZone()
        let zone = TimeZone(identifier: rules.identifier) ?? TimeZone(secondsFromGMT: rules.secondsFromGMT(at: Int64(host.clock.now().timeIntervalSince1970)))!
        var api = NotificationsAPI(
            database: host.database, clock: host.clock, unsubscribeLinks: links, outbound: outbound, deals: deals, contacts: contacts, zone: zone)
        api.events = host.eventErasure
        try await api.installDefaults()
        host.server.register(api)
        api.subscribe(host.inbox)
        let roots = host.environment.string(smtpCAFile)
        host.runInBackground("sender", OutboundSender(
            database: host.database, contacts: contacts, deals: deals, logger: host.logger, clock: host.clock, outbound: outbound,
            unsubscribeLinks: links, extraRoots: roots.isEmpty ? nil : roots))
        host.runInBackground("surveys", SurveyRunner(
            database: host.database, contacts: contacts, deals: deals, logger: host.logger, clock: host.clock, outbound: outbound))
        host.runInBackground("scheduled reports", ReportMailer(
            database: host.database, contacts: contacts, deals: deals, logger: host.logger, clock: host.clock, zone: zone))
        host.runInBackground("alerts", AlertRunner(
            store: api.alerts, statistics: ServiceStatistics(telephony: telephony, billing: billing), logger: host.logger, clock: host.clock,
            intervalSeconds: Int64(try host.environment.int(alertSeconds))))
        let retention = SendLogRetention(days: try host.environment.int(sendLogRetention))
        let (database, clock, logger) = (host.database, host.clock, host.logger)
        host.runInBackground("send log retention", PeriodicJob("redacting old sends", every: .seconds(3600), logger: logger) {
            let redacted = try await retention.apply(to: database, now: clock.now())
            if redacted > 0 { logger.info("redacted old sends", ["sends": "\(redacted)", "days": "\(retention.days)"]) }
        })
        let chat = host.environment.string(adminChat)
        host.runInBackground("webhooks", WebhookDispatcher(
            database: host.database, logger: host.logger, clock: host.clock, outbound: outbound, adminChat: chat.isEmpty ? nil : chat))
    }
}
