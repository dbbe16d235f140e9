import Contracts
import Foundation
import RPC
import ServiceKit
import Sockets
import Storage
import Wire

/// N6: moves surveys and qualification-bot conversations along (a bot asks each question
/// as the one before is answered and saves the answers on the deal when it ends). Surveys: asks planned ones when due (0–10 as inline
/// buttons over the contact's Telegram chat), ends unanswered ones after 24 hours, and
/// carries an answer's effects to deals — the score in the deal's `nps` field, and for
/// 0–2 a follow_up task for the responsible on the deal's contact (a won deal takes no
/// tasks) — retrying until deals has them; a retry finds the task it made.
public final class SurveyRunner: BackgroundService {
    private let database: Database
    private let contacts: RPCClient
    private let deals: RPCClient
    private let logger: Logger
    private let clock: WallClock
    private let loop = BackgroundLoop()
    private let client: ProviderClient

    public init(database: Database, contacts: RPCClient, deals: RPCClient, logger: Logger, clock: WallClock, outbound: OutboundPolicy) {
        client = ProviderClient(maxConnectionsPerHost: 4, outbound: outbound)
        self.database = database
        self.contacts = contacts
        self.deals = deals
        self.logger = logger
        self.clock = clock
        database.onCommit { [loop] commit in if commit.topics.contains(SurveyStore.topic) { loop.wake() } }
    }

    public func start() { loop.start { [self] in await run() } }
    public func stop() async { await loop.stop() }

    /// Most items of each kind taken in one pass.
    static let batch = 50

    private func run() async {
        while !Task.isCancelled {
            var wait: Duration = .seconds(1)
            do {
                let now = clock.milliseconds
                let (due, expired, answered, asks, finished, next) = try await database.read { c in
                    (try c.query("SELECT id FROM surveys WHERE status = 1 AND due_at <= ? LIMIT ?", [.integer(now), .integer(Int64(Self.batch))]) { $0.int64(0) },
                     try c.query("SELECT id FROM surveys WHERE status = 2 AND expires_at <= ? LIMIT ?", [.integer(now), .integer(Int64(Self.batch))]) { $0.int64(0) },
                     try c.query("SELECT id FROM surveys WHERE status = 3 AND effects_done = 0 LIMIT ?", [.integer(Int64(Self.batch))]) { $0.int64(0) },
                     try c.query("SELECT id FROM conversations WHERE status IN (1, 2) AND ask_pending = 1 LIMIT ?", [.integer(Int64(Self.batch))]) { $0.int64(0) },
                     try c.query("SELECT id FROM conversations WHERE status = 3 AND saved = 0 LIMIT ?", [.integer(Int64(Self.batch))]) { $0.int64(0) },
                     try c.queryFirst("SELECT MIN(t) FROM (SELECT MIN(due_at) AS t FROM surveys WHERE status = 1 UNION ALL SELECT MIN(expires_at) FROM surveys WHERE status = 2)", []) { $0.optionalInt64(0) } ?? nil)
                }
                for id in due { await ask(id, now: now) }
                for id in expired { try await change(id) { s in if SurveyProgress.hasExpired(s, now: now) { s = SurveyProgress.expired(s) } } }
                for id in answered { await carry(id) }
                for id in asks { await askBot(id) }
                for id in finished { await saveBot(id) }
                let work = [due, expired, answered, asks, finished]
                if work.contains(where: { $0.count == Self.batch }) {
                    wait = .zero  // more of the same waits
                } else if work.allSatisfy(\.isEmpty) {
                    // Nothing to retry: sleep until the next survey's time (a commit that
                    // plans or answers one wakes the loop sooner).
                    wait = clock.sleep(until: next, now: now)
                } else {
                    // Something could not go through (deals or Telegram down): again in a second.
                    wait = min(.seconds(1), clock.sleep(until: nil, now: now))
                }
            } catch {
                logger.error("cannot move surveys along", ["error": "\(error)"])
            }
            if wait > .zero { await loop.wait(upTo: wait) }
        }
    }

    /// `then`: more to write about the changed survey in the same transaction.
    func change(
        _ id: Int64, _ body: @escaping @Sendable (inout Survey) -> Void, then: @escaping @Sendable (Transaction, Survey) throws -> Void = { _, _ in }
    ) async throws {
        try await database.write { tx in
            guard var s = try SurveyStore.load(tx.connection, id) else { return }
            body(&s)
            try SurveyStore.save(tx, s)
            try then(tx, s)
        }
    }

