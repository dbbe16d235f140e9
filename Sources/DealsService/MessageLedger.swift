import Contracts
import FoundationEssentials
import Glibc
import RPC
import ServiceKit
import Storage
import Wire

/// D3, D5 for messenger messages (issue 25): the person's contact is found or made (C2;
/// a chat already bound to a contact names it), then the message opens a lead and a deal
/// in the channel's pipeline when the contact has no open deal, and is an entry on the
/// open deal's timeline either way. Each message once: a repeat answers what the first
/// filing did, so the gateway's relay may deliver it again.
public struct MessageLedger: Sendable {
    let database: Database
    let contacts: RPCClient
    let clock: WallClock

    /// The longest text kept on a timeline entry; the conversation keeps the whole message.
    static let summaryLimit = 500

    /// Files each message in order, in one transaction: a person's first message opens
    /// their lead and deal, their later ones (in the same batch too) go on it. Contacts is
    /// asked once per person, not once per message.
    public func file(_ request: FileMessagesRequest, options: CallOptions) async throws -> FiledMessages {
        guard request.messages.count <= InboundMessages.limit else {
            throw RPCError.invalidArgument("at most \(InboundMessages.limit) messages at once", details: [FieldViolation(field: "messages", description: "has \(request.messages.count)")])
        }
        for (i, item) in request.messages.enumerated() {
            let message = item.message
            guard message.channel == .whatsapp || message.channel == .telegram else {
                throw RPCError.invalidArgument("only WhatsApp and Telegram messages are filed", details: [FieldViolation(field: "messages[\(i)].channel", description: "is \(message.channel.name)")])
            }
            guard !message.providerMessageID.isEmpty, message.providerMessageID.utf8.count <= 200 else {
                throw RPCError.invalidArgument("a message needs its provider's id", details: [FieldViolation(field: "messages[\(i)].providerMessageId", description: "is empty or longer than 200 bytes")])
            }
        }
        let (done, known) = try await database.read { c -> ([FiledMessage?], Set<Int64>) in
            let done = try request.messages.map { try Self.filed(c, $0.message) }
            // Contacts with an open deal here: known to exist (a merge re-points their deals), and
            // their messages go on that deal, so contacts need not be asked.
            let bound = Set(request.messages.compactMap(\.contactID))
            let known = try bound.filter { try DealStore.openDeal(c, contactID: $0) != nil }
            return (done, known)
        }
        var contacts: [String: Contact] = [:]
        for (i, item) in request.messages.enumerated() where done[i] == nil {
            let key = Self.person(item)
            if contacts[key] == nil { contacts[key] = try await contact(item, known: known, options: options) }
        }
        let now = clock.milliseconds
        let found = contacts
        return try await database.write { tx in
            let pipelines = try PipelineStore.load(tx.connection)
            var out = FiledMessages()
            for item in request.messages {
                if let filed = try Self.filed(tx.connection, item.message) {
                    out.messages.append(filed)
                } else {
                    out.messages.append(try Self.file(tx, item, contact: found[Self.person(item)]!, pipelines: pipelines, now: now))
                }
            }
            return out
        }
    }

    /// Who wrote it, as far as contacts is concerned: the bound contact, else the chat.
    static func person(_ item: FileMessageRequest) -> String {
        item.contactID.map { "contact:\($0):\(item.message.phone)" } ?? "chat:\(item.message.channel.rawValue):\(item.message.chatID):\(item.message.phone)"
    }

