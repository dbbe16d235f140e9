import Contracts
import Digest
import Foundation
import NotificationsService
import Schemas
import Testing
import Wire

/// N1–N3 as plain values: templates checked and rendered per channel, the retry
/// schedules, the Standard Webhooks signature, quiet hours.
@Suite struct NotificationRulesTests {
    @Test func n2ATemplateNamesOnlyVariablesItsEventOffersAndEveryBraceCloses() throws {
        let offered = Set(EventCatalog.byType[Deals.Event.won]!.variables)
        #expect(try TemplateRenderer(parsing: "Hello {{contact.first_name}}, deal {{ deal.title | upper }}").unknownVariable(offered: offered, eventType: "deal.won") == nil)
        #expect(try TemplateRenderer(parsing: "{{order.total}}").unknownVariable(offered: offered, eventType: "deal.won") == "{{order.total}} is not a variable deal.won offers")
        #expect(throws: TemplateRenderer.Problem(message: "a {{ is never closed")) { try TemplateRenderer(parsing: "Hi {{contact.first_name") }
        #expect(throws: TemplateRenderer.Problem(message: "{{deal.title | shout}}: shout is not a filter (time, date, clock, upper, lower)")) { try TemplateRenderer(parsing: "{{deal.title | shout}}") }
        #expect(throws: TemplateRenderer.Problem.self) { try TemplateRenderer(parsing: "{{ }}") }
    }

    @Test func n2ValuesAreEscapedForTheirChannelAndWrittenInTheLocaleAndZone() throws {
        let t = try TemplateRenderer(parsing: "<b>{{contact.first_name}}</b>: {{payment.amount}} at {{payment.paid_at | time}} ({{payment.paid_at | clock}})")
        let values: [String: TemplateValue] = [
            "contact.first_name": .text("Tom & <Jerry>"), "payment.amount": .money(minor: 150_050, currency: "RUB"),
            "payment.paid_at": .time(milliseconds: 1_795_000_000_000),
        ]
        let moscow = TimeZone(identifier: "Europe/Moscow")!
        #expect(t.render(values, channel: .telegram, locale: "ru", zone: moscow) == "<b>Tom &amp; &lt;Jerry&gt;</b>: 1\u{00A0}500,50 RUB at 18.11.2026 14:06 (14:06)")
        #expect(t.render(values, channel: .sms, locale: "en", zone: TimeZone(identifier: "UTC")!) == "<b>Tom & <Jerry></b>: 1,500.50 RUB at 2026-11-18 11:06 (11:06)")
        #expect(try TemplateRenderer(parsing: "{{x}}").render(["x": .money(minor: -5, currency: "JPY")], channel: .sms) == "-5 JPY")
    }

    @Test func n1RetriesFollowSvixsScheduleThenStop() {
        let delays = (1...8).map { RetrySchedule.webhook(afterAttempt: $0) }
        #expect(delays == [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, nil], "eight attempts: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h")
        #expect(RetrySchedule.message(afterAttempt: 6) == nil && RetrySchedule.message(afterAttempt: 1) == 10)
        #expect(RetrySchedule.disableAfterMilliseconds == 432_000_000)
    }

    @Test func n1TheSignatureIsStandardWebhooksHMACOverIdTimestampAndBody() {
        // The Standard Webhooks spec's own example.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let body = Array(#"{"test": 2432232314}"#.utf8)
        #expect(WebhookSignature.sign(secret: secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let fresh = WebhookSignature.newSecret()
        #expect(fresh.hasPrefix("whsec_") && WebhookSignature.key(fresh).count == 24)
    }

    @Test func n3QuietHoursHoldASendUntilTheyEndInTheRecipientsZone() {
        let moscow = TimeZone(identifier: "Europe/Moscow")!
        // 2026-12-01 20:30 UTC is 23:30 in Moscow: quiet 22:00–08:00 holds it until 05:00 UTC.
        let late: Int64 = 1_796_157_000_000
        #expect(QuietHours.end(of: late, from: 22 * 60, to: 8 * 60, zone: moscow) == 1_796_187_600_000)
        #expect(QuietHours.end(of: late, from: 9 * 60, to: 18 * 60, zone: moscow) == nil)
    }