    func ask(_ id: Int64, now: Int64) async {
        do {
            guard let (s, settings, optedOut) = try await database.read({ c -> (Survey, ChannelSettings?, Bool)? in
                guard let s = try SurveyStore.load(c, id), s.status == .planned else { return nil }
                let out = try c.queryFirst("SELECT 1 FROM opt_outs WHERE contact_id = ? AND channel = ?", [.integer(s.contactID), .integer(Int64(NotificationChannel.telegram.rawValue))]) { $0.int(0) } != nil
                return (s, try ChannelStore.load(c, .telegram), out)
            }) else { return }
            if optedOut { return try await change(id) { $0.status = .skipped; $0.note = "the contact opted out of telegram" } }
            guard let settings, !settings.baseURL.isEmpty else { return try await change(id) { $0.status = .skipped; $0.note = "no telegram channel is set up" } }
            let contact = try await contacts.call(Contacts.get, GetContactRequest(id: s.contactID), options: CallOptions(timeout: .seconds(5)))
            guard let chat = contact.customFields.first(where: { $0.name == "telegram" })?.value, !chat.isEmpty else {
                return try await change(id) { $0.status = .skipped; $0.note = "contact \(s.contactID) has no telegram chat" }
            }
            let text = SurveyProgress.question(firstName: contact.firstName, locale: RecipientLocale(channel: settings, contact: contact).locale)
            var question = Outgoing(address: chat, subject: "", body: text, messageID: "nps-\(id)", eventType: Deals.Event.won)
            question.buttons = (0...10).map { ("\($0)", "nps:\($0)") }
            switch await TelegramChannel().send(question, settings: settings, baseURL: settings.baseURL, client: client) {
            case let .success(accepted):
                try await change(id, { s in s = SurveyProgress.asked(s, chat: chat, at: now) }) { tx, s in
                    try OutboundLog.survey(tx, s, chat: chat, text: text, status: .sent, providerMessageID: accepted.providerMessageID, note: "asked", at: now)
                }
            case let .failure(f) where f.retry:
                try await change(id) { s in s = SurveyProgress.askFailed(s, why: f.message, at: now) }
            case let .failure(f):
                // A permanent refusal (a 4xx but 429): asking again would get the same answer.
                logger.warn("survey question refused", ["survey": "\(id)", "error": f.message])
                try await change(id, { s in s = SurveyProgress.refused(s, why: f.message) }) { tx, s in
                    try OutboundLog.survey(tx, s, chat: chat, text: text, status: .failed, providerMessageID: "", note: f.message, at: now)
                }
            }
        } catch {
            logger.warn("cannot ask a survey yet", ["survey": "\(id)", "error": "\(error)"])
        }
    }

    func carry(_ id: Int64) async {
        do {
            guard let s = try await database.read({ c in try SurveyStore.load(c, id) }), let score = s.score else { return }
            let options = CallOptions(timeout: .seconds(5))
            let deal = try await deals.call(Deals.getDeal, GetDealRequest(id: s.dealID), options: options)
            var update = UpdateDealRequest(dealID: deal.id, fieldMask: ["customFields"])
            update.deal.customFields = deal.customFields.filter { $0.name != "nps" && $0.name != "nps_comment" } + [CustomField(name: "nps", value: String(score))]
                + (s.comment.isEmpty ? [] : [CustomField(name: "nps_comment", value: s.comment)])
            _ = try await deals.call(Deals.updateDeal, update, options: options)
            var note = "score \(score) saved on deal \(deal.id)"
            if SurveyProgress.needsFollowUp(score) {
                // The deal is won (closed): the task goes on its contact, for the responsible,
                // naming the deal; one already open from an earlier try is the one.
                let title = "NPS \(score) on deal \(deal.id): call the client back"
                let open = try await deals.call(Deals.listTasks, ListTasksRequest(assigneeID: deal.responsibleID, pageSize: 1000), options: options)
                if let existing = open.tasks.first(where: { $0.kind == .followUp && $0.contactID == deal.contactID && $0.title == title }) {
                    note += "; follow_up task \(existing.id)"
                } else {
                    var task = DealTask()
                    task.kind = .followUp
                    task.contactID = deal.contactID
                    task.assigneeID = deal.responsibleID
                    task.title = title
                    let made = try await deals.call(Deals.createTask, task, options: options)
                    note += "; follow_up task \(made.task.id)"
                }
            }
            let done = note
            try await change(id) { s in s.effectsDone = true; s.note = done }
        } catch {
            logger.warn("survey effects wait for deals", ["survey": "\(id)", "error": "\(error)"])
        }
    }

