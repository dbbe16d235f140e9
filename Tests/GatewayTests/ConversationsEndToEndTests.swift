import Contracts
import Digest
import Foundation
import Glibc
import Testing
import TestSupport

/// Issue 25 (D3, D5): WhatsApp and Telegram messages through the gateway's hook ledger
/// become one lead and deal per new person, then entries on that deal's timeline, kept in
/// a conversation per chat that its assignee (and their team) reads, and nobody else.
@Suite struct ConversationsEndToEndTests {
    static let operatorOne = "conversations-operator-one-0123"
    static let operatorTwo = "conversations-operator-two-0123"
    static let appSecret = "wa-app-secret-0123456789"
    static let telegramSecret = "telegram-secret-token-0123"

    struct System {
        let processes: [Hosted]
        var gateway: Hosted
        let gatewayEnvironment: [String: String]
        var notifications: Hosted { processes[0] }

        /// The gateway killed already, started again on its data.
        mutating func restartGateway() async throws {
            gateway = try await Hosted.start(executable: "switchboard-gateway", environment: gatewayEnvironment, process: true)
        }

        func request(_ method: String, _ path: String, key: String = adminKey, body: String? = nil, headers: [String: String] = [:]) async throws -> HTTPExchange {
            try await httpRequest(
                port: gateway.port, method, path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"].merging(headers) { $1 }, body: body)
        }

        func items(_ path: String, key: String = adminKey) async throws -> [[String: Any]] {
            try await request("GET", path, key: key).json["items"] as? [[String: Any]] ?? []
        }

        func stop() async throws {
            for p in [gateway] + processes { try await p.stop() }
        }
    }

    /// `dealsClock`: a file deals reads its business time from (notes' edit window, reply tasks).
    /// `processes`: notifications and the gateway run as processes of their own (a test stops and kills them).
    static func start(dealsClock: URL? = nil, processes: Bool = false) async throws -> System {
        let folder = try temporaryFolder("conversations")
        let notificationsPort = try freePort()
        let contacts = try await Hosted.start(
            executable: "switchboard-contacts",
            environment: ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let deals = try await Hosted.start(
            executable: "switchboard-deals",
            environment: [
                "DEALS_PORT": "0", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path, "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)",
                "DEALS_SUBSCRIBERS": "notifications@127.0.0.1:\(notificationsPort)",
            ].merging(dealsClock.map { ["DEALS_CLOCK_FILE": $0.path] } ?? [:]) { a, _ in a })
        let notifications = try await Hosted.start(
            executable: "switchboard-notifications",
            environment: [
                "NOTIFICATIONS_PORT": "\(notificationsPort)", "NOTIFICATIONS_ADMIN_PORT": "0", "NOTIFICATIONS_DATA_DIR": folder.appendingPathComponent("notifications").path,
                "NOTIFICATIONS_CONTACTS": "127.0.0.1:\(contacts.port)", "NOTIFICATIONS_DEALS": "127.0.0.1:\(deals.port)", "NOTIFICATIONS_TELEPHONY": "",
                "NOTIFICATIONS_SUBSCRIBERS": "deals@127.0.0.1:\(deals.port)",
                // The fake WhatsApp API listens on loopback, which the outbound policy refuses unless allowed.
                "NOTIFICATIONS_OUTBOUND_ALLOW": "loopback",
            ], process: processes)
        // A fixed port, so the gateway started again after a kill -9 is where the test calls.
        let environment = [
            "GATEWAY_PORT": processes ? "\(try freePort())" : "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
            "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(deals.port),notifications=127.0.0.1:\(notificationsPort)",
            "GATEWAY_API_KEYS": "\(adminKey)=admin,\(operatorOne)=staff:1,\(operatorTwo)=staff:2",
            "GATEWAY_RATE_LIMIT": "100000", "GATEWAY_RATE_BURST": "100000",
        ]
        let gateway = try await Hosted.start(executable: "switchboard-gateway", environment: environment, process: processes)
        return System(processes: [notifications, deals, contacts], gateway: gateway, gatewayEnvironment: environment)
    }

    /// Meta's published text message (../shared/payloads/whatsapp/webhook-text-message.vendor-doc.json), its id and text as given.
    /// `at`: its Unix time; the published one's by default.
    static func whatsApp(id: String, text: String, from: String = "16315551234", at: Int64 = 1_603_059_201) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"8856996819413533","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505553333","phone_number_id":"27681414235104944"},"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"\#(from)"}],"messages":[{"from":"\#(from)","id":"\#(id)","timestamp":"\#(at)","text":{"body":"\#(text)"},"type":"text"}]},"field":"messages"}]}]}"#
    }

