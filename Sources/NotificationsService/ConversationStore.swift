import Contracts
import Foundation
import JSON
import RPC
import ServiceKit
import Storage
import Wire

/// D3, D5 (issue 25): the inbox. What people write over WhatsApp and Telegram is filed
/// with deals first (their contact, a new lead or the open deal's timeline), then kept in
/// the contact's conversation for that chat with its unread count and assignee (the
/// deal's responsible at first). Each inbound message once by the provider's id: a
/// redelivered webhook answers what the first delivery kept, and a delivery that failed
/// half-way (deals filed it, this store did not) is completed by the next.
///
/// G3: a restricted person sees conversations assigned to them or their team, and the
/// unassigned ones everybody may pick up; another conversation answers as if it did not
/// exist.
public struct ConversationStore: Sendable {
    let database: Database
    let deals: RPCClient
    let contacts: RPCClient
    let clock: WallClock

    /// Most characters kept of a message's text (WhatsApp allows 4,096, Telegram 4,096).
    static let textLimit = 4_096

    public init(database: Database, deals: RPCClient, contacts: RPCClient, clock: WallClock) {
        self.database = database
        self.deals = deals
        self.contacts = contacts
        self.clock = clock
    }

    // MARK: Inbound

    /// Files and keeps each message in order; a message that cannot be filed now (deals
    /// not answering) fails the call so the gateway's relay delivers the webhook again. The
    /// served call's deadline bounds the filing (CallPropagation).
    public func record(_ batch: InboundMessages) async throws -> InboundOutcome {
        guard batch.messages.count <= InboundMessages.limit else {
            throw RPCError.invalidArgument("at most \(InboundMessages.limit) messages at once", details: [FieldViolation(field: "messages", description: "has \(batch.messages.count)")])
        }
        for (i, m) in batch.messages.enumerated() {
            let violations = Self.violations(m, at: "messages[\(i)]")
            guard violations.isEmpty else { throw RPCError.invalidArgument("the message is not valid", details: violations) }
        }
        let now = clock.milliseconds
        // A deep link opened (N6): the token is a credential, never kept or filed; its contact is the chat's.
        let tokens = batch.messages.map { $0.channel == .telegram ? StartLinks.token(in: $0.text) : nil }
        let messages = zip(batch.messages, tokens).map { message, token in
            var opened = message
            if token != nil { opened.text = "/start" }
            return opened
        }
        // Deep links are claimed first, each by one chat: a second chat opening one is not bound to it.
        let links = tokens.contains(where: { $0 != nil }) ? try await database.write { tx in
            try zip(messages, tokens).map { m, token in try token.flatMap { try StartLinks.claim(tx, token: $0, chat: m.chatID, now: now) } }
        } : Array(repeating: nil, count: messages.count)
        let (kept, bindings) = try await database.read { c in
            (try messages.map { try Self.kept(c, channel: Int64($0.channel.rawValue), provider: $0.providerMessageID) },
             try messages.map { try Self.binding(c, $0) })
        }
        // Deals files what is not kept yet, in one call; a repeat there answers the first filing.
        let todo = messages.indices.filter { kept[$0] == nil }
        var filed: [FiledMessage] = []
        if !todo.isEmpty {
            let request = FileMessagesRequest(messages: todo.map {
                FileMessageRequest(message: messages[$0], contactID: links[$0]?.contactID ?? bindings[$0].contactID, assigneeID: bindings[$0].assigneeID)
            })
            filed = try await deals.call(Deals.fileMessages, request).messages
            guard filed.count == todo.count else { throw RPCError(.internal, "deals filed \(filed.count) of \(todo.count) messages") }
        }
        let done = filed
        return try await database.write { tx in
            var outcome = InboundOutcome()
            var next = 0
            for (i, message) in messages.enumerated() {
                if let first = kept[i] {
                    outcome.messages.append(first)
                    continue
                }
                let filing = done[next]
                next += 1
                if let again = try Self.kept(tx.connection, channel: Int64(message.channel.rawValue), provider: message.providerMessageID) {
                    outcome.messages.append(again)
                    continue
                }
                if let link = links[i] { try BotConversation.start(tx, dealID: link.dealID, contactID: link.contactID, chat: message.chatID) }
                outcome.messages.append(try Self.keep(tx, message, filed: filing, now: now))
            }
            return outcome
        }
    }