    @Test func n6AScoreIsAButtonOrAMessageFrom0To10() {
        #expect(SurveyStore.score(text: "", button: "nps:1") == 1)
        #expect(SurveyStore.score(text: " 10 ", button: "") == 10)
        #expect(SurveyStore.score(text: "11", button: "") == nil && SurveyStore.score(text: "great!", button: "") == nil && SurveyStore.score(text: "", button: "nps:-1") == nil)
        #expect(SurveyProgress.askAfterMilliseconds == 600_000 && SurveyProgress.waitMilliseconds == 86_400_000)
    }

    @Test func n5AnAlertFiresOnlyAfterItsConditionHeldForItsDurationRepeatsWhileItHoldsAndResolves() {
        var a = Alert(id: 1, name: "Missed calls", metric: .missedCalls, threshold: 5, windowMinutes: 60, forMinutes: 10, repeatMinutes: 60, chatID: "1", state: .inactive)
        let m: Int64 = 60_000
        var said: [AlertEvaluator.Message?] = []
        for (minute, value) in [(0, 6), (5, 7), (9, 3), (10, 6), (19, 6), (20, 6), (50, 8), (80, 9), (81, 2), (82, 9)] as [(Int64, Int64)] {
            let (next, message) = AlertEvaluator.step(a, value: value, now: minute * m)
            a = next
            said.append(message)
        }
        // A dip at minute 9 restarts the wait: fires at 20, not 10; repeats at 80; resolves at 81; 82 is pending again.
        #expect(said == [nil, nil, nil, nil, nil, .firing(value: 6), nil, .stillFiring(value: 9), .resolved(value: 2), nil])
        #expect(a.state == .pending && a.sinceMilliseconds == 82 * m)
        let now = AlertEvaluator.step(Alert(threshold: 1, forMinutes: 0, state: .inactive), value: 1, now: 0)
        #expect(now.0.state == .firing && now.1 == .firing(value: 1), "for 0 minutes: at once")
        #expect(AlertEvaluator.text(a, .resolved(value: 2)) == "✅ resolved: <b>Missed calls</b>: 2")
    }

    /// A window installer's qualification: 7 questions, one branch (a flat skips the floor question).
    static func flow() -> BotFlow {
        func choice(_ key: String, _ answers: [(String, String)]) -> BotQuestion {
            BotQuestion(questionKey: key, text: key + "?", kind: .choice, choices: answers.map { BotChoice(label: $0.0, next: $0.1) }, field: key)
        }
        func text(_ key: String, _ next: String) -> BotQuestion { BotQuestion(questionKey: key, text: key + "?", kind: .text, next: next, field: key) }
        return BotFlow(name: "Windows", first: "home", questions: [
            choice("home", [("house", "floors"), ("flat", "rooms")]),
            text("floors", "rooms"),
            choice("rooms", [("1-2", "windows"), ("3+", "windows")]),
            text("windows", "budget"),
            choice("budget", [("<100k", "when"), (">100k", "when")]),
            choice("when", [("now", "city"), ("later", "city")]),
            text("city", "end"),
        ])
    }

    @Test func n6ABotFlowIsAGraphWhereEveryQuestionIsReachedAndEveryPathEnds() {
        #expect(BotFlowValidator.violations(Self.flow()).isEmpty)
        var loop = Self.flow()
        loop.questions[6].next = "home"
        #expect(BotFlowValidator.violations(loop).map(\.description) == ["a path never ends: home → floors → rooms → windows → budget → when → city → home"])
        var orphan = Self.flow()
        orphan.questions[0].choices[0].next = "rooms"
        #expect(BotFlowValidator.violations(orphan).map(\.field) == ["questions[1]"], "floors can no longer be reached")
        var dangling = Self.flow()
        dangling.questions[3].next = "colour"
        #expect(BotFlowValidator.violations(dangling).map(\.description) == ["colour is not a question of the flow"])
        var short = Self.flow()
        short.questions.removeLast()
        short.questions[5].choices = [BotChoice(label: "now", next: "end"), BotChoice(label: "now", next: "end")]
        #expect(Set(BotFlowValidator.violations(short).map(\.field)) == ["questions", "questions[5].choices"])
    }
}

