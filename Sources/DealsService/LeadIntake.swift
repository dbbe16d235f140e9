import Contracts
import FoundationEssentials
import Glibc
import RPC
import ServiceKit
import Sockets
import Storage
import Synchronization
import Wire

/// D3 lead intake. A lead is stored before anything else happens, then processed:
/// match-or-create the contact through the contacts service, join the contact's open
/// deal or open a deal in the channel's pipeline. While contacts cannot be reached the
/// lead stays pending and a background loop processes it when contacts is back:
/// nothing is lost, and since matching is idempotent and the lead's status changes in
/// the same transaction as its deal, nothing is doubled.
public final class LeadIntake: BackgroundService {
    private let database: Database
    private let contacts: RPCClient
    private let logger: Logger
    private let loop = BackgroundLoop()
    /// How long processing may wait for contacts inside a SubmitLead call before the
    /// lead is answered as pending.
    private let inlineTimeout: Duration
    private let clock: WallClock

    public init(database: Database, contacts: RPCClient, logger: Logger, inlineTimeout: Duration = .seconds(2), clock: WallClock = .system) {
        self.database = database
        self.clock = clock
        self.contacts = contacts
        self.logger = logger
        self.inlineTimeout = inlineTimeout
        database.onCommit { [loop] commit in if commit.topics.contains(Self.pendingTopic) { loop.wake() } }
    }

    static let columns = "id, status, low_quality, reason, contact_id, deal_id, attached, received_at, processed_at, channel, partner, external_id"

    /// A receipt from a row of `SELECT \(columns)`, read by column name.
    static func receipt(_ row: Row) -> LeadReceipt {
        LeadReceipt(
            id: row.int64("id"), status: LeadStatus(rawValue: row.int("status")) ?? .unspecified, lowQuality: row.bool("low_quality"),
            reason: row.string("reason"), contactID: row.optionalInt64("contact_id"), dealID: row.optionalInt64("deal_id"),
            attachedToExistingDeal: row.bool("attached"), receivedAtMilliseconds: row.int64("received_at"),
            processedAtMilliseconds: row.optionalInt64("processed_at"), channel: row.string("channel"), partner: row.string("partner"),
            externalID: row.string("external_id"))
    }

    public func get(_ id: Int64, visibility: Visibility = .everything) async throws -> LeadReceipt {
        guard let receipt = try await database.read({ c in try Self.visibleReceipt(c, id: id, visibility) }) else {
            throw RPCError.notFound("lead \(id) does not exist")
        }
        return receipt
    }

    /// The receipt as `visibility` may see it (G3), nil when it may not see the lead.
    static func visibleReceipt(_ c: Connection, id: Int64, _ visibility: Visibility) throws -> LeadReceipt? {
        guard let (receipt, submittedBy) = try c.queryFirst(
            "SELECT \(columns), submitted_by FROM leads WHERE id = ?", [.integer(id)], { (Self.receipt($0), $0.optionalInt64("submitted_by")) })
        else { return nil }
        guard visibility.restricted else { return receipt }
        let deal = try receipt.dealID.flatMap { try DealStore.load(c, id: $0) }
        return LeadTriage.view(receipt, submittedBy: submittedBy, dealVisible: deal.map { visibility.allows($0.responsibleID) } ?? false, visibility: visibility)
    }

    /// Stores the lead (or finds the one with the same partner and external id) and
    /// processes it if contacts answers in time.
    /// `deadline`: the caller's; the inline wait for contacts ends early enough that the
    /// caller hears "pending" instead of nothing (G4).
    public func submit(_ input: Lead, deadline: MonotonicInstant? = nil) async throws -> LeadReceipt {
        let visibility = input.visibility.resolved
        let receipt = try await store(input, deadline: deadline)
        guard visibility.restricted else { return receipt }
        // What a staff member is told: nothing of a deal or contact it may not see (G3).
        return try await database.read { c in try Self.visibleReceipt(c, id: receipt.id, visibility) } ?? receipt.withoutDeal()
    }