    /// The conversation's current question, over the contact's Telegram chat or, for a lead
    /// that came over WhatsApp, their WhatsApp (reply buttons for up to three choices, a
    /// numbered list for more).
    func askBot(_ id: Int64) async {
        do {
            guard let (contactID, chat, current, flow, channel, settings) = try await database.read({ c -> (Int64, String, String, BotFlow?, NotificationChannel, ChannelSettings?)? in
                guard let row = try c.queryFirst("SELECT contact_id, chat_id, current, flow_id, channel FROM conversations WHERE id = ?", [.integer(id)], {
                    ($0.int64(0), $0.string(1), $0.string(2), $0.int64(3), NotificationChannel(rawValue: $0.int(4)) ?? .telegram)
                }) else { return nil }
                let flow = try BotConversation.flows.find(c, id: row.3)
                return (row.0, row.1, row.2, flow, row.4, try ChannelStore.load(c, row.4))
            }) else { return }
            func skip(_ why: String) async throws {
                _ = try await database.write { tx in try tx.run("UPDATE conversations SET status = 4, ask_pending = 0 WHERE id = ?", [.integer(id)]) }
                logger.info("bot conversation skipped", ["conversation": "\(id)", "why": why])
            }
            guard let settings, !settings.baseURL.isEmpty, let flow, let question = flow.questions.first(where: { $0.questionKey == current }) else {
                return try await skip("no \(channel.name) channel or flow")
            }
            var address = chat
            if address.isEmpty {
                // The chat the person wrote from, else (Telegram) the contact's telegram field.
                address = try await database.read { c in try ConversationStore.chat(c, contactID: contactID, channel: channel) } ?? ""
                if address.isEmpty && channel == .telegram {
                    let contact = try await contacts.call(Contacts.get, GetContactRequest(id: contactID), options: CallOptions(timeout: .seconds(5)))
                    address = contact.customFields.first { $0.name == "telegram" }?.value ?? ""
                }
                guard !address.isEmpty else { return try await skip("contact \(contactID) has no \(channel.name) chat") }
            }
            var outgoing = Outgoing(address: address, subject: "", body: TemplateRenderer.escape(question.text, for: channel), messageID: "bot-\(id)-\(current)", eventType: Deals.Event.created)
            outgoing.buttons = question.kind == .choice ? question.choices.map { ($0.label, "bot:\(question.questionKey):\($0.label)") } : []
            // Waiting for the answer from before the question leaves: a person can answer
            // (a button) before this process would have recorded a send that succeeded, and
            // that answer must not find nothing waiting (it was dropped, on a loaded machine).
            let to = address
            _ = try await database.write { tx in
                try tx.run("UPDATE conversations SET status = 2, chat_id = ?, ask_pending = 0 WHERE id = ? AND current = ?", [.text(to), .integer(id), .text(current)])
            }
            if case let .failure(f) = await ChannelAdapters.adapter(for: channel).send(outgoing, settings: settings, baseURL: settings.baseURL, client: client) {
                logger.warn("bot question not sent yet", ["conversation": "\(id)", "error": f.message])
                // Asked again on a later pass, unless an answer came meanwhile.
                _ = try await database.write { tx in
                    try tx.run("UPDATE conversations SET ask_pending = 1 WHERE id = ? AND current = ? AND status = 2", [.integer(id), .text(current)])
                }
            }
        } catch {
            logger.warn("bot question waits", ["conversation": "\(id)", "error": "\(error)"])
        }
    }

    /// A finished conversation's answers, on the deal's fields.
    func saveBot(_ id: Int64) async {
        do {
            guard let (dealID, blob) = try await database.read({ c in
                try c.queryFirst("SELECT deal_id, answers FROM conversations WHERE id = ?", [.integer(id)]) { ($0.int64(0), $0.blob(1)) }
            }) else { return }
            let options = CallOptions(timeout: .seconds(5))
            let deal = try await deals.call(Deals.getDeal, GetDealRequest(id: dealID), options: options)
            let answers = try BotConversation.fields(blob)
            var update = UpdateDealRequest(dealID: deal.id, fieldMask: ["customFields"])
            update.deal.customFields = deal.customFields.filter { f in !answers.contains { $0.name == f.name } } + answers
            _ = try await deals.call(Deals.updateDeal, update, options: options)
            _ = try await database.write { tx in try tx.run("UPDATE conversations SET saved = 1 WHERE id = ?", [.integer(id)]) }
        } catch {
            logger.warn("bot answers wait for deals", ["conversation": "\(id)", "error": "\(error)"])
        }
    }
}