/// N1: the cost in the send log, by country for SMS and WhatsApp.
@Suite struct SendCostTests {
    @Test func n1ANumbersCountryComesFromItsCallingCode() {
        #expect(PhoneCountry.of("+79165550101") == "RU")
        #expect(PhoneCountry.of("7 701 555 0101") == "KZ" && PhoneCountry.of("+76125550101") == "KZ")
        #expect(PhoneCountry.of("+375291234567") == "BY" && PhoneCountry.of("380441112233") == "UA" && PhoneCountry.of("+998901234567") == "UZ")
        #expect(PhoneCountry.of("+491701234567") == "DE" && PhoneCountry.of("+44 20 7946 0958") == "GB")
        // +1 spans several countries; unknown codes and non-numbers have none.
        #expect(PhoneCountry.of("+12025550101") == nil && PhoneCountry.of("+2125550101") == nil && PhoneCountry.of("not a number") == nil && PhoneCountry.of("+7916") == nil)
    }

    @Test func n1TheProvidersFigureComesFirstThenTheCountrysThenTheChannels() {
        var settings = ChannelSettings(channel: .sms, provider: "smsru", baseURL: "https://sms.ru", costMinor: 500, currency: "RUB")
        settings.countryCosts = [CountryCost(country: "RU", costMinor: 350), CountryCost(country: "KZ", costMinor: 1_200)]
        #expect(SendCost(channel: .sms, address: "+79165550101", reportedMinor: nil, reportedCurrency: nil, settings: settings) == SendCost(minor: 350, currency: "RUB", country: "RU"))
        #expect(SendCost(channel: .sms, address: "+77015550101", reportedMinor: nil, reportedCurrency: nil, settings: settings).minor == 1_200)
        #expect(SendCost(channel: .sms, address: "+375291234567", reportedMinor: nil, reportedCurrency: nil, settings: settings) == SendCost(minor: 500, currency: "RUB", country: "BY"))
        #expect(SendCost(channel: .sms, address: "+79165550101", reportedMinor: 289, reportedCurrency: "RUB", settings: settings).minor == 289)
        // A chat id is no phone number: the channel's cost.
        var telegram = settings
        telegram.channel = .telegram
        #expect(SendCost(channel: .telegram, address: "79165550101", reportedMinor: nil, reportedCurrency: nil, settings: telegram) == SendCost(minor: 500, currency: "RUB", country: ""))
    }
}

/// N1: a provider's delivery statuses only move a send forward.
@Suite struct DeliveryProgressTests {
    @Test func n1ASendMovesSentThenDeliveredThenReadAndNeverBack() {
        #expect(DeliveryProgress.next(from: .sent, reported: .delivered) == .delivered)
        #expect(DeliveryProgress.next(from: .delivered, reported: .read) == .read)
        #expect(DeliveryProgress.next(from: .sent, reported: .undelivered) == .undelivered)
        // Late or repeated: nothing changes.
        #expect(DeliveryProgress.next(from: .read, reported: .delivered) == nil)
        #expect(DeliveryProgress.next(from: .delivered, reported: .undelivered) == nil, "delivered is a fact a late failure does not undo")
        #expect(DeliveryProgress.next(from: .delivered, reported: .delivered) == nil)
        #expect(DeliveryProgress.next(from: .delivered, reported: .sent) == nil)
        // Undelivered, then it got through after all.
        #expect(DeliveryProgress.next(from: .undelivered, reported: .delivered) == .delivered)
        // A send the provider never took takes no status.
        #expect(DeliveryProgress.next(from: .scheduled, reported: .delivered) == nil && DeliveryProgress.next(from: .failed, reported: .read) == nil)
    }
}

/// N6: the survey's state machine on an injected clock.
@Suite struct SurveyProgressTests {
    /// G1 (issue 22 item 32): the document's list of event types a template or rule may
    /// be for is the catalog notifications keeps, and P2: the topology sends it exactly those.
    @Test func n2TheDocumentsEventTypesAreTheCatalogs() {
        #expect(notificationEventTypes == EventCatalog.entries.map(\.type))
        // The inbox's own events it applies itself (a service never subscribes to itself).
        #expect(Topology.notificationEvents == EventCatalog.taken)
        #expect(Set(EventCatalog.entries.map(\.type)) == Set(EventCatalog.taken + [Notifications.Event.messageReceived, Notifications.Event.messageSent, Notifications.Event.conversationAssigned]))
    }

    /// N6 (issue 22 item 14): the question in the recipient's language, the name escaped
    /// for Telegram's HTML; a permanent refusal ends the survey.