    private func store(_ input: Lead, deadline: MonotonicInstant?) async throws -> LeadReceipt {
        var lead = input
        lead.visibility = nil
        lead.channel = input.channel.trimming(.spaces).lowercased()
        let violations = LeadTriage.violations(lead)
        guard violations.isEmpty else {
            throw RPCError.invalidArgument("the lead is not valid", details: violations)
        }
        let clean = lead
        let rejection = LeadTriage.rejection(lead)
        let stored = try await database.write { tx -> LeadReceipt in
            if !clean.externalID.isEmpty, let existing = try tx.queryFirst(
                "SELECT \(Self.columns) FROM leads WHERE partner = ? AND external_id = ?", [.text(clean.partner), .text(clean.externalID)], Self.receipt)
            {
                return existing
            }
            let id = try Self.insert(tx, clean, rejection: rejection, now: self.clock.milliseconds)
            return try tx.queryFirst("SELECT \(Self.columns) FROM leads WHERE id = ?", [.integer(id)], Self.receipt)!
        }
        guard stored.status == .pending else { return stored }
        do {
            var wait = inlineTimeout
            if let deadline {
                // Four fifths of what is left: the rest carries the answer back.
                let left = MonotonicInstant.now().duration(until: deadline)
                wait = min(wait, left * 4 / 5)
            }
            guard wait > .milliseconds(1) else { throw RPCError(.deadlineExceeded, "no time left to ask contacts") }
            return try await process(stored.id, timeout: wait)
        } catch {
            // Stored is enough to answer: the loop processes it when contacts is back.
            logger.warn("lead stored for later processing", ["lead": "\(stored.id)", "error": "\(error)"])
            loop.wake()
            return stored
        }
    }

