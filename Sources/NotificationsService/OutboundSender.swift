import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Synchronization
import Wire

/// N1/N3: takes each send when it is due, finds its recipient (contacts, deals), honours
/// opt-outs and quiet hours, renders its template in the channel's locale and zone, hands
/// it to the channel's adapter and records what happened. A failure is retried with
/// backoff (the fallback provider on every other attempt), then kept as failed. A send
/// is marked only after its attempt: a crash in between sends it again on restart, so a
/// message may repeat but is never lost.
public final class OutboundSender: BackgroundService {
    private let database: Database
    private let contacts: RPCClient
    private let deals: RPCClient
    private let logger: Logger
    private let clock: WallClock
    private let loop = BackgroundLoop()
    private let client = ProviderClient()
    private let stages = Mutex<[Int64: String]>([:])
    /// Most sends in flight at once.
    static let concurrency = 16

    public init(database: Database, contacts: RPCClient, deals: RPCClient, logger: Logger, clock: WallClock) {
        self.database = database
        self.contacts = contacts
        self.deals = deals
        self.logger = logger
        self.clock = clock
        database.onCommit { [loop] commit in if commit.topics.contains(EventIntake.sendsTopic) { loop.wake() } }
    }

    public func start() { loop.start { [self] in await run() } }
    public func stop() async { await loop.stop() }

    private func run() async {
        while !Task.isCancelled {
            let due: [Int64]
            do {
                let now = clock.milliseconds
                due = try await database.read { c in try c.query("SELECT id FROM sends WHERE status = 1 AND due_at <= ? ORDER BY due_at LIMIT 256", [.integer(now)]) { $0.int64(0) } }
            } catch {
                logger.error("cannot read due sends", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(1))
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for id in due {
                    if running == Self.concurrency { await group.next(); running -= 1 }
                    group.addTask { [self] in await attempt(id) }
                    running += 1
                }
            }
            // A business clock (P_CLOCK_FILE) moves by itself: look again soon.
            if due.count < 256 { await loop.wait(upTo: .milliseconds(100)) }
        }
    }

    /// One attempt of one send, recorded.
    func attempt(_ id: Int64) async {
        do {
            guard let loaded = try await database.read({ c -> (OutboundMessage, [UInt8], NotificationRule?, ChannelSettings?)? in
                guard let (m, payload) = try c.queryFirst("SELECT message, payload FROM sends WHERE id = ? AND status = 1", [.integer(id)], {
                    (try OutboundMessage(wireBytes: $0.blob(0)), $0.blob(1))
                }) else { return nil }
                return (m, payload, try RuleStore.load(c, m.ruleID), try ChannelStore.load(c, m.channel))
            }) else { return }
            var (message, payload, rule, settings) = loaded
            let now = clock.milliseconds
            let outcome = await prepareAndSend(&message, payload: payload, rule: rule, settings: settings, now: now)
            try await record(message, outcome, settings: settings, now: now)
        } catch {
            logger.error("cannot record a send", ["send": "\(id)", "error": "\(error)"])
        }
    }

    enum Outcome {
        case sent(Accepted, provider: String)
        case failed(String, retry: Bool)
        case skipped(String)
        case wait(until: Int64, why: String)
    }