    @Test func n6TheQuestionIsInTheRecipientsLanguageWithTheNameEscaped() {
        #expect(SurveyProgress.question(firstName: "Вера", locale: "ru") == "Вера, насколько вероятно, что вы порекомендуете нас другу? 0–10")
        #expect(SurveyProgress.question(firstName: "", locale: "ru") == "Насколько вероятно, что вы порекомендуете нас другу? 0–10")
        #expect(SurveyProgress.question(firstName: "<Bob>", locale: "en") == "&lt;Bob&gt;, how likely are you to recommend us to a friend? 0–10")
        let refused = SurveyProgress.refused(SurveyProgress.planned(dealID: 1, contactID: 2, wonAt: 0), why: "Telegram answered 400")
        #expect(refused.status == .failed && !SurveyProgress.isDue(refused, now: .max))
    }

    @Test func n6ASurveyIsAskedTenMinutesAfterTheWinTakesAScoreFor24HoursAndThenNoMore() {
        let won: Int64 = 1_800_000_000_000
        let planned = SurveyProgress.planned(dealID: 7, contactID: 3, wonAt: won)
        #expect(planned.status == .planned && !SurveyProgress.isDue(planned, now: won + 599_999) && SurveyProgress.isDue(planned, now: won + 600_000))
        // Telegram down: again a minute later.
        let retried = SurveyProgress.askFailed(planned, why: "503", at: won + 600_000)
        #expect(!SurveyProgress.isDue(retried, now: won + 600_000) && SurveyProgress.isDue(retried, now: won + 660_000))
        let asking = SurveyProgress.asked(retried, chat: "555", at: won + 660_000)
        #expect(asking.status == .asking && asking.chatID == "555" && asking.expiresAtMilliseconds == won + 660_000 + 86_400_000)
        #expect(SurveyProgress.answered(planned, score: 5, at: won + 700_000) == nil, "not asked yet")
        #expect(SurveyProgress.answered(asking, score: 11, at: won + 700_000) == nil)
        let answered = SurveyProgress.answered(asking, score: 1, at: won + 700_000)
        #expect(answered?.status == .answered && answered?.score == 1 && SurveyProgress.needsFollowUp(1) && !SurveyProgress.needsFollowUp(3))
        #expect(SurveyProgress.answered(answered!, score: 9, at: won + 800_000) == nil, "answered once")
        // A day after asking: expired, and a late reply is not an answer.
        let late = won + 660_000 + 86_400_000
        #expect(!SurveyProgress.hasExpired(asking, now: late - 1) && SurveyProgress.hasExpired(asking, now: late))
        #expect(SurveyProgress.answered(asking, score: 9, at: late) == nil)
        #expect(SurveyProgress.expired(asking).status == .expired)
    }
}

/// N3: the unsubscribe link's token names one contact and channel, signed.
@Suite struct UnsubscribeTokenTests {
    @Test func n3AnUnsubscribeTokenIsSignedForItsContactAndCannotBeMadeForAnother() {
        let key = Array(repeating: UInt8(7), count: 32)
        let text = UnsubscribeToken(contactID: 42, channel: .email).text(key: key)
        #expect(text.hasPrefix("42-1-") && text.count == "42-1-".count + 32)
        #expect(UnsubscribeToken.verify(text, key: key) == UnsubscribeToken(contactID: 42, channel: .email))
        // Another contact with the same signature, another key, a cut signature: none is a token.
        let signature = text.split(separator: "-").last!
        #expect(UnsubscribeToken.verify("43-1-\(signature)", key: key) == nil)
        #expect(UnsubscribeToken.verify(text, key: Array(repeating: 8, count: 32)) == nil)
        #expect(UnsubscribeToken.verify(String(text.dropLast()), key: key) == nil && UnsubscribeToken.verify("0-1-\(signature)", key: key) == nil)
        #expect(UnsubscribeToken.verify("42-0-\(signature)", key: key) == nil && UnsubscribeToken.verify("junk", key: key) == nil)
    }
}

/// N6: a conversation's answers kept before BotAnswers existed (as a deal update) read the same.
@Suite struct BotAnswersTests {
    @Test func n6AnswersKeptAsADealUpdateReadAsBotAnswers() throws {
        // The bytes such a request had: its deal id (field 1) and custom fields (field 9).
        let fields = [CustomField(name: "home", value: "flat"), CustomField(name: "city", value: "Казань")]
        var old = WireEncoder()
        old.encode(1, Int64(7))
        old.encode(9, fields)
        #expect(try BotAnswers(wireBytes: old.bytes).fields == fields)
    }
}
