import Contracts
import Foundation
import RPC
import ServiceKit
import Sockets
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
    private let client: ProviderClient
    private let stages = Mutex<[Int64: String]>([:])
    private let unsubscribeLinks: UnsubscribeLinks?
    /// Most sends in flight at once.
    static let concurrency = 64

    /// `extraRoots`: a PEM file of roots to trust for SMTP relays besides the system's.
    public init(
        database: Database, contacts: RPCClient, deals: RPCClient, logger: Logger, clock: WallClock, outbound: OutboundPolicy,
        unsubscribeLinks: UnsubscribeLinks? = nil, extraRoots: String? = nil
    ) {
        client = ProviderClient(outbound: outbound, extraRoots: extraRoots)
        self.unsubscribeLinks = unsubscribeLinks
        self.database = database
        self.contacts = contacts
        self.deals = deals
        self.logger = logger
        self.clock = clock
        database.onCommit { [loop] commit in if commit.topics.contains(EventIntake.sendsTopic) { loop.wake() } }
    }

    public func start() { loop.start { [self] in await run() } }
    public func stop() async { await loop.stop() }

    /// A due send with what it needs, read in one go.
    struct Due: Sendable {
        var message: OutboundMessage
        let payload: [UInt8]
        let rule: NotificationRule?
        let template: MessageTemplate?
        let settings: ChannelSettings?
    }

    static let batch = 256

    private func run() async {
        while !Task.isCancelled {
            let due: [Due]
            let now = clock.milliseconds
            do {
                due = try await database.read { c in
                    var rules: [Int64: NotificationRule?] = [:], templates: [Int64: MessageTemplate?] = [:], channels: [Int: ChannelSettings?] = [:]
                    return try c.query("SELECT message, payload FROM sends WHERE status = 1 AND due_at <= ? ORDER BY due_at LIMIT ?", [.integer(now), .integer(Int64(Self.batch))]) { row in
                        (try OutboundMessage(wireBytes: row.blob(0)), row.blob(1))
                    }.map { m, payload in
                        if rules[m.ruleID] == nil { rules[m.ruleID] = .some(try RuleStore.load(c, m.ruleID)) }
                        let rule = rules[m.ruleID]!
                        if let r = rule, templates[r.templateID] == nil { templates[r.templateID] = .some(try TemplateStore.load(c, r.templateID)) }
                        if channels[m.channel.rawValue] == nil { channels[m.channel.rawValue] = .some(try ChannelStore.load(c, m.channel)) }
                        return Due(message: m, payload: payload, rule: rule, template: rule.flatMap { templates[$0.templateID] ?? nil }, settings: channels[m.channel.rawValue]!)
                    }
                }
            } catch {
                logger.error("cannot read due sends", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(1))
                continue
            }
            var done: [OutboundMessage] = []
            // Several sends of a round often name the same deal and contact (a burst of one event's rules).
            let reads = RoundReads()
            await withTaskGroup(of: OutboundMessage.self) { group in
                var running = 0
                for item in due {
                    if running == Self.concurrency, let finished = await group.next() { done.append(finished); running -= 1 }
                    group.addTask { [self] in
                        var m = item.message
                        let outcome = await prepareAndSend(
                            &m, payload: item.payload, rule: item.rule, template: item.template, settings: item.settings, now: now, reads: reads)
                        return Self.applied(outcome, to: m, settings: item.settings, now: clock.milliseconds)
                    }
                    running += 1
                }
                for await finished in group { done.append(finished) }
            }
            if !done.isEmpty {
                do {
                    try await record(done)
                } catch {
                    logger.error("cannot record sends", ["error": "\(error)"])
                }
            }
            // Less than a full batch: sleep until the next send is due (a new one wakes the loop).
            if due.count < Self.batch {
                let next = try? await database.read { c in try c.queryFirst("SELECT MIN(due_at) FROM sends WHERE status = 1", []) { $0.optionalInt64(0) } ?? nil }
                await loop.wait(upTo: clock.sleep(until: next ?? nil, now: clock.milliseconds))
            }
        }
    }

    enum Outcome {
        case sent(Accepted, provider: String)
        case failed(String, retry: Bool)
        case skipped(String)
        case wait(until: Int64, why: String)
    }

    /// The deals and contacts one round of sends has read.
    struct RoundReads: Sendable {
        let deals = SharedReads<Int64, Deal?>()
        let contacts = SharedReads<Int64, Contact>()
    }

    func prepareAndSend(
        _ m: inout OutboundMessage, payload: [UInt8], rule: NotificationRule?, template: MessageTemplate?, settings: ChannelSettings?, now: Int64,
        reads: RoundReads = RoundReads()
    ) async -> Outcome {
        guard let settings, !settings.baseURL.isEmpty else { return .failed("the \(m.channel.name) channel is not set up (PUT /v1/notification-channels/\(m.channel.name))", retry: true) }
        // An alert's or the admin's message: rendered and addressed already.
        if m.ruleID < 0 { return await deliver(m, settings) }
        guard let rule else { return .skipped("its rule was deleted") }
        guard let entry = EventCatalog.byType[m.eventType], var facts = try? entry.facts(payload) else { return .skipped("its event can no longer be read") }
        // The channel's zone and locale, unless the contact has their own.
        var written = RecipientLocale(channel: settings)
        guard let template else { return .skipped("its template was deleted") }
        var values = facts.variables
        do {
            // The deal, for its contact, responsible and stage name. Deals not answering is
            // a failure to try again later (the catch below), never a message that goes
            // out without them or is skipped for "nobody responsible".
            if let dealID = facts.dealID, let deal = try await reads.deals.value(dealID, { [deals] in
                try await RPCError.nilIfNotFound({ try await deals.call(Deals.getDeal, GetDealRequest(id: dealID), options: CallOptions(timeout: .seconds(5))) })
            }) {
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
                let contact = try await reads.contacts.value(contactID) { [contacts] in
                    try await contacts.call(Contacts.get, GetContactRequest(id: contactID), options: CallOptions(timeout: .seconds(5)))
                }
                // C8: their word on this channel and the rule's purpose.
                let purpose = rule.purpose == .marketing ? ConsentPurpose.marketing : .service
                if let channel = ConsentChannel(m.channel), !contact.consents(to: channel, for: purpose) {
                    return .skipped("contact \(contactID) " + (purpose == .marketing ? "has not consented to marketing over \(m.channel.name)" : "withdrew consent to \(m.channel.name)"))
                }
                written = RecipientLocale(channel: settings, contact: contact)
                Self.describe(contact, in: &values)
                switch m.channel {
                case .email: address = contact.emails.first ?? ""
                case .sms, .whatsapp: address = contact.phones.first?.number ?? ""
                case .telegram:
                    address = contact.customFields.first { $0.name == "telegram" }?.value ?? ""
                    // A chat the person wrote from, or opened a deep link in (issue 25).
                    if address.isEmpty { address = try await database.read { c in try ConversationStore.chat(c, contactID: contactID, channel: .telegram) } ?? "" }
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
            if let responsibleID = facts.responsibleID, values["responsible.first_name"] == nil,
               let staff = try await RPCError.nilIfNotFound({
                   try await contacts.call(Contacts.getStaff, GetStaffRequest(id: responsibleID), options: CallOptions(timeout: .seconds(5)))
               }) {
                values["responsible.first_name"] = .text(staff.firstName)
                values["responsible.last_name"] = .text(staff.lastName)
            }
            guard !address.isEmpty else { return .skipped("no \(m.channel.name) address for the recipient") }
            // A word to staff about a client names the client too (contact.* is every event's).
            if let contactID = facts.contactID, values["contact.first_name"] == nil,
               let contact = try await RPCError.nilIfNotFound({
                   try await reads.contacts.value(contactID) { [contacts] in
                       try await contacts.call(Contacts.get, GetContactRequest(id: contactID), options: CallOptions(timeout: .seconds(5)))
                   }
               }) {
                Self.describe(contact, in: &values)
            }
            m.address = address
        } catch let error as RPCError where error.code == .notFound {
            return .skipped("the recipient is gone: \(error.message)")
        } catch {
            return .failed("cannot look up the recipient: \(error)", retry: true)
        }
        // Quiet hours in the recipient's zone (an opted-out or unreachable one was skipped above).
        if let from = rule.quietFromMinute, let to = rule.quietToMinute, let until = QuietHours.end(of: now, from: from, to: to, zone: written.zone) {
            return .wait(until: until, why: "quiet hours: waits until \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(until) / 1000)))")
        }
        do {
            // A subject is a header (RFC 2047-encoded), not HTML: its values go in as they are.
            m.subject = try TemplateRenderer(parsing: template.subject).render(values, channel: m.channel, locale: written.locale, zone: written.zone, escaping: false)
            m.body = try TemplateRenderer(parsing: template.body).render(values, channel: m.channel, locale: written.locale, zone: written.zone)
        } catch {
            return .skipped("its template no longer parses: \(error.message)")
        }
        return await deliver(m, settings)
    }

    /// One attempt through the channel's adapter (every other attempt to the fallback provider).
    func deliver(_ m: OutboundMessage, _ settings: ChannelSettings) async -> Outcome {
        let useFallback = !settings.fallbackBaseURL.isEmpty && m.attempts % 2 == 1
        let base = useFallback ? settings.fallbackBaseURL : settings.baseURL
        var outgoing = Outgoing(address: m.address, subject: m.subject, body: m.body, messageID: "msg_send_\(m.id)", eventType: m.eventType, template: m.template)
        if m.channel == .email, let contact = m.contactID, let links = unsubscribeLinks { outgoing.unsubscribeURL = links.link(contactID: contact) }
        if m.channel == .email, !m.attachmentName.isEmpty { outgoing.attachment = (m.attachmentName, m.attachment) }
        switch await ChannelAdapters.adapter(for: m.channel).send(outgoing, settings: settings, baseURL: base, client: client) {
        case let .success(accepted): return .sent(accepted, provider: settings.provider + (useFallback ? " (fallback)" : ""))
        case let .failure(f): return .failed(f.message + (useFallback ? " (fallback)" : ""), retry: f.retry)
        }
    }

    /// A template's `contact.*` values.
    static func describe(_ contact: Contact, in values: inout [String: TemplateValue]) {
        values["contact.first_name"] = .text(contact.firstName)
        values["contact.last_name"] = .text(contact.lastName)
        values["contact.email"] = .text(contact.emails.first ?? "")
        values["contact.phone"] = .text(contact.phones.first?.number ?? "")
    }

    /// The send as its attempt left it.
    static func applied(_ outcome: Outcome, to sent: OutboundMessage, settings: ChannelSettings?, now: Int64) -> OutboundMessage {
        var m = sent
        switch outcome {
        case let .sent(accepted, provider):
            m.attempts += 1
            m.status = .sent
            m.provider = provider
            m.providerMessageID = accepted.providerMessageID
            let cost = SendCost(channel: m.channel, address: m.address, reportedMinor: accepted.costMinor, reportedCurrency: accepted.currency, settings: settings)
            m.costMinor = cost.minor
            m.currency = cost.currency
            m.country = cost.country
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
        return m
    }

    /// Every attempt of a batch in one transaction.
    func record(_ sends: [OutboundMessage]) async throws {
        try await database.write { tx in
            for record in sends {
                // Cancelled (its source changed) while the attempt was out: the cancellation stands unless it was sent.
                guard try tx.queryFirst("SELECT 1 FROM sends WHERE id = ? AND status = 1", [.integer(record.id)], { $0.int(0) }) != nil || record.status == .sent else { continue }
                try tx.run("UPDATE sends SET contact_id = COALESCE(contact_id, ?) WHERE id = ?", [SQLValue(record.contactID), .integer(record.id)])
                try OutboundLog.save(tx, record)
            }
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