    static func violations(_ m: InboundMessage, at path: String) -> [FieldViolation] {
        var out: [FieldViolation] = []
        if m.channel != .whatsapp && m.channel != .telegram { out.append(FieldViolation(field: "\(path).channel", description: "is not whatsapp or telegram")) }
        if m.providerMessageID.isEmpty || m.providerMessageID.utf8.count > 200 { out.append(FieldViolation(field: "\(path).providerMessageId", description: "is empty or longer than 200 bytes")) }
        if m.chatID.isEmpty || m.chatID.utf8.count > 100 { out.append(FieldViolation(field: "\(path).chatId", description: "is empty or longer than 100 bytes")) }
        return out
    }

    /// One filed message in its conversation, and message.received.
    static func keep(_ tx: Transaction, _ message: InboundMessage, filed: FiledMessage, now: Int64) throws -> ConversationMessage {
        let at = message.atMilliseconds > 0 ? message.atMilliseconds : now
        var text = message.text
        if text.count > Self.textLimit { text = String(text.prefix(Self.textLimit)) }
        let preview = String((text.isEmpty ? Self.describe(message.kind, mimeType: message.mimeType) : text).prefix(200))
        let title = message.profileName.isEmpty ? (message.userName.isEmpty ? filed.contactName : "@" + message.userName) : message.profileName
        let conversation = try Self.touch(
            tx, channel: message.channel, chat: message.chatID, filed: filed, at: at, preview: preview, title: String(title.prefix(200)))
        var kept = ConversationMessage(
            conversationID: conversation.id, contactID: filed.contactID, dealID: filed.dealID, channel: message.channel, direction: .inbound,
            kind: message.kind == .unspecified ? .text : message.kind, text: text, buttonData: message.buttonData, mediaID: message.mediaID,
            mimeType: message.mimeType, providerMessageID: message.providerMessageID, atMilliseconds: at, assigneeID: conversation.assigneeID,
            newLead: filed.leadID != nil, sharedPhone: message.sharedPhone)
        kept.id = try Self.insert(tx, kept)
        try Self.publish(tx, Notifications.Event.messageReceived, conversation: conversation.id, kept.wireBytes(), at: now)
        // N6: the survey or bot waiting in the chat takes it as an answer (a deep link's /start is the link's).
        if message.kind != .media, message.kind != .contact, !message.text.hasPrefix("/start") {
            _ = try SurveyStore.answer(
                tx, InboundReply(channel: message.channel, chatID: message.chatID, text: message.text, buttonData: message.buttonData, atMilliseconds: message.atMilliseconds),
                now: now)
        }
        return kept
    }

    /// Whom a chat is known to be and who answers it: its conversation's contact and
    /// assignee, else (Telegram) the contact a bot or survey of this service talks to there.
    static func binding(_ c: Connection, _ message: InboundMessage) throws -> (contactID: Int64?, assigneeID: Int64?) {
        let chat = SQLValue.text(message.chatID)
        if let found = try c.queryFirst(
            "SELECT contact_id, assignee_id FROM inbox_conversations WHERE channel = ? AND chat_id = ?", [.integer(Int64(message.channel.rawValue)), chat],
            { ($0.int64(0), $0.optionalInt64(1)) })
        {
            return found
        }
        guard message.channel == .telegram else { return (nil, nil) }
        let contact = try c.queryFirst("SELECT contact_id FROM conversations WHERE chat_id = ? ORDER BY id DESC LIMIT 1", [chat]) { $0.int64(0) }
            ?? c.queryFirst("SELECT contact_id FROM surveys WHERE chat_id = ? ORDER BY id DESC LIMIT 1", [chat]) { $0.int64(0) }
        return (contact, nil)
    }