    func prepareAndSend(_ m: inout OutboundMessage, payload: [UInt8], rule: NotificationRule?, settings: ChannelSettings?, now: Int64) async -> Outcome {
        guard let rule else { return .skipped("its rule was deleted") }
        guard let settings, !settings.baseURL.isEmpty else { return .failed("the \(m.channel.name) channel is not set up (PUT /v1/notification-channels/\(m.channel.name))", retry: true) }
        guard let entry = EventCatalog.byType[m.eventType], var facts = try? entry.facts(payload) else { return .skipped("its event can no longer be read") }
        let zone = TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "UTC")!
        if let from = rule.quietFromMinute, let to = rule.quietToMinute, let until = QuietHours.end(of: now, from: from, to: to, zone: zone) {
            return .wait(until: until, why: "quiet hours: waits until \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(until) / 1000)))")
        }
        let template: MessageTemplate?
        do {
            template = try await database.read { c in try TemplateStore.load(c, rule.templateID) }
        } catch {
            return .failed("cannot read template \(rule.templateID): \(error)", retry: true)
        }
        guard let template else { return .skipped("its template was deleted") }
        var values = facts.variables
        do {
            // The deal, for its contact, responsible and stage name.
            if let dealID = facts.dealID, let deal = try? await deals.call(Deals.getDeal, GetDealRequest(id: dealID), options: CallOptions(timeout: .seconds(5))) {
                facts.contactID = facts.contactID ?? deal.contactID
                facts.responsibleID = facts.responsibleID ?? deal.responsibleID
                values["deal.stage"] = .text(try await stageName(deal.stageID))
                if values["deal.title"] == nil { values["deal.title"] = .text(deal.title) }
            }
            var address = ""
            switch rule.recipient {
            case .contact:
                guard let contactID = facts.contactID else { return .skipped("the event names no contact") }
                m.contactID = contactID
                let channel = Int64(m.channel.rawValue)
                if let reason = try await database.read({ c in
                    try c.queryFirst("SELECT reason FROM opt_outs WHERE contact_id = ? AND channel = ?", [.integer(contactID), .integer(channel)]) { $0.string(0) }
                }) {
                    return .skipped("contact \(contactID) opted out of \(m.channel.name)" + (reason.isEmpty ? "" : ": \(reason)"))
                }
                let contact = try await contacts.call(Contacts.get, GetContactRequest(id: contactID), options: CallOptions(timeout: .seconds(5)))
                values["contact.first_name"] = .text(contact.firstName)
                values["contact.last_name"] = .text(contact.lastName)
                values["contact.email"] = .text(contact.emails.first ?? "")
                values["contact.phone"] = .text(contact.phones.first?.number ?? "")
                switch m.channel {
                case .email: address = contact.emails.first ?? ""
                case .sms, .whatsapp: address = contact.phones.first?.number ?? ""
                case .telegram: address = contact.customFields.first { $0.name == "telegram" }?.value ?? ""
                case .webhook: address = rule.address
                case .unspecified: break
                }
            case .responsible, .staff:
                guard let staffID = rule.recipient == .staff ? rule.staffID : facts.responsibleID else { return .skipped("the deal has nobody responsible") }
                let staff = try await contacts.call(Contacts.getStaff, GetStaffRequest(id: staffID), options: CallOptions(timeout: .seconds(5)))
                values["responsible.first_name"] = .text(staff.firstName)
                values["responsible.last_name"] = .text(staff.lastName)
                switch m.channel {
                case .email: address = staff.email
                case .sms, .whatsapp: address = staff.mobiles.first ?? ""
                case .webhook: address = rule.address
                default: address = rule.address
                }
            case .address, .unspecified:
                address = rule.address
            }
            if facts.responsibleID != nil, values["responsible.first_name"] == nil,
               let staff = try? await contacts.call(Contacts.getStaff, GetStaffRequest(id: facts.responsibleID!), options: CallOptions(timeout: .seconds(5))) {
                values["responsible.first_name"] = .text(staff.firstName)
                values["responsible.last_name"] = .text(staff.lastName)
            }
            guard !address.isEmpty else { return .skipped("no \(m.channel.name) address for the recipient") }
            m.address = address
        } catch let error as RPCError where error.code == .notFound {
            return .skipped("the recipient is gone: \(error.message)")
        } catch {
            return .failed("cannot look up the recipient: \(error)", retry: true)
        }
        let locale = settings.locale.isEmpty ? "ru" : settings.locale
        do {
            m.subject = try TemplateRenderer(parsing: template.subject).render(values, channel: m.channel, locale: locale, zone: zone)
            m.body = try TemplateRenderer(parsing: template.body).render(values, channel: m.channel, locale: locale, zone: zone)
        } catch {
            return .skipped("its template no longer parses: \(error.message)")
        }
        let useFallback = !settings.fallbackBaseURL.isEmpty && m.attempts % 2 == 1
        let base = useFallback ? settings.fallbackBaseURL : settings.baseURL
        let outgoing = Outgoing(address: m.address, subject: m.subject, body: m.body, messageID: "msg_send_\(m.id)", eventType: m.eventType)
        switch await ChannelAdapters.adapter(for: m.channel).send(outgoing, settings: settings, baseURL: base, client: client) {
        case let .success(accepted): return .sent(accepted, provider: settings.provider + (useFallback ? " (fallback)" : ""))
        case let .failure(f): return .failed(f.message + (useFallback ? " (fallback)" : ""), retry: f.retry)
        }
    }

    func record(_ sent: OutboundMessage, _ outcome: Outcome, settings: ChannelSettings?, now: Int64) async throws {
        var m = sent
        switch outcome {
        case let .sent(accepted, provider):
            m.attempts += 1
            m.status = .sent
            m.provider = provider
            m.providerMessageID = accepted.providerMessageID
            m.costMinor = accepted.costMinor ?? settings?.costMinor ?? 0
            m.currency = accepted.currency ?? settings?.currency ?? ""
            m.history.append(OutboundMessageChange(atMilliseconds: now, status: .sent, note: "to \(m.address) via \(provider), id \(accepted.providerMessageID)"))
        case let .failed(why, retry):
            m.attempts += 1
            if retry, let delay = RetrySchedule.message(afterAttempt: Int(m.attempts)) {
                m.dueAtMilliseconds = now + delay * 1000
                m.history.append(OutboundMessageChange(atMilliseconds: now, status: .scheduled, note: "attempt \(m.attempts) failed: \(why); again in \(delay) s"))
            } else {
                m.status = .failed
                m.history.append(OutboundMessageChange(atMilliseconds: now, status: .failed, note: "attempt \(m.attempts) failed: \(why)"))
            }
        case let .skipped(why):
            m.status = .skipped
            m.history.append(OutboundMessageChange(atMilliseconds: now, status: .skipped, note: why))
        case let .wait(until, why):
            m.dueAtMilliseconds = until
            m.history.append(OutboundMessageChange(atMilliseconds: now, status: .scheduled, note: why))
        }
        let record = m
        try await database.write { tx in
            // Cancelled (its source changed) while the attempt was out: the cancellation stands unless it was sent.
            guard try tx.queryFirst("SELECT 1 FROM sends WHERE id = ? AND status = 1", [.integer(record.id)], { $0.int(0) }) != nil || record.status == .sent else { return }
            try tx.run("UPDATE sends SET contact_id = COALESCE(contact_id, ?) WHERE id = ?", [SQLValue(record.contactID), .integer(record.id)])
            try OutboundLog.save(tx, record)
        }
    }

    func stageName(_ id: Int64) async throws -> String {
        if let known = stages.withLock({ $0[id] }) { return known }
        let pipelines = try await deals.call(Deals.listPipelines, Empty(), options: CallOptions(timeout: .seconds(5)))
        let names = Dictionary(pipelines.pipelines.flatMap { p in p.stages.map { ($0.id, $0.name) } }, uniquingKeysWith: { a, _ in a })
        stages.withLock { $0 = names }
        return names[id] ?? String(id)
    }
}