    static func signature(_ body: String) -> String {
        "sha256=" + HMAC.authenticationCode(.sha256, key: Array(appSecret.utf8), message: Array(body.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test func d3d5n1g3c2MessagesBecomeOneLeadThenTimelineEntriesAndTheirConversationIsSeenByItsAssigneeOnly() async throws {
        let system = try await Self.start()
        for body in [#"{"firstName":"Olga","role":"operator","mobiles":["+79161112233"]}"#, #"{"firstName":"Pavel","role":"operator"}"#] {
            #expect(try await system.request("POST", "/v1/staff", body: body).status == 201)
        }
        let made = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"wa","kind":"whatsapp","secret":"\#(Self.appSecret)"}"#)
        let verifyToken = try #require(made.json["verifyToken"] as? String, "\(made.body)")
        // Meta's GET handshake: the challenge echoed for the integration's token only.
        let handshake = try await system.request("GET", "/v1/hooks/wa?hub.mode=subscribe&hub.verify_token=\(verifyToken)&hub.challenge=1158201444")
        #expect(handshake.status == 200 && handshake.body == "1158201444")
        #expect(try await system.request("GET", "/v1/hooks/wa?hub.mode=subscribe&hub.verify_token=wv_guess&hub.challenge=1").status == 403)

        // D3: the first message from a new number: one contact, one lead, one deal, one message on its timeline.
        let first = Self.whatsApp(id: "wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W", text: "Hello this is an answer")
        #expect(try await system.request("POST", "/v1/hooks/wa", body: first, headers: ["X-Hub-Signature-256": Self.signature(first)]).status == 200)
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations").count == 1 })
        let conversation = try #require(try await system.items("/v1/conversations").first)
        let conversationID = try #require(conversation["id"] as? Int)
        let dealID = try #require(conversation["dealId"] as? Int)
        #expect(conversation["channel"] as? String == "whatsapp" && conversation["unread"] as? Int == 1 && conversation["title"] as? String == "Kerry Fisher")
        let contacts = try await system.items("/v1/contacts?phone=%2B16315551234")
        #expect(contacts.count == 1 && contacts.first?["firstName"] as? String == "Kerry" && contacts.first?["id"] as? Int == conversation["contactId"] as? Int)
        #expect(try await system.items("/v1/deals").count == 1)
        let timeline = try await system.items("/v1/deals/\(dealID)/timeline")
        #expect(timeline.contains { $0["kind"] as? String == "message" && ($0["summary"] as? String)?.contains("Hello this is an answer") == true }, "\(timeline)")

        // A second message: the same deal, no new lead; the same message again: nothing new.
        // Written just now: WhatsApp's 24-hour window is open from it.
        let second = Self.whatsApp(id: "wamid.second", text: "When can you come?", at: Int64(Date().timeIntervalSince1970))
        for body in [second, first, second] {
            #expect(try await system.request("POST", "/v1/hooks/wa", body: body, headers: ["X-Hub-Signature-256": Self.signature(body)]).status == 200)
        }
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations/\(conversationID)/messages").count == 2 })
        #expect(try await system.items("/v1/conversations/\(conversationID)/messages").first?["text"] as? String == "When can you come?")
        #expect(try await system.items("/v1/deals").count == 1)
        #expect(try await system.items("/v1/deals/\(dealID)/timeline").filter { $0["kind"] as? String == "message" }.count == 2)
        #expect(try await system.items("/v1/conversations?unread=true").first?["unread"] as? Int == 2)

        // G3: unassigned, every operator sees it; assigned to Olga (staff 1), Pavel (staff 2) sees nothing of it.
        #expect(try await system.items("/v1/conversations", key: Self.operatorTwo).count == 1)
        let assigned = try await system.request("POST", "/v1/conversations/\(conversationID)/assign", body: #"{"assigneeId":1}"#)
        #expect(assigned.status == 200 && assigned.json["assigneeId"] as? Int == 1)
        #expect(try await system.request("POST", "/v1/conversations/\(conversationID)/assign", body: #"{"assigneeId":99}"#).status == 422)
        #expect(try await system.items("/v1/conversations", key: Self.operatorTwo).isEmpty)
        for (method, path, body) in [
            ("GET", "/v1/conversations/\(conversationID)/messages", nil), ("POST", "/v1/conversations/\(conversationID)/read", nil),
            ("POST", "/v1/conversations/\(conversationID)/close", nil), ("POST", "/v1/conversations/\(conversationID)/messages", #"{"text":"hi"}"#),
            ("POST", "/v1/conversations/\(conversationID)/assign", #"{"assigneeId":2}"#),
        ] {
            let hidden = try await system.request(method, path, key: Self.operatorTwo, body: body)
            let ghost = try await system.request(method, path.replacingOccurrences(of: "/\(conversationID)/", with: "/987654/"), key: Self.operatorTwo, body: body)
            #expect(hidden.status == 404 && ghost.status == 404 && (hidden.json["detail"] as? String)?.replacingOccurrences(of: "\(conversationID)", with: "987654") == ghost.json["detail"] as? String)
        }
        let mine = try await system.items("/v1/conversations?mine=true", key: Self.operatorOne)
        #expect(mine.map { $0["id"] as? Int } == [conversationID])
        #expect(try await system.request("GET", "/v1/conversations?mine=true").status == 422, "mine needs a staff token")
        #expect(try await system.request("POST", "/v1/conversations/\(conversationID)/read", key: Self.operatorOne).json["unread"] as? Int == 0)
        #expect(try await system.items("/v1/conversations?unread=true").isEmpty)

        // Olga answers within the window: through the send log to a fake WhatsApp API, then sent, then read; on the timeline.
        let api = try NotificationsEndToEndTests.Receiver(answer: #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.answer-1"}]}"#)
        let channel = #"{"provider":"whatsapp-cloud","baseUrl":"\#(api.url)","token":"wa-access-token","sender":"27681414235104944"}"#
        #expect(try await system.request("PUT", "/v1/notification-channels/whatsapp", body: channel).status == 200)
        #expect(try await system.request("POST", "/v1/conversations/\(conversationID)/messages", key: Self.operatorTwo, body: #"{"text":"mine now"}"#).status == 404)
        let answer = try await system.request("POST", "/v1/conversations/\(conversationID)/messages", key: Self.operatorOne, body: #"{"text":"Tomorrow at 10?"}"#)
        #expect(answer.status == 201 && answer.json["status"] as? String == "scheduled" && answer.json["direction"] as? String == "outbound", "\(answer.body)")
        #expect(try await eventually { api.log.requests.withLock { $0.count } == 1 })
        let sent = try #require(api.log.requests.withLock { $0.first })
        let sentBody = String(decoding: sent.body, as: UTF8.self)
        #expect(sent.path == "/27681414235104944/messages" && sentBody.contains(#""to":"16315551234""#) && sentBody.contains("Tomorrow at 10?"), "\(sentBody)")
        func latest() async throws -> [String: Any]? {
            try await system.items("/v1/conversations/\(conversationID)/messages").first { $0["direction"] as? String == "outbound" }
        }
        #expect(try await eventuallyAsync { try await latest()?["status"] as? String == "sent" })
        let taken = try await latest()
        #expect(taken?["providerMessageId"] as? String == "wamid.answer-1" && taken?["sentBy"] as? Int == 1)
        let read = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","statuses":[{"id":"wamid.answer-1","status":"read","timestamp":"\#(Int64(Date().timeIntervalSince1970))","recipient_id":"16315551234"}]}}]}]}"#
        #expect(try await system.request("POST", "/v1/hooks/wa", body: read, headers: ["X-Hub-Signature-256": Self.signature(read)]).status == 200)
        #expect(try await eventuallyAsync { try await latest()?["status"] as? String == "read" })
        #expect(try await eventuallyAsync {
            try await system.items("/v1/deals/\(dealID)/timeline").contains { ($0["summary"] as? String) == "WhatsApp answer: Tomorrow at 10?" }
        })

        // Another person whose only message is days old: the window is closed; text is refused, an approved template goes.
        let old = Self.whatsApp(id: "wamid.old", text: "Hi", from: "16315550000")
        #expect(try await system.request("POST", "/v1/hooks/wa", body: old, headers: ["X-Hub-Signature-256": Self.signature(old)]).status == 200)
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations?channel=whatsapp").count == 2 })
        let stale = try #require(try await system.items("/v1/conversations?channel=whatsapp").first { $0["chatId"] as? String == "16315550000" }?["id"] as? Int)
        let closed = try await system.request("POST", "/v1/conversations/\(stale)/messages", body: #"{"text":"Still interested?"}"#)
        #expect(closed.status == 409 && (closed.json["detail"] as? String)?.contains("24-hour window") == true, "\(closed.body)")
        let template = #"{"template":{"name":"follow_up","language":"en_US","parameters":["Kerry","English B1"]}}"#
        #expect(try await system.request("POST", "/v1/conversations/\(stale)/messages", body: template).status == 201)
        #expect(try await eventually { api.log.requests.withLock { $0.count } == 2 })
        let templated = String(decoding: try #require(api.log.requests.withLock { $0.last }).body, as: UTF8.self)
        #expect(templated.contains(#""type":"template""#) && templated.contains(#""name":"follow_up""#) && templated.contains("English B1"), "\(templated)")

        // N3 (issue 25): a rule tells the conversation's assignee of each new message, here over WhatsApp to Olga's mobile.
        let told = try #require(try await system.request(
            "POST", "/v1/templates", body: #"{"name":"To the assignee","channel":"whatsapp","eventType":"message.received","body":"{{contact.first_name}} ({{message.channel}}): {{message.text}}"}"#).json["id"] as? Int)
        let rule = #"{"name":"Tell the assignee","eventType":"message.received","templateId":\#(told),"recipient":"responsible","enabled":true}"#
        #expect(try await system.request("POST", "/v1/notification-rules", body: rule).status == 201)
        let third = Self.whatsApp(id: "wamid.third", text: "Is 10 ok for the whole family?", at: Int64(Date().timeIntervalSince1970))
        #expect(try await system.request("POST", "/v1/hooks/wa", body: third, headers: ["X-Hub-Signature-256": Self.signature(third)]).status == 200)
        #expect(try await eventually {
            api.log.requests.withLock { $0.contains { String(decoding: $0.body, as: UTF8.self).contains(#""to":"79161112233""#) } }
        })
        let word = try #require(api.log.requests.withLock { $0.first { String(decoding: $0.body, as: UTF8.self).contains(#""to":"79161112233""#) } })
        #expect(String(decoding: word.body, as: UTF8.self).contains("Kerry (whatsapp): Is 10 ok for the whole family?"))

        // Telegram: a private message from a new user makes a contact with their Telegram id and username, and a conversation.
        #expect(try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"tg","kind":"telegram","secret":"\#(Self.telegramSecret)"}"#).status == 201)
        let update = #"{"update_id":233970560,"message":{"message_id":1791,"from":{"id":535558561,"is_bot":false,"first_name":"Ahmad","last_name":"Taheri","username":"ahmadtaheri_ircl","language_code":"fa"},"chat":{"id":535558561,"first_name":"Ahmad","last_name":"Taheri","username":"ahmadtaheri_ircl","type":"private"},"date":1545575318,"text":"Do you have evening classes?"}}"#
        #expect(try await system.request("POST", "/v1/hooks/tg", body: update, headers: ["X-Telegram-Bot-Api-Secret-Token": Self.telegramSecret]).status == 200)
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations?channel=telegram").count == 1 })
        let telegram = try #require(try await system.items("/v1/conversations?channel=telegram").first)
        let contact = try await system.request("GET", "/v1/contacts/\(telegram["contactId"] as? Int ?? 0)").json
        let fields = (contact["customFields"] as? [String: Any]) ?? [:]
        #expect(contact["firstName"] as? String == "Ahmad" && fields["telegram"] as? String == "535558561" && fields["telegram_username"] as? String == "@ahmadtaheri_ircl", "\(contact)")
        #expect(try await system.items("/v1/deals").count == 3, "a new person over a new channel: a new lead")
        // Ahmad shares his own number: the chat is the contact who has it (C2) from then on.
        let known = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Ahmad","lastName":"Taheri","phones":["+79160007788"]}"#)
        let knownID = try #require((known.json["contact"] as? [String: Any])?["id"] as? Int)
        let shared = #"{"update_id":233970561,"message":{"message_id":1792,"from":{"id":535558561,"first_name":"Ahmad"},"chat":{"id":535558561,"type":"private"},"date":1545575400,"contact":{"phone_number":"79160007788","first_name":"Ahmad","user_id":535558561}}}"#
        #expect(try await system.request("POST", "/v1/hooks/tg", body: shared, headers: ["X-Telegram-Bot-Api-Secret-Token": Self.telegramSecret]).status == 200)
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations?channel=telegram").first?["contactId"] as? Int == knownID })

        // Closed: listed with state=closed, open again at the person's next message.
        #expect(try await system.request("POST", "/v1/conversations/\(conversationID)/close").json["closed"] as? Bool == true)
        #expect(try await system.items("/v1/conversations?state=closed&channel=whatsapp").map { $0["id"] as? Int } == [conversationID])
        let again = Self.whatsApp(id: "wamid.again", text: "One more thing", at: Int64(Date().timeIntervalSince1970))
        #expect(try await system.request("POST", "/v1/hooks/wa", body: again, headers: ["X-Hub-Signature-256": Self.signature(again)]).status == 200)
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations?state=open").contains { $0["id"] as? Int == conversationID } })
        try await system.stop()
    }

    /// G2 (issue 25): messages answered 200 are kept before the answer: a kill -9 of the gateway right after,
    /// with notifications stopped meanwhile, loses none of them, and none is filed twice.
    @Test func g2AKillNineOfTheGatewayRightAfterTheAnswersLosesNoMessage() async throws {
        var system = try await Self.start(processes: true)
        #expect(try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"wa","kind":"whatsapp","secret":"\#(Self.appSecret)"}"#).status == 201)
        try await system.notifications.process.suspend()
        for i in 0..<20 {
            let body = Self.whatsApp(id: "wamid.kill-\(i)", text: "message \(i)", at: Int64(Date().timeIntervalSince1970))
            #expect(try await system.request("POST", "/v1/hooks/wa", body: body, headers: ["X-Hub-Signature-256": Self.signature(body)]).status == 200)
        }
        system.gateway.process.signal(SIGKILL)
        _ = try await system.gateway.process.waitForExit()
        system.notifications.process.signal(SIGCONT)
        try await system.restartGateway()
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            guard let conversation = try? await system.items("/v1/conversations").first, let id = conversation["id"] as? Int else { return false }
            return (try? await system.items("/v1/conversations/\(id)/messages?limit=100").count) == 20
        })
        #expect(try await system.items("/v1/deals").count == 1, "one person, one lead")
        try await system.stop()
    }

    /// D4, D5 (issue 25 item 5): a note names Pavel, who is told over his channel; only its author edits it, for 15
    /// minutes, every earlier text kept; a person's message left unanswered past the pipeline's time is a reply
    /// task, which the answer completes.
    @Test func d4d5ANoteMentionsTellTheMentionedAndOnlyItsAuthorEditsItForAWhile() async throws {
        let folder = try temporaryFolder("conversations-clock")
        let clock = DialerEndToEndTests.Clock(file: folder.appendingPathComponent("now"))
        let start = (Int64(Date().timeIntervalSince1970) / 60) * 60_000
        try clock.set(start)
        let system = try await Self.start(dealsClock: clock.file)
        for body in [#"{"firstName":"Olga","role":"operator"}"#, #"{"firstName":"Pavel","role":"operator","mobiles":["+79164445566"]}"#] {
            #expect(try await system.request("POST", "/v1/staff", body: body).status == 201)
        }
        let api = try NotificationsEndToEndTests.Receiver(answer: #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.note"}]}"#)
        #expect(try await system.request("PUT", "/v1/notification-channels/whatsapp", body: #"{"provider":"whatsapp-cloud","baseUrl":"\#(api.url)","token":"t","sender":"55"}"#).status == 200)
        let template = try #require(try await system.request(
            "POST", "/v1/templates", body: #"{"name":"Mentioned","channel":"whatsapp","eventType":"note.mention","body":"{{contact.first_name}}: {{note.text}}"}"#).json["id"] as? Int)
        #expect(try await system.request("POST", "/v1/notification-rules", body: #"{"name":"Mentions","eventType":"note.mention","templateId":\#(template),"recipient":"responsible","enabled":true}"#).status == 201)
        let contact = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Vera","phones":["+79165550303"]}"#)
        let contactID = try #require((contact.json["contact"] as? [String: Any])?["id"] as? Int)
        let deal = try #require(try await system.request("POST", "/v1/deals", body: #"{"title":"Windows","contactId":\#(contactID),"responsibleId":1}"#).json["id"] as? Int)

        // Olga writes a note naming Pavel: on the timeline, and Pavel is told on his mobile.
        #expect(try await system.request("POST", "/v1/deals/\(deal)/notes", key: Self.operatorOne, body: #"{"text":"Call her back","mentions":[99]}"#).status == 422)
        let note = try await system.request("POST", "/v1/deals/\(deal)/notes", key: Self.operatorOne, body: #"{"text":"Wants 3 windows; Pavel, measure on Friday?","mentions":[2]}"#)
        #expect(note.status == 201 && note.json["authorId"] as? Int == 1, "\(note.body)")
        let noteID = try #require(note.json["id"] as? Int)
        #expect(try await eventually {
            api.log.requests.withLock { $0.contains { String(decoding: $0.body, as: UTF8.self).contains(#""to":"79164445566""#) } }
        })
        let told = String(decoding: try #require(api.log.requests.withLock { $0.first }).body, as: UTF8.self)
        #expect(told.contains("Vera: Wants 3 windows; Pavel, measure on Friday?"), "\(told)")
        // Pavel does not see Olga's deal: its note is not there for him; an admin's key is not its author either.
        #expect(try await system.request("PUT", "/v1/notes/\(noteID)", key: Self.operatorTwo, body: #"{"text":"mine"}"#).status == 404)
        #expect(try await system.request("PUT", "/v1/notes/\(noteID)", body: #"{"text":"mine"}"#).status == 403)
        // A note written with an API key has no person for an author: an admin changes it.
        let keyed = try #require(try await system.request("POST", "/v1/deals/\(deal)/notes", body: #"{"text":"imported"}"#).json["id"] as? Int)
        #expect(try await system.request("PUT", "/v1/notes/\(keyed)", key: Self.operatorOne, body: #"{"text":"mine"}"#).status == 403)
        #expect(try await system.request("PUT", "/v1/notes/\(keyed)", body: #"{"text":"imported from the old CRM"}"#).status == 200)
        let edited = try await system.request("PUT", "/v1/notes/\(noteID)", key: Self.operatorOne, body: #"{"text":"Wants 4 windows"}"#)
        #expect(edited.status == 200 && (edited.json["history"] as? [[String: Any]])?.first?["text"] as? String == "Wants 3 windows; Pavel, measure on Friday?")
        #expect(try await system.items("/v1/deals/\(deal)/timeline").contains { $0["kind"] as? String == "note" && $0["summary"] as? String == "Wants 4 windows" })
        try clock.set(start + 16 * 60_000)
        let late = try await system.request("PUT", "/v1/notes/\(noteID)", key: Self.operatorOne, body: #"{"text":"Wants 5 windows"}"#)
        #expect(late.status == 409, "\(late.body)")

        // A pipeline answering WhatsApp within 30 minutes: unanswered, a reply task comes; answered, it is done.
        let pipeline = #"{"name":"Messengers","channels":["whatsapp"],"replyWithinMinutes":30,"stages":[{"name":"New"},{"name":"Won","outcome":"won"},{"name":"Lost","outcome":"lost"}]}"#
        #expect(try await system.request("POST", "/v1/pipelines", body: pipeline).status == 201)
        #expect(try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"wa","kind":"whatsapp","secret":"\#(Self.appSecret)"}"#).status == 201)
        let hello = Self.whatsApp(id: "wamid.waiting", text: "Anyone there?", at: (start + 16 * 60_000) / 1000)
        #expect(try await system.request("POST", "/v1/hooks/wa", body: hello, headers: ["X-Hub-Signature-256": Self.signature(hello)]).status == 200)
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations").count == 1 })
        let waiting = try #require(try await system.items("/v1/conversations").first)
        let waitingDeal = try #require(waiting["dealId"] as? Int)
        #expect(try await system.items("/v1/tasks?dealId=\(waitingDeal)").isEmpty)
        // Handed to Pavel, who hears nothing back: the reply task is his.
        let waitingID = try #require(waiting["id"] as? Int)
        #expect(try await system.request("POST", "/v1/conversations/\(waitingID)/assign", body: #"{"assigneeId":2}"#).status == 200)
        let again = Self.whatsApp(id: "wamid.waiting-2", text: "Hello?", at: (start + 17 * 60_000) / 1000)
        #expect(try await system.request("POST", "/v1/hooks/wa", body: again, headers: ["X-Hub-Signature-256": Self.signature(again)]).status == 200)
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations/\(waitingID)/messages").count == 2 })
        try clock.set(start + 48 * 60_000)
        #expect(try await eventuallyAsync {
            try await system.items("/v1/tasks?dealId=\(waitingDeal)").contains { $0["kind"] as? String == "reply" && $0["assigneeId"] as? Int == 2 }
        })
        #expect(try await system.request("POST", "/v1/conversations/\(waiting["id"] as? Int ?? 0)/messages", body: #"{"text":"Yes, here"}"#).status == 201)
        #expect(try await eventuallyAsync { try await system.items("/v1/tasks?dealId=\(waitingDeal)").isEmpty }, "the answer completes the reply task")
        try await system.stop()
    }

    /// N6 over WhatsApp (issue 25 item 4): a lead that came by WhatsApp is qualified there, two choices as reply
    /// buttons, more as a numbered list answered by number.
    @Test func n6ABotAsksAWhatsAppLeadWithButtonsAndANumberedList() async throws {
        let system = try await Self.start()
        let api = try NotificationsEndToEndTests.Receiver(answer: #"{"messaging_product":"whatsapp","messages":[{"id":"wamid.bot"}]}"#)
        #expect(try await system.request("PUT", "/v1/notification-channels/whatsapp", body: #"{"provider":"whatsapp-cloud","baseUrl":"\#(api.url)","token":"t","sender":"55"}"#).status == 200)
        #expect(try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"wa","kind":"whatsapp","secret":"\#(Self.appSecret)"}"#).status == 201)
        let choices = [
            #"{"key":"q1","text":"Windows or doors?","kind":"choice","field":"what","choices":[{"label":"Windows","next":"q2"},{"label":"Doors","next":"q2"}]}"#,
            #"{"key":"q2","text":"How many?","kind":"choice","field":"count","choices":[{"label":"1","next":"q3"},{"label":"2-3","next":"q3"},{"label":"4-6","next":"q3"},{"label":"more","next":"q3"}]}"#,
        ]
        let texts = (3...7).map { n in #"{"key":"q\#(n)","text":"Question \#(n)?","kind":"text","field":"q\#(n)","next":"\#(n == 7 ? "end" : "q\(n + 1)")"}"# }
        #expect(try await system.request("POST", "/v1/bot-flows", body: #"{"name":"Qualify","first":"q1","questions":[\#((choices + texts).joined(separator: ","))]}"#).status == 201)
        func sent(_ n: Int) -> String? { api.log.requests.withLock { $0.count > n ? String(decoding: $0[n].body, as: UTF8.self) : nil } }
        func post(_ body: String) async throws {
            #expect(try await system.request("POST", "/v1/hooks/wa", body: body, headers: ["X-Hub-Signature-256": Self.signature(body)]).status == 200)
        }
        let now = Int64(Date().timeIntervalSince1970)
        try await post(Self.whatsApp(id: "wamid.hi", text: "Hi, I need a quote", at: now))
        #expect(try await eventually { sent(0) != nil })
        let first = try #require(sent(0))
        #expect(first.contains(#""type":"interactive""#) && first.contains("Windows or doors?") && first.contains(#""id":"bot:q1:Windows""#) && first.contains(#""to":"16315551234""#), "\(first)")
        // The button pressed (an interactive button_reply), then the list answered by its number.
        let pressed = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"16315551234"}],"messages":[{"from":"16315551234","id":"wamid.press","timestamp":"\#(now)","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"bot:q1:Windows","title":"Windows"}}}]}}]}]}"#
        try await post(pressed)
        #expect(try await eventually { sent(1) != nil })
        let second = try #require(sent(1))
        #expect(second.contains(#""type":"text""#) && second.contains("How many?") && second.contains("3. 4-6"), "\(second)")
        // The answer delivered twice is one answer: the rest of the flow lines up, and its answers land on the deal.
        try await post(Self.whatsApp(id: "wamid.three", text: "3", at: now))
        try await post(Self.whatsApp(id: "wamid.three", text: "3", at: now))
        for (n, answer) in ["Kazan", "flat", "soon", "big", "no"].enumerated() {
            #expect(try await eventually { sent(2 + n)?.contains("Question \(3 + n)?") == true }, "asked question \(3 + n)")
            try await post(Self.whatsApp(id: "wamid.answer-\(n)", text: answer, at: now))
        }
        let deal = try #require(try await system.items("/v1/deals").first?["id"] as? Int)
        var fields: [String: Any] = [:]
        #expect(try await eventuallyAsync {
            fields = (try? await system.request("GET", "/v1/deals/\(deal)").json["customFields"] as? [String: Any]) ?? [:]
            return fields["q7"] != nil
        })
        #expect(fields["what"] as? String == "Windows" && fields["count"] as? String == "4-6" && fields["q3"] as? String == "Kazan" && fields["q7"] as? String == "no", "\(fields)")
        try await system.stop()
    }

    /// N6 (issue 25 item 4): a web lead gets a single-use Telegram deep link; opening it binds the chat to the
    /// lead's contact and the qualification bot asks its first question there.
    @Test func n6AWebLeadsTelegramLinkBindsTheChatAndStartsTheBotOnce() async throws {
        let system = try await Self.start()
        for body in [#"{"firstName":"Olga","role":"operator"}"#, #"{"firstName":"Pavel","role":"operator"}"#] {
            #expect(try await system.request("POST", "/v1/staff", body: body).status == 201)
        }
        let telegram = try NotificationsEndToEndTests.Receiver()
        #expect(try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"tg","kind":"telegram","secret":"\#(Self.telegramSecret)"}"#).status == 201)
        let questions = (1...7).map { n in #"{"key":"q\#(n)","text":"Question \#(n)?","kind":"text","field":"q\#(n)","next":"\#(n == 7 ? "end" : "q\(n + 1)")"}"# }
        #expect(try await system.request("POST", "/v1/bot-flows", body: #"{"name":"Qualify","first":"q1","questions":[\#(questions.joined(separator: ","))]}"#).status == 201)
        // Without the bot's username there is no link: the lead is taken all the same.
        #expect(try await system.request("PUT", "/v1/notification-channels/telegram", body: #"{"provider":"telegram","baseUrl":"\#(telegram.url)","token":"42:SECRET"}"#).status == 200)
        let bare = try await system.request("POST", "/v1/leads", key: Self.operatorOne, body: #"{"channel":"web","phone":"+79160000002","firstName":"Ivan","telegramLink":true}"#)
        #expect(bare.status == 201 && bare.json["telegramLink"] == nil, "\(bare.body)")
        let noBot = try await system.request("POST", "/v1/deals/\(bare.json["dealId"] as? Int ?? 0)/telegram-link")
        #expect(noBot.status == 409 && (noBot.json["detail"] as? String)?.contains("bot's username") == true, "\(noBot.body)")
        #expect(try await system.request("PUT", "/v1/notification-channels/telegram", body: #"{"provider":"telegram","baseUrl":"\#(telegram.url)","token":"42:SECRET","sender":"SwitchboardBot"}"#).status == 200)

        let lead = try await system.request("POST", "/v1/leads", key: Self.operatorOne, body: #"{"channel":"web","phone":"+79160000001","firstName":"Lena","telegramLink":true}"#)
        let link = try #require(lead.json["telegramLink"] as? String, "\(lead.body)")
        let dealID = try #require(lead.json["dealId"] as? Int)
        #expect(link.hasPrefix("https://t.me/SwitchboardBot?start=l"))
        // G3: Olga's deal; Pavel gets no link for it, as for a deal that does not exist.
        #expect(try await system.request("POST", "/v1/deals/\(dealID)/telegram-link", key: Self.operatorTwo).status == 404)
        let token = String(link.split(separator: "=").last ?? "")
        func open(_ chat: Int, _ id: Int) -> String {
            #"{"update_id":\#(id),"message":{"message_id":\#(id),"from":{"id":\#(chat),"is_bot":false,"first_name":"Lena"},"chat":{"id":\#(chat),"type":"private"},"date":1800000000,"text":"/start \#(token)"}}"#
        }
        #expect(try await system.request("POST", "/v1/hooks/tg", body: open(4242, 1), headers: ["X-Telegram-Bot-Api-Secret-Token": Self.telegramSecret]).status == 200)
        #expect(try await eventually {
            telegram.received.contains { (try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]).map { "\($0["chat_id"] ?? "")" == "4242" && $0["text"] as? String == "Question 1?" } ?? false }
        }, "the bot asks in the chat that opened the link")
        let conversation = try #require(try await system.items("/v1/conversations?channel=telegram").first { $0["chatId"] as? String == "4242" })
        #expect(conversation["contactId"] as? Int == lead.json["contactId"] as? Int && conversation["dealId"] as? Int == dealID)
        #expect(try await system.items("/v1/conversations/\(conversation["id"] as? Int ?? 0)/messages").first?["text"] as? String == "/start", "the token is never kept")
        // Used once: the same link from another chat binds nothing: that person is someone new (a lead of their own).
        #expect(try await system.request("POST", "/v1/hooks/tg", body: open(5555, 2), headers: ["X-Telegram-Bot-Api-Secret-Token": Self.telegramSecret]).status == 200)
        #expect(try await eventuallyAsync { try await system.items("/v1/conversations?channel=telegram").contains { $0["chatId"] as? String == "5555" } })
        let other = try await system.items("/v1/conversations?channel=telegram").first { $0["chatId"] as? String == "5555" }
        #expect(other?["contactId"] as? Int != lead.json["contactId"] as? Int)
        try await system.stop()
    }
}