    /// The chat a contact last wrote from on `channel`.
    static func chat(_ c: Connection, contactID: Int64, channel: NotificationChannel) throws -> String? {
        try c.queryFirst(
            "SELECT chat_id FROM inbox_conversations WHERE contact_id = ? AND channel = ? ORDER BY last_inbound_at DESC LIMIT 1",
            [.integer(contactID), .integer(Int64(channel.rawValue))]) { $0.string(0) }
    }

    /// The conversation of the chat, made or brought up to date by one more inbound message:
    /// unread one more, reopened, bound to the contact and deal deals filed it on, assigned
    /// to the deal's responsible when nobody has it.
    static func touch(
        _ tx: Transaction, channel: NotificationChannel, chat: String, filed: FiledMessage, at: Int64, preview: String, title: String
    ) throws -> Conversation {
        try tx.run(
            """
            INSERT INTO inbox_conversations (contact_id, channel, chat_id, assignee_id, deal_id, unread, last_message_at, last_inbound_at, preview, title)
            VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
            ON CONFLICT (channel, chat_id) DO UPDATE SET
                contact_id = excluded.contact_id, deal_id = excluded.deal_id, unread = unread + 1, closed = 0,
                assignee_id = coalesce(assignee_id, excluded.assignee_id),
                last_message_at = max(last_message_at, excluded.last_message_at), last_inbound_at = max(last_inbound_at, excluded.last_inbound_at),
                preview = CASE WHEN excluded.last_message_at >= last_message_at THEN excluded.preview ELSE preview END,
                title = CASE WHEN excluded.title != '' THEN excluded.title ELSE title END
            """,
            [.integer(filed.contactID), .integer(Int64(channel.rawValue)), .text(chat), SQLValue(filed.responsibleID), .integer(filed.dealID),
             .integer(at), .integer(at), .text(preview), .text(title)])
        return try tx.queryFirst("SELECT \(columns) FROM inbox_conversations WHERE channel = ? AND chat_id = ?", [.integer(Int64(channel.rawValue)), .text(chat)], conversation)!
    }

    /// An event of the inbox: to its subscribers through the outbox, and to this service's own
    /// rules and outbound webhooks at once (N3), in the same transaction, since a service
    /// never subscribes to itself.
    static func publish(_ tx: Transaction, _ type: String, conversation: Int64, _ payload: [UInt8], at: Int64) throws {
        let id = try tx.appendEvent(type: type, aggregateID: "conversation-\(conversation)", payload: payload)
        try EventIntake.take(EventEnvelope(id: id, type: type, aggregateID: "conversation-\(conversation)", occurredAtMilliseconds: at, source: "notifications", payload: payload), tx)
    }

    static func insert(_ tx: Transaction, _ message: ConversationMessage) throws -> Int64 {
        try tx.run(
            "INSERT INTO inbox_messages (conversation_id, channel, provider_id, body) VALUES (?, ?, ?, x'')",
            [.integer(message.conversationID), .integer(Int64(message.channel.rawValue)), .text(message.providerMessageID)])
        let id = tx.lastInsertRowID
        var stored = message
        stored.id = id
        try tx.run("UPDATE inbox_messages SET body = ? WHERE id = ?", [.blob(stored.wireBytes()), .integer(id)])
        return id
    }

    static func kept(_ c: Connection, channel: Int64, provider: String) throws -> ConversationMessage? {
        // `provider_id != ''` lets SQLite use the partial index (it cannot prove it of a bound value).
        try c.queryFirst("SELECT body FROM inbox_messages WHERE channel = ? AND provider_id = ? AND provider_id != ''", [.integer(channel), .text(provider)]) {
            try ConversationMessage(wireBytes: $0.blob(0))
        }
    }