    static func file(_ tx: Transaction, _ item: FileMessageRequest, contact: Contact, pipelines: [Pipeline], now: Int64) throws -> FiledMessage {
        let message = item.message
        let summary = Self.summary(message)
        let at = message.atMilliseconds > 0 ? message.atMilliseconds : now
        var filed = FiledMessage(contactID: contact.id, contactName: Self.name(contact))
        let deal: Deal
        if let open = try DealStore.openDeal(tx.connection, contactID: contact.id) {
            deal = open
        } else {
            let (leadID, opened) = try Self.openLead(tx, message, contact: contact, pipelines: pipelines, now: now)
            deal = opened
            filed.leadID = leadID
        }
        (filed.dealID, filed.responsibleID) = (deal.id, deal.responsibleID)
        try ReplyWatch.received(tx, deal: deal, at: at, assignee: item.assigneeID, pipelines: pipelines)
        try TimelineStore.append(tx, TimelineStore.entry(kind: "message", dealID: filed.dealID, contactID: contact.id, summary: summary, at: at))
        try tx.run(
            "INSERT INTO filed_messages (channel, provider_id, contact_id, deal_id, lead_id) VALUES (?, ?, ?, ?, ?)",
            [.integer(Int64(message.channel.rawValue)), .text(message.providerMessageID), .integer(contact.id), .integer(filed.dealID), SQLValue(filed.leadID)])
        return filed
    }

    /// A message filed before, as it was filed (the deal's responsible as it is now).
    static func filed(_ c: Connection, _ message: InboundMessage) throws -> FiledMessage? {
        try c.queryFirst(
            """
            SELECT f.contact_id, f.deal_id, f.lead_id, d.responsible_id FROM filed_messages f LEFT JOIN deals d ON d.id = f.deal_id
            WHERE f.channel = ? AND f.provider_id = ?
            """, [.integer(Int64(message.channel.rawValue)), .text(message.providerMessageID)]
        ) { FiledMessage(contactID: $0.int64(0), dealID: $0.int64(1), responsibleID: $0.optionalInt64(3), leadID: $0.optionalInt64(2)) }
    }

    /// The chat's contact: the bound one, else matched by the phone the channel gives (C2),
    /// else a new contact under the name the messenger gave.
    private func contact(_ request: FileMessageRequest, known: Set<Int64>, options: CallOptions) async throws -> Contact {
        let message = request.message
        // A Telegram user sharing their own number links the chat to whoever has that number (C2).
        let linking = message.channel == .telegram && message.kind == .contact && !message.phone.isEmpty
        if !linking {
            if let id = request.contactID, known.contains(id) { return Contact(id: id) }
            // A bound contact deleted: the chat is matched afresh below.
            if let id = request.contactID, let bound = try await Self.live(id, contacts, options) { return bound }
        }
        var draft = ContactDraft()
        let name = message.profileName.trimming(.spacesAndNewlines)
        let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
        draft.firstName = String((parts.first ?? "").prefix(200))
        draft.lastName = String((parts.count > 1 ? parts[1] : "").prefix(200))
        // The sender's own number only: a card they share may be anyone's.
        if !message.phone.isEmpty { draft.phones = [message.phone] }
        if message.channel == .telegram {
            draft.customFields.append(CustomField(name: "telegram", value: message.chatID))
            if !message.userName.isEmpty { draft.customFields.append(CustomField(name: "telegram_username", value: "@" + message.userName)) }
            if draft.firstName.isEmpty && draft.lastName.isEmpty && draft.phones.isEmpty {
                draft.firstName = message.userName.isEmpty ? "Telegram \(message.chatID)" : "@" + message.userName
            }
        } else if draft.firstName.isEmpty && draft.phones.isEmpty {
            draft.firstName = "WhatsApp \(message.chatID)"
        }
        draft.source = ContactSource(channel: message.channel.name)
        // C8: a message sent before its sender was erased (a provider's retry) does not bring them back.
        let request = MatchOrCreateRequest(draft: draft, occurredAtMilliseconds: message.atMilliseconds > 0 ? message.atMilliseconds : nil)
        return try await contacts.call(Contacts.matchOrCreate, request, options: options).contact
    }