    /// Stores a checked lead: pending (the loop processes it) or rejected with the reason.
    static func insert(_ tx: Transaction, _ lead: Lead, rejection: String?, now: Int64) throws -> Int64 {
        try tx.run(
            "INSERT INTO leads (channel, partner, external_id, lead, status, low_quality, reason, received_at, processed_at, submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(lead.channel), .text(lead.partner), .text(lead.externalID), .blob(lead.wireBytes()),
             .integer(Int64((rejection == nil ? LeadStatus.pending : .rejected).rawValue)), SQLValue(rejection != nil),
             .text(rejection ?? ""), .integer(now), rejection == nil ? .null : .integer(now), SQLValue(lead.actorID)])
        let id = tx.lastInsertRowID
        try LeadReportStore.received(tx, leadID: id, lead, lowQuality: rejection != nil, at: now)
        if rejection == nil { tx.touch(pendingTopic) } else { try announceLowQuality(tx, id) }
        return id
    }

    /// lead.low_quality with the lead's receipt (its reason), for its partner (D3, T10).
    static func announceLowQuality(_ tx: Transaction, _ id: Int64) throws {
        guard let receipt = try tx.queryFirst("SELECT \(columns) FROM leads WHERE id = ?", [.integer(id)], receipt) else { return }
        try tx.appendEvent(type: Deals.Event.leadLowQuality, aggregateID: "lead-\(id)", payload: receipt.wireBytes())
    }

    /// What a commit that stores a pending lead touches: the loop wakes for it.
    static let pendingTopic = "leads.pending"

    /// Processes one pending lead; a lead already processed is returned as it is.
    /// Throws when contacts could not be asked (the lead stays pending).
    func process(_ id: Int64, timeout: Duration) async throws -> LeadReceipt {
        guard let blob = try await database.read({ c in
            try c.queryFirst("SELECT lead FROM leads WHERE id = ? AND status = 1", [.integer(id)]) { $0.blob(0) }
        }) else { return try await get(id) }
        let lead = try Lead(wireBytes: blob)
        var draft = ContactDraft()
        draft.firstName = lead.firstName
        draft.lastName = lead.lastName
        if !lead.phone.isEmpty { draft.phones = [lead.phone] }
        if !lead.email.isEmpty { draft.emails = [lead.email.trimming(.spaces)] }
        draft.source = ContactSource(
            channel: lead.channel, trackingNumber: lead.trackingNumber, utmSource: lead.utmSource, utmMedium: lead.utmMedium, utmCampaign: lead.utmCampaign)
        var metadata = Metadata()
        metadata[Metadata.Key.requestID] = "lead-\(id)"
        let match: MatchOrCreateResponse
        do {
            match = try await contacts.call(
                Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft, occurredAtMilliseconds: lead.occurredAtMilliseconds),
                options: CallOptions(timeout: timeout, metadata: metadata))
        } catch {
            guard error.code == .invalidArgument else { throw error }
            // C8: what an erased person sent before their erasure is not kept either.
            guard error.details.contains(where: { $0.field == ErasePersonRequest.refusedField }) else { return try await reject(id, because: Self.reason(error)) }
            return try await reject(id, because: "the person was erased after this happened (C8): nothing of them is kept", forgetting: lead)
        }
        return try await database.write { tx in
            let current = try tx.queryFirst("SELECT \(Self.columns) FROM leads WHERE id = ?", [.integer(id)], Self.receipt)!
            guard current.status == .pending else { return current }
            let contact = match.contact
            let now = self.clock.milliseconds
            let openDeal = try DealStore.openDeal(tx.connection, contactID: contact.id)
            let summary = "lead from \(lead.channel)" + (lead.partner.isEmpty ? "" : " (\(lead.partner))") + (lead.comment.isEmpty ? "" : ": \(lead.comment)")
            let dealID: Int64
            if let openDeal {
                dealID = openDeal.id
                try TimelineStore.append(tx, TimelineStore.entry(kind: "lead", dealID: dealID, contactID: contact.id, summary: summary, at: now))
            } else {
                dealID = try Self.openDeal(tx, for: lead, leadID: id, contact: contact, summary: summary, pipelines: try PipelineStore.load(tx.connection), now: now).id
            }
            let duplicate = LeadTriage.duplicateReason(channel: lead.channel, openDealID: openDeal?.id)
            try tx.run(
                "UPDATE leads SET status = ?, low_quality = ?, reason = ?, contact_id = ?, deal_id = ?, attached = ?, processed_at = ? WHERE id = ?",
                [.integer(Int64(LeadStatus.processed.rawValue)), SQLValue(duplicate != nil), .text(duplicate ?? ""), .integer(contact.id),
                 .integer(dealID), SQLValue(openDeal != nil), .integer(now), .integer(id)])
            try LeadReportStore.linkDeal(tx, leadID: id, dealID: dealID)
            if duplicate != nil {
                try LeadReportStore.update(tx, leadID: id) { facts, _ in facts.lowQuality = true }
                try Self.announceLowQuality(tx, id)
            }
            // A lead a call brought in: the call (and any calls since) is on the deal now (T3, T8).
            try CallLedger.leadProcessed(tx, leadID: id, dealID: dealID, contactID: contact.id)
            // T10: a valid, unique lead with a phone goes to the dialing queue (not a call: that one talked already).
            if duplicate == nil, lead.channel != "call", !lead.phone.isEmpty, let phone = contact.phones.first?.number {
                let accepted = AcceptedLead(
                    leadID: id, dealID: dealID, phone: phone, region: lead.region, product: lead.product, partner: lead.partner, channel: lead.channel,
                    receivedAtMilliseconds: current.receivedAtMilliseconds)
                try tx.appendEvent(type: Deals.Event.leadAccepted, aggregateID: "lead-\(id)", payload: accepted.wireBytes())
            }
            return try tx.queryFirst("SELECT \(Self.columns) FROM leads WHERE id = ?", [.integer(id)], Self.receipt)!
        }
    }

    /// A phone or email contacts refuses: the partner learns which and why.
    static func reason(_ refusal: RPCError) -> String {
        let what = refusal.details.isEmpty ? refusal.message : refusal.details.map { "\($0.field) \($0.description)" }.joined(separator: "; ")
        return "invalid contact data: " + what
    }

    private func reject(_ id: Int64, because reason: String, forgetting person: Lead? = nil) async throws -> LeadReceipt {
        try await database.write { tx in
            if let person {
                try tx.run("UPDATE leads SET lead = ? WHERE id = ?", [.blob(DealErasure.anonymous(person).wireBytes()), .integer(id)])
            }
            let changed = try tx.run(
                "UPDATE leads SET status = ?, low_quality = 1, reason = ?, processed_at = ? WHERE id = ? AND status = 1",
                [.integer(Int64(LeadStatus.rejected.rawValue)), .text(reason), .integer(self.clock.milliseconds), .integer(id)])
            if changed > 0 {
                try LeadReportStore.update(tx, leadID: id) { facts, _ in facts.lowQuality = true }
                try Self.announceLowQuality(tx, id)
            }
            return try tx.queryFirst("SELECT \(Self.columns) FROM leads WHERE id = ?", [.integer(id)], Self.receipt)!
        }
    }

    /// D3: the deal a lead opens for its contact, in the pipeline that names its channel.
    static func openDeal(_ tx: Transaction, for lead: Lead, leadID: Int64, contact: Contact, summary: String, pipelines: [Pipeline], now: Int64) throws -> Deal {
        var deal = Deal()
        deal.title = LeadTriage.dealTitle(lead)
        deal.contactID = contact.id
        deal.pipelineID = Self.pipeline(for: lead.channel, in: pipelines)
        deal.amountMinor = lead.amountMinor
        deal.currency = lead.currency
        // A staff member who enters a lead by hand works it, unless the client has someone.
        deal.responsibleID = contact.responsibleID ?? lead.actorID
        deal.source = lead.channel
        deal.leadID = leadID
        let opened = try DealStore.open(tx, deal, actorID: nil, timelineSummary: summary, pipelines: pipelines, now: now)
        try LeadReportStore.opened(tx, leadID: leadID, dealID: opened.id)
        return opened
    }

    /// The pipeline that names the channel, else the default one.
    static func pipeline(for channel: String, in pipelines: [Pipeline]) -> Int64 {
        return (pipelines.first { $0.channels.contains(channel) } ?? pipelines.first { $0.isDefault } ?? pipelines[0]).id
    }

    // MARK: The pending loop

    public func start() {
        loop.start { [self] in await run() }
    }

    public func stop() async {
        await loop.stop()
    }

    private func run() async {
        var backoff = ConnectionBackoff(initial: .milliseconds(200), maximum: .seconds(10))
        while !Task.isCancelled {
            let pending: [Int64]
            do {
                pending = try await database.read { c in
                    try c.query("SELECT id FROM leads WHERE status = 1 ORDER BY id LIMIT 100") { $0.int64(0) }
                }
            } catch {
                logger.error("cannot read pending leads", ["error": "\(error)"])
                await loop.wait(upTo: .seconds(5))
                continue
            }
            var stalled = false
            var failed = 0
            for id in pending where !Task.isCancelled {
                do {
                    _ = try await process(id, timeout: .seconds(5))
                    backoff.reset()
                } catch let error as RPCError where [.unavailable, .deadlineExceeded, .resourceExhausted].contains(error.code) {
                    logger.warn("lead waits for contacts", ["lead": "\(id)", "pending": "\(pending.count)", "error": "\(error)"])
                    stalled = true
                    break
                } catch {
                    // Anything else belongs to this lead alone: it must not hold up the
                    // others. It stays pending and is tried again on the next pass.
                    logger.error("lead could not be processed", ["lead": "\(id)", "error": "\(error)"])
                    failed += 1
                }
            }
            if failed == pending.count && !pending.isEmpty { stalled = true }
            if stalled {
                try? await Task.sleep(for: backoff.next())
            } else if pending.count < 100 {
                await loop.wait(upTo: .seconds(30))
            }
        }
    }
}