    /// What a conversation's preview says of a message without text.
    static func describe(_ kind: MessageKind, mimeType: String) -> String {
        switch kind {
        case .media: "[\(mimeType.isEmpty ? "file" : mimeType)]"
        case .contact: "[contact]"
        default: ""
        }
    }

    // MARK: Reading

    static let columns = "id, contact_id, channel, chat_id, assignee_id, deal_id, unread, last_message_at, last_inbound_at, preview, closed, title"

    static func conversation(_ row: Row) -> Conversation {
        Conversation(
            id: row.int64("id"), contactID: row.int64("contact_id"), channel: NotificationChannel(rawValue: row.int("channel")) ?? .unspecified,
            chatID: row.string("chat_id"), assigneeID: row.optionalInt64("assignee_id"), dealID: row.optionalInt64("deal_id"), unread: row.int64("unread"),
            lastMessageAtMilliseconds: row.int64("last_message_at"), lastInboundAtMilliseconds: row.int64("last_inbound_at"),
            preview: row.string("preview"), closed: row.bool("closed"), title: row.string("title"))
    }

    /// G3: assigned to someone the person sees for, or to nobody.
    static func sees(_ visibility: Visibility?, _ conversation: Conversation) -> Bool {
        guard let visibility, visibility.restricted, let assignee = conversation.assigneeID else { return true }
        return visibility.staffIDs.contains(assignee)
    }

    public func list(_ request: ListConversationsRequest) async throws -> ConversationPage {
        var conditions: [String] = [], values: [SQLValue] = []
        if request.mine {
            guard let staff = request.staffID else {
                throw RPCError.invalidArgument("mine is a staff member's: use a staff token", details: [FieldViolation(field: "mine", description: "needs a staff member")])
            }
            conditions.append("assignee_id = ?")
            values.append(.integer(staff))
        }
        if request.unassigned { conditions.append("assignee_id IS NULL") }
        if let contact = request.contactID {
            conditions.append("contact_id = ?")
            values.append(.integer(contact))
        }
        if request.unread { conditions.append("unread > 0") }
        if !request.state.isEmpty { conditions.append(request.state == "closed" ? "closed = 1" : "closed = 0") }
        if request.channel != .unspecified {
            conditions.append("channel = ?")
            values.append(.integer(Int64(request.channel.rawValue)))
        }
        if let visibility = request.visibility, visibility.restricted {
            conditions.append("(assignee_id IS NULL OR assignee_id IN (\(visibility.staffIDs.map { String($0) }.joined(separator: ","))))")
        }
        if !request.cursor.isEmpty {
            let parts = request.cursor.split(separator: ".")
            guard parts.count == 2, let at = Int64(parts[0]), let id = Int64(parts[1]) else {
                throw RPCError.invalidArgument("the cursor is not one this service gave", details: [FieldViolation(field: "cursor", description: "is not valid")])
            }
            conditions.append("(last_message_at < ? OR (last_message_at = ? AND id < ?))")
            values += [.integer(at), .integer(at), .integer(id)]
        }
        let size = Int(request.pageSize == 0 ? 50 : request.pageSize)
        let sql = "SELECT \(Self.columns) FROM inbox_conversations" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY last_message_at DESC, id DESC LIMIT \(size + 1)"
        let bound = values
        return try await database.read { c in
            var found = try c.query(sql, bound, Self.conversation)
            var page = ConversationPage()
            if found.count > size {
                found.removeLast()
                page.nextCursor = "\(found[size - 1].lastMessageAtMilliseconds).\(found[size - 1].id)"
            }
            page.conversations = found
            return page
        }
    }