    /// The contact bound to a chat, the survivor if it was merged (C3); nil when it is gone.
    static func live(_ id: Int64, _ contacts: RPCClient, _ options: CallOptions) async throws -> Contact? {
        guard var contact = try await RPCError.nilIfNotFound({ try await contacts.call(Contacts.get, GetContactRequest(id: id), options: options) }) else { return nil }
        if let survivor = contact.mergedInto {
            guard let merged = try await RPCError.nilIfNotFound({ try await contacts.call(Contacts.get, GetContactRequest(id: survivor), options: options) }) else { return nil }
            contact = merged
        }
        return contact.deleted || contact.mergedInto != nil ? nil : contact
    }

    /// A lead from the messenger, processed at once (its contact is known): stored for the
    /// lead report (D7) with a new deal in the channel's pipeline.
    static func openLead(_ tx: Transaction, _ message: InboundMessage, contact: Contact, pipelines: [Pipeline], now: Int64) throws -> (Int64, Deal) {
        var lead = Lead()
        lead.channel = message.channel.name
        lead.partner = message.channel.name
        lead.externalID = message.providerMessageID
        lead.firstName = contact.firstName
        lead.lastName = contact.lastName
        lead.phone = contact.phones.first?.number ?? ""
        lead.comment = String(message.text.prefix(1000))
        try tx.run(
            """
            INSERT INTO leads (channel, partner, external_id, lead, status, low_quality, reason, received_at, processed_at, contact_id)
            VALUES (?, ?, ?, ?, ?, 0, '', ?, ?, ?)
            """,
            [.text(lead.channel), .text(lead.partner), .text(lead.externalID), .blob(lead.wireBytes()), .integer(Int64(LeadStatus.processed.rawValue)),
             .integer(now), .integer(now), .integer(contact.id)])
        let leadID = tx.lastInsertRowID
        try LeadReportStore.received(tx, leadID: leadID, lead, lowQuality: false, at: now)
        let opened = try LeadIntake.openDeal(tx, for: lead, leadID: leadID, contact: contact, summary: "lead from \(lead.channel)", pipelines: pipelines, now: now)
        try tx.run("UPDATE leads SET deal_id = ? WHERE id = ?", [.integer(opened.id), .integer(leadID)])
        try LeadReportStore.linkDeal(tx, leadID: leadID, dealID: opened.id)
        return (leadID, opened)
    }

    /// Staff's answer on the deal's timeline (the conversation's latest deal), by whom.
    static func answered(_ tx: Transaction, _ message: ConversationMessage, at: Int64) throws {
        let line = Self.cut("\(Self.name(of: message.channel)) answer: \(message.text)")
        try TimelineStore.append(tx, TimelineStore.entry(kind: "message", dealID: message.dealID, contactID: message.contactID, summary: line, actorID: message.sentBy, at: at))
        if let dealID = message.dealID {
            try ReplyWatch.answered(tx, dealID: dealID, at: at)
            try LeadReportStore.responded(tx, dealID: dealID, at: at)
        }
    }

    /// The timeline's line: the channel and what was written (a button's title, a file's type).
    static func summary(_ message: InboundMessage) -> String {
        let what: String
        switch message.kind {
        case .media: what = "sent a file (\(message.mimeType.isEmpty ? "media" : message.mimeType))" + (message.text.isEmpty ? "" : ": \(message.text)")
        case .contact: what = "shared a contact: \(message.sharedPhone)"
        case .button: what = "pressed \"\(message.text.isEmpty ? message.buttonData : message.text)\""
        default: what = message.text
        }
        return cut("\(name(of: message.channel)): \(what)")
    }

    static func name(of channel: NotificationChannel) -> String { channel == .whatsapp ? "WhatsApp" : "Telegram" }

    /// A timeline line of at most ``summaryLimit`` characters.
    static func cut(_ line: String) -> String {
        line.count > summaryLimit ? String(line.prefix(summaryLimit - 1)) + "…" : line
    }

    static func name(_ contact: Contact) -> String {
        [contact.firstName, contact.lastName].filter { !$0.isEmpty }.joined(separator: " ")
    }
}