    /// The conversation if the caller sees it; else not_found, as if it did not exist.
    static func visible(_ c: Connection, _ id: Int64, _ visibility: Visibility?) throws -> Conversation {
        guard let found = try c.queryFirst("SELECT \(columns) FROM inbox_conversations WHERE id = ?", [.integer(id)], conversation), sees(visibility, found) else {
            throw RPCError.notFound("conversation \(id) does not exist")
        }
        return found
    }

    /// Newest first: the cursor names the last message given, the next page is older.
    public func messages(_ request: ConversationMessagesRequest) async throws -> ConversationMessagePage {
        let paging = try PageRequest(size: request.pageSize, cursor: request.cursor, default: 50, maximum: 500)
        let before = paging.afterID == 0 ? Int64.max : paging.afterID
        return try await database.read { c in
            _ = try Self.visible(c, request.conversationID, request.visibility)
            let found = try c.query(
                "SELECT body FROM inbox_messages WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                [.integer(request.conversationID), .integer(before), .integer(Int64(paging.limit + 1))]) { try ConversationMessage(wireBytes: $0.blob(0)) }
            let page = paging.page(found, id: \.id)
            return ConversationMessagePage(messages: page.items, nextCursor: page.nextCursor)
        }
    }

    // MARK: Answering

    /// WhatsApp's customer-service window: free-form messages within 24 hours of the
    /// person's last message, approved templates only after.
    static let whatsAppWindow: Int64 = 24 * 3_600_000
    /// The rule id of answers in the send log: written by staff, no rule renders them, and
    /// below any alert's −id.
    static let replyRule: Int64 = -(1 << 40)
    static let replyEventType = "conversation.reply"

    /// Staff's answer: kept in the conversation as scheduled and queued in the send log,
    /// which sends it with its retries; its statuses come back onto the message.
    public func reply(_ request: ConversationReply) async throws -> ConversationMessage {
        let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty || request.template != nil else {
            throw RPCError.invalidArgument("write something, or name a template", details: [FieldViolation(field: "text", description: "is empty")])
        }
        let now = clock.milliseconds
        return try await database.write { tx in
            let conversation = try Self.visible(tx.connection, request.conversationID, request.visibility)
            switch conversation.channel {
            case .whatsapp:
                let closes = conversation.lastInboundAtMilliseconds + Self.whatsAppWindow
                if request.template == nil && now > closes {
                    throw RPCError(.failedPrecondition, "WhatsApp's 24-hour window closed at \(RFC3339.format(milliseconds: closes)): answer with an approved template (template.name, template.language)")
                }
            default:
                if request.template != nil {
                    throw RPCError.invalidArgument("templates are WhatsApp's", details: [FieldViolation(field: "template", description: "is not taken on \(conversation.channel.name)")])
                }
            }
            let shown = request.template.map { t in "[\(t.name)] " + t.parameters.joined(separator: " · ") } ?? text
            var message = ConversationMessage(
                conversationID: conversation.id, contactID: conversation.contactID, dealID: conversation.dealID, channel: conversation.channel,
                direction: .outbound, kind: .text, text: request.template == nil ? text : shown, atMilliseconds: now, assigneeID: conversation.assigneeID)
            message.status = .scheduled
            message.sentBy = request.sentBy
            message.template = request.template
            message.id = try Self.insert(tx, message)
            var send = OutboundMessage()
            send.ruleID = Self.replyRule
            send.eventID = "reply-\(message.id)"
            send.eventType = Self.replyEventType
            send.channel = conversation.channel
            send.address = conversation.chatID
            send.contactID = conversation.contactID
            send.body = text
            send.template = request.template
            send.status = .scheduled
            send.dueAtMilliseconds = now
            send.sourceKey = "conversation-\(conversation.id)"
            send.createdAtMilliseconds = now
            send.history = [OutboundMessageChange(atMilliseconds: now, status: .scheduled, note: "answer in conversation \(conversation.id) by \(request.sentBy.map { "staff \($0)" } ?? "an API key")")]
            _ = try OutboundLog.insertWritten(tx, &send)
            tx.touch(EventIntake.sendsTopic)
            message.sendID = send.id
            try Self.store(tx, message)
            try tx.run(
                "UPDATE inbox_conversations SET last_message_at = max(last_message_at, ?), preview = ?, unread = 0, closed = 0 WHERE id = ?",
                [.integer(now), .text(String(shown.prefix(200))), .integer(conversation.id)])
            return message
        }
    }

    /// A send of an answer changed (sent, delivered, read, failed): its message says so;
    /// the first time the provider takes it, message.sent goes out (deals puts it on the
    /// timeline).
    static func sendChanged(_ tx: Transaction, _ send: OutboundMessage) throws {
        guard send.eventType == replyEventType, send.eventID.hasPrefix("reply-"), let id = Int64(send.eventID.dropFirst(6)) else { return }
        guard var message = try tx.queryFirst("SELECT body FROM inbox_messages WHERE id = ?", [.integer(id)], { try ConversationMessage(wireBytes: $0.blob(0)) }) else { return }
        let wasTaken = [.sent, .delivered, .read].contains(message.status)
        guard message.status != send.status || message.providerMessageID != send.providerMessageID else { return }
        message.status = send.status
        message.providerMessageID = send.providerMessageID
        message.note = send.status == .failed || send.status == .undelivered ? send.history.last?.note ?? "" : ""
        try store(tx, message)
        if !wasTaken && [.sent, .delivered, .read].contains(send.status) {
            try publish(tx, Notifications.Event.messageSent, conversation: message.conversationID, message.wireBytes(), at: send.history.last?.atMilliseconds ?? message.atMilliseconds)
        }
    }

    static func store(_ tx: Transaction, _ message: ConversationMessage) throws {
        try tx.run("UPDATE inbox_messages SET body = ?, provider_id = ? WHERE id = ?", [.blob(message.wireBytes()), .text(message.direction == .outbound ? "" : message.providerMessageID), .integer(message.id)])
    }

    // MARK: Changing

    public func close(_ request: ConversationRequest) async throws -> Conversation {
        try await database.write { tx in
            var conversation = try Self.visible(tx.connection, request.id, request.visibility)
            try tx.run("UPDATE inbox_conversations SET closed = 1 WHERE id = ?", [.integer(request.id)])
            conversation.closed = true
            return conversation
        }
    }

    public func markRead(_ request: ConversationRequest) async throws -> Conversation {
        try await database.write { tx in
            var conversation = try Self.visible(tx.connection, request.id, request.visibility)
            try tx.run("UPDATE inbox_conversations SET unread = 0 WHERE id = ?", [.integer(request.id)])
            conversation.unread = 0
            return conversation
        }
    }

    /// Hands it to a staff member who exists (asked of contacts); emits conversation.assigned
    /// when the assignee changes.
    public func assign(_ request: AssignConversationRequest) async throws -> Conversation {
        _ = try await database.read { c in try Self.visible(c, request.id, request.visibility) }
        if try await RPCError.nilIfNotFound({ try await contacts.call(Contacts.getStaff, GetStaffRequest(id: request.assigneeID)) }) == nil {
            throw RPCError.invalidArgument("staff member \(request.assigneeID) does not exist", details: [FieldViolation(field: "assigneeId", description: "is unknown")])
        }
        let now = clock.milliseconds
        return try await database.write { tx in
            var conversation = try Self.visible(tx.connection, request.id, request.visibility)
            guard conversation.assigneeID != request.assigneeID else { return conversation }
            try tx.run("UPDATE inbox_conversations SET assignee_id = ? WHERE id = ?", [.integer(request.assigneeID), .integer(request.id)])
            conversation.assigneeID = request.assigneeID
            try Self.publish(tx, Notifications.Event.conversationAssigned, conversation: conversation.id, conversation.wireBytes(), at: now)
            return conversation
        }
    }
}
