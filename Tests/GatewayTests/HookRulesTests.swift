import Contracts
import Foundation
import JSON
import ServiceKit
import Storage
import TestSupport
import Digest
import Sockets
@testable import Gateway
@testable import WebhookHub
import Testing

/// G2's rules without sockets: each provider's signature as it really sends it
/// (expected values computed independently, with Python's hmac), and Timepad's formats.
@Suite struct HookRulesTests {
    static let timepadBody = Array(#"{"id":"1001:AB12","event_id":777,"order_id":1001,"status":"paid","status_raw":"paid","email":"maria@example.com","surname":"Иванова","name":"Мария","attended":true,"code":"AB12","event_name":"Вечер поэзии","hook_resend":0}"#.utf8)
    static let cloudPaymentsBody = Array("TransactionId=1211506&Amount=10.00&Currency=RUB&PaymentAmount=10.00&PaymentCurrency=RUB&DateTime=2024-08-09+11%3A49%3A42&CardFirstSix=424242&CardLastFour=4242&CardType=Visa&CardExpDate=01%2F29&TestMode=1&Status=Completed&OperationType=Payment&InvoiceId=DON-42&AccountId=donor%40example.com&Email=donor%40example.com".utf8)

    static func entry(_ kind: IntegrationKind, secret: String = "", token: String = "") -> IntegrationEntry {
        IntegrationEntry(
            id: 1, name: "x", kind: kind, secret: Array(secret.utf8), tokenDigest: token.isEmpty ? [] : Digest.SHA256.digest(token),
            maxBodyBytes: 1 << 20, apiBaseURL: "", apiToken: "", accountID: "")
    }

    static func headers(_ h: [String: String]) -> (String) -> String? { { h[$0] } }

    @Test func g2TimepadSignsTheRawBodyWithHMACSHA1() {
        let timepad = Self.entry(.timepad, secret: "timepad-secret")
        let good = "sha1=a47f85af4ec1b9d4eb2beebf48badc151950c700"
        #expect(HookAuthentication.verify(timepad, header: Self.headers(["x-hub-signature": good]), body: Self.timepadBody, pathToken: nil))
        #expect(HookAuthentication.verify(timepad, header: Self.headers(["x-hub-signature": good.uppercased()]), body: Self.timepadBody, pathToken: nil))
        var tampered = Self.timepadBody
        tampered[tampered.count - 2] = UInt8(ascii: "1")  // hook_resend 0 -> 1
        #expect(!HookAuthentication.verify(timepad, header: Self.headers(["x-hub-signature": good]), body: tampered, pathToken: nil))
        #expect(!HookAuthentication.verify(timepad, header: Self.headers([:]), body: Self.timepadBody, pathToken: nil))
        #expect(!HookAuthentication.verify(timepad, header: Self.headers(["x-hub-signature": "sha256=a47f"]), body: Self.timepadBody, pathToken: nil))
        #expect(!HookAuthentication.verify(Self.entry(.timepad, secret: "other"), header: Self.headers(["x-hub-signature": good]), body: Self.timepadBody, pathToken: nil))
    }

    @Test func g2CloudPaymentsSignsTheStillEncodedFormWithBase64HMACSHA256() {
        let cloud = Self.entry(.cloudpayments, secret: "cp-api-secret")
        let good = "3v4VEz0tb6ngwI+2YE4W99ESrtiYtSpzFQ9uWgBf/Jk="
        #expect(HookAuthentication.verify(cloud, header: Self.headers(["content-hmac": good]), body: Self.cloudPaymentsBody, pathToken: nil))
        // Decoded (or re-encoded) it is another body: the signature is over the bytes that came.
        let decoded = Array(String(decoding: Self.cloudPaymentsBody, as: UTF8.self).removingPercentEncoding!.utf8)
        #expect(!HookAuthentication.verify(cloud, header: Self.headers(["content-hmac": good]), body: decoded, pathToken: nil))
        #expect(!HookAuthentication.verify(cloud, header: Self.headers(["content-hmac": "not base64!"]), body: Self.cloudPaymentsBody, pathToken: nil))
        #expect(HookAuthentication.acceptance(.cloudpayments).body == Array(#"{"code":0}"#.utf8))
    }

    @Test func g2WhatsAppSignsWithHMACSHA256AndUnsignedProvidersUseTheURLToken() {
        let wa = Self.entry(.whatsapp, secret: "wa-app-secret")
        let body = Array(#"{"object":"whatsapp_business_account"}"#.utf8)
        #expect(HookAuthentication.verify(wa, header: Self.headers(["x-hub-signature-256": "sha256=13d6fa9d29fdcc7a5003aac3ac8772d674b9a16569c96e35cae1e505ecfb9fce"]), body: body, pathToken: nil))
        let ringostat = Self.entry(.ringostat, token: "hk_0123456789abcdef")
        #expect(HookAuthentication.verify(ringostat, header: Self.headers([:]), body: [], pathToken: "hk_0123456789abcdef"))
        #expect(!HookAuthentication.verify(ringostat, header: Self.headers([:]), body: [], pathToken: "hk_0123456789abcdeF"))
        #expect(!HookAuthentication.verify(ringostat, header: Self.headers([:]), body: [], pathToken: nil))
        // A signing provider's hook on a token URL is not accepted either way round.
        #expect(!HookAuthentication.verify(Self.entry(.timepad, secret: "s"), header: Self.headers([:]), body: [], pathToken: "anything"))
        #expect(HookAuthentication.acceptance(.ringostat).body.isEmpty)
    }

    @Test func c5ATimepadTicketHookBecomesAReportOfOneAttendee() throws {
        let report = try TimepadAdapter.report(fromHook: Self.timepadBody)
        #expect(report.source == "timepad" && report.eventID == "777" && report.eventTitle == "Вечер поэзии")
        #expect(report.attendees == [Attendee(orderID: "1001", code: "AB12", status: "paid", email: "maria@example.com", surname: "Иванова", name: "Мария", attended: true)])
        // Names only in the answers, the order and code only in the id.
        let sparse = Array(#"{"id":"55:Z9","event_id":"9","status":"ok","answers":[{"id":"mail","value":"p@example.com"},{"id":"surname","value":"Петров"},{"id":"name","value":"Пётр"}]}"#.utf8)
        let fromAnswers = try TimepadAdapter.report(fromHook: sparse)
        #expect(fromAnswers.attendees[0].orderID == "55" && fromAnswers.attendees[0].code == "Z9")
        #expect(fromAnswers.attendees[0].email == "p@example.com" && fromAnswers.attendees[0].surname == "Петров" && !fromAnswers.attendees[0].attended)
        #expect(throws: HookRefusal.self) { try TimepadAdapter.report(fromHook: Array(#"{"event_id":1}"#.utf8)) }
        #expect(throws: HookRefusal.self) { try TimepadAdapter.report(fromHook: Array("event_id=1".utf8)) }
    }

    @Test func c5TimepadOrdersBecomeOneHookPerTicket() throws {
        let page = Array(#"""
            {"total":1,"values":[{"id":1001,"status":{"name":"paid","title":"оплачено"},"mail":"buyer@example.com","event":{"id":777,"name":"Вечер"},
             "tickets":[{"id":1,"number":"AB12","answers":{"surname":"Иванова","name":"Мария","mail":"maria@example.com"}},
                        {"id":2,"number":"AB13","answers":{"surname":"Петров","name":"Пётр"}}]}]}
            """#.utf8)
        let (bodies, total, listed) = try TimepadAdapter.hookBodies(fromOrders: page, eventID: "777")
        #expect(total == 1 && listed == 1 && bodies.count == 2)
        let reports = try bodies.map(TimepadAdapter.report(fromHook:))
        #expect(reports.map { $0.attendees[0].code } == ["AB12", "AB13"])
        // The second ticket has no email of its own: the buyer's is the way to find them.
        #expect(reports[1].attendees[0].email == "buyer@example.com" && reports[1].attendees[0].status == "paid")
        #expect(reports.allSatisfy { $0.eventID == "777" && $0.eventTitle == "Вечер" })
    }

    /// C5 (issue 22 item 8): a hook carrying the order object itself is every ticket of it.
    @Test func c5ATimepadOrderHookIsEveryTicketOfTheOrder() throws {
        let order = Array(#"""
            {"id":2002,"status":{"name":"paid","title":"оплачено"},"mail":"buyer@example.com","event":{"id":778,"name":"Лекция","starts_at":"2026-11-20T19:00:00+03:00"},
             "tickets":[{"id":1,"number":"CD01","answers":{"surname":"Иванова","name":"Мария","mail":"maria@example.com"},"attended":true},
                        {"id":2,"number":"CD02","answers":{"surname":"Петров","name":"Пётр"}}]}
            """#.utf8)
        guard case let .attendance(report) = try HookDelivery.translate(.timepad, body: order) else {
            Issue.record("an order hook is an attendance report")
            return
        }
        #expect(report.eventID == "778" && report.eventTitle == "Лекция")
        #expect(report.eventStartsAtMilliseconds == RFC3339.parse("2026-11-20T16:00:00Z"))
        #expect(report.attendees == [
            Attendee(orderID: "2002", code: "CD01", status: "paid", email: "maria@example.com", surname: "Иванова", name: "Мария", attended: true),
            Attendee(orderID: "2002", code: "CD02", status: "paid", email: "buyer@example.com", surname: "Петров", name: "Пётр", attended: false),
        ])
        #expect(throws: HookRefusal.self) { try TimepadAdapter.report(fromHook: Array(#"{"id":1,"status":{"name":"paid"},"tickets":[{"number":"A"}]}"#.utf8)) }
        #expect(throws: HookRefusal.self) { try TimepadAdapter.report(fromHook: Array(#"{"id":1,"event":{"id":5},"tickets":[]}"#.utf8)) }
    }

    /// B3 (issue 22 item 11): CloudPayments' Recurrent notification (the captured PastDue
    /// body) is a subscription's state, not a payment with no InvoiceId.
    @Test func b3ACloudPaymentsRecurrentNotificationIsASubscriptionsState() throws {
        let pastDue = Array(#"""
            {"Id":"sc_a38ca02005d40db7d32b36a0097b0","AccountId":"1234","Description":"just description","Email":"user@example.com","Amount":"2.00",
             "Currency":"RUB","RequireConfirmation":"0","StartDate":"2015-12-17 20:22:14","Interval":"Month","Period":"1","Status":"PastDue",
             "SuccessfulTransactionsNumber":"11","FailedTransactionsNumber":"22","NextTransactionDate":"2015-11-18 20:29:05"}
            """#.utf8)
        guard case let .subscription(report) = try HookDelivery.translate(.cloudpayments, contentType: "application/json", body: pastDue) else {
            Issue.record("a Recurrent notification is a subscription's state")
            return
        }
        #expect(report.subscriptionID == "sc_a38ca02005d40db7d32b36a0097b0" && report.status == .pastDue && report.provider == .cloudpayments)
        #expect(report.amountMinor == 200 && report.currency == "RUB" && report.email == "user@example.com" && report.accountID == "1234")
        #expect(report.successfulCharges == 11 && report.failedCharges == 22 && report.nextChargeAtMilliseconds == RFC3339.parse("2015-11-18T20:29:05Z"))
        // Named by the URL it was set up on, as a form.
        let form = Array("Id=sc_1&Status=Cancelled&Amount=10.00&Currency=RUB".utf8)
        guard case let .subscription(cancelled) = try HookDelivery.translate(.cloudpayments, contentType: "application/x-www-form-urlencoded", body: form, origin: "webhook:recurrent")
        else { Issue.record("?type=recurrent is a subscription's state"); return }
        #expect(cancelled.status == .cancelled)
        #expect(throws: HookRefusal.self) { try HookDelivery.translate(.cloudpayments, body: Array("Id=sc_1&Status=Paused".utf8), origin: "webhook:recurrent") }
        // A recurring charge (a transaction naming its subscription) is still a payment.
        guard case .payment = try HookDelivery.translate(.cloudpayments, body: Array("TransactionId=5&SubscriptionId=sc_1&Amount=10.00&Currency=RUB".utf8), origin: "webhook:pay")
        else { Issue.record("a charge is a payment"); return }
    }

    @Test func g2AWindows1251HookIsReadAsWhatItSays() throws {
        let text = #"{"event_id":1,"order_id":2,"code":"C","status_raw":"paid","email":"a@example.com","surname":"Иванова","name":"Мария"}"#
        let cp1251 = Array(text.data(using: .windowsCP1251)!)
        #expect(cp1251 != Array(text.utf8))
        guard case let .attendance(report) = try HookDelivery.translate(.timepad, contentType: "application/json; charset=windows-1251", body: cp1251) else { return }
        #expect(report.attendees[0].surname == "Иванова" && report.attendees[0].name == "Мария")
        #expect(throws: HookRefusal.self) { try HookDelivery.translate(.timepad, contentType: "application/json; charset=ebcdic", body: cp1251) }
        // Without a charset the bytes must be UTF-8.
        #expect(throws: HookRefusal.self) { try HookDelivery.translate(.timepad, body: cp1251) }
    }

    @Test func g2HooksOfOneEventMergeIntoOneCallUnlessATicketRepeats() throws {
        func hook(_ order: Int, event: Int = 777) throws -> HookDelivery {
            try HookDelivery.translate(.timepad, body: Array(#"{"event_id":\#(event),"order_id":\#(order),"code":"C","status_raw":"paid","email":"a\#(order)@example.com","event_name":"E"}"#.utf8))
        }
        guard case let .attendance(two)? = try hook(1).merging(try hook(2)) else {
            Issue.record("two tickets of one event did not merge")
            return
        }
        #expect(two.attendees.map(\.orderID) == ["1", "2"])
        #expect(try hook(1).merging(try hook(1)) == nil, "the same ticket twice keeps its order as two calls")
        #expect(try hook(1).merging(try hook(2, event: 778)) == nil)
    }

    @Test func b3ABacklogOfPaymentsGoesInCallsOfUpToTheLimitInOrder() throws {
        func payment(_ i: Int) throws -> HookDelivery {
            try HookDelivery.translate(
                .cloudpayments, contentType: "application/x-www-form-urlencoded",
                body: Array("TransactionId=\(i)&Amount=100.00&Currency=RUB&Email=d\(i)%40example.org&Status=Completed".utf8))
        }
        var batch = try payment(0)
        var taken = 1
        while taken < PaymentReports.limit + 10, batch.absorb(try payment(taken)) { taken += 1 }
        guard case let .payments(list) = batch else {
            Issue.record("payments did not become one call")
            return
        }
        #expect(taken == PaymentReports.limit)
        #expect(list.map(\.providerPaymentID) == (0..<PaymentReports.limit).map(String.init))
        #expect(list[1].email == "d1@example.org")
        // A full batch is left as it was.
        #expect(!batch.absorb(try payment(9999)))
        guard case let .payments(after) = batch else { return }
        #expect(after == list)
    }

    @Test func g2FormBodiesAreDecodedAsFoundationsPercentDecodingDoes() {
        let bodies = [
            "a=1&b=two+words&c=%D0%98%D0%B2%D0%B0%D0%BD&d=&e", "x%5By%5D=1&x%5By%5D=2", "caf%C3%A9=%2B7+916", "Имя=Анна&&k=v",
            "bad=%zz", "cut=%4", "notutf8=%C3%28", "=nameless", "plus=a+%2B+b", "pct=100%25",
        ]
        for body in bodies {
            let expected: [(String, String)]? = {
                var out: [(String, String)] = []
                for pair in body.split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard let name = parts[0].replacingOccurrences(of: "+", with: " ").removingPercentEncoding, !name.isEmpty,
                        let value = parts.count > 1 ? parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding : ""
                    else { return nil }
                    out.append((name, value))
                }
                return out
            }()
            let read = FormBody.pairs(Array(body.utf8))
            #expect(read?.map { "\($0.0)=\($0.1)" } == expected?.map { "\($0.0)=\($0.1)" }, "\(body)")
        }
        #expect(FormBody.pairs([0x61, 0x3D, 0xC3]) == nil, "a body that is not UTF-8")
    }

    @Test func g2OnlyDeliveredHooksPastTheRetentionArePruned() async throws {
        let folder = try temporaryFolder("hook-retention")
        let database = try Database(path: folder.appendingPathComponent("gateway.sqlite").path, migrations: GatewaySchema.migrations)
        let store = IntegrationStore(database: database, outbound: OutboundPolicy())
        var request = CreateIntegrationRequest()
        request.name = "timepad-main"
        request.kind = .timepad
        request.secret = "s"
        _ = try await store.create(request, by: "test")
        let entry = try #require(store.entry(named: "timepad-main"))
        let hooks = HookStore(database: database)
        let old = Date().addingTimeInterval(-40 * 86_400)
        var ids: [Int64] = []
        for _ in 0..<3 { ids.append(try await hooks.store(integrationID: entry.id, contentType: "application/json", headers: [], body: [], origin: "webhook", now: old)) }
        let recent = try await hooks.store(integrationID: entry.id, contentType: "application/json", headers: [], body: [], origin: "webhook")
        try await hooks.delivered([ids[0], recent])
        try await hooks.failed([ids[1]], reason: "refused")
        // ids[2] is still pending: old, but not done.
        #expect(try await hooks.prune(deliveredBefore: Date().addingTimeInterval(-30 * 86_400)) == 1)
        #expect(try await hooks.get(ids[0]) == nil)
        for id in [ids[1], ids[2], recent] { #expect(try await hooks.get(id) != nil) }
    }

    let numbers = CallNumber(phones: PhoneNormalizer(defaultCountry: "RU")!).withoutPlus

    /// Issue 22 item 26 (G1, T1): a Ringostat hook meets POST /v1/calls' limits; what it
    /// does not is refused (kept failed, replayable), not stored as nonsense.
    @Test func t1RingostatHooksGoThroughTheCallContractsLimits() throws {
        func hook(_ extra: String) throws(HookRefusal) -> CallReport {
            try RingostatAdapter.report(
                contentType: "application/x-www-form-urlencoded",
                body: Array("uniqueid=5&calldate=2026-12-01+10%3A00%3A00&caller=79161234567&dst=74951112233&disposition=ANSWERED&duration=40&call_type=in&connected_with=203\(extra)".utf8),
                numbers: numbers)
        }
        #expect(try hook("&billsec=31&pool_name=ads").legs.first?.talkSeconds == 31)
        #expect(throws: HookRefusal.self) { try hook("&billsec=-100000") }
        #expect(throws: HookRefusal.self) { try hook("&billsec=99999999999999999999") }
        #expect(throws: HookRefusal.self) { try hook("&billsec=31&pool_name=ads%0D%0AX-Injected:%201") }
        #expect(throws: HookRefusal.self) { try hook("&billsec=31&utm_source=" + String(repeating: "u", count: 201)) }
    }

    @Test func t1RingostatHooksInItsOwnNamesBecomeCallReports() throws {
        // The after-call hook as a form, numbers without +.
        let after = Array("uniqueid=1718000000.42&calldate=2026-12-01+10%3A00%3A00&caller=380441112233&dst=380442223344&disposition=ANSWERED&billsec=31&duration=40&call_type=in&connected_with=203&recording=https%3A%2F%2Frec%2F42.mp3&utm_source=google&pool_name=ads".utf8)
        let report = try RingostatAdapter.report(contentType: "application/x-www-form-urlencoded", body: after, numbers: numbers)
        #expect(report.providerCallID == "1718000000.42" && report.direction == .inbound && report.ended)
        #expect(report.clientNumber == "+380441112233" && report.trackingNumber == "+380442223344" && report.utmSource == "google" && report.poolName == "ads")
        #expect(report.legs == [CallLeg(destination: "203", disposition: .answered, startedAtMilliseconds: 1_796_119_200_000, durationSeconds: 40, talkSeconds: 31, recordingURL: "https://rec/42.mp3")])
        // JSON with the details nested, an outbound call, a missed one.
        let json = Array(#"{"uniqueid":"77","calldate":"2026-12-01T10:05:00Z","additional_call_data":{"caller":"201","dst":"79161234567","call_type":"out","disposition":"NO ANSWER","duration":20,"billsec":0}}"#.utf8)
        let out = try RingostatAdapter.report(contentType: "application/json", body: json, numbers: numbers)
        #expect(out.direction == .outbound && out.clientNumber == "+79161234567" && out.staffNumber == "201" && out.legs.first?.disposition == .noAnswer)
        // Before the call: not over, nobody answered yet.
        let before = try RingostatAdapter.report(contentType: "", body: Array("uniqueid=9&caller=380441112233&dst=380442223344&calldate=1796119200".utf8), numbers: numbers)
        #expect(!before.ended && before.legs.first?.disposition == .noAnswer)
        #expect(throws: HookRefusal.self) { try RingostatAdapter.report(contentType: "", body: Array("caller=1".utf8), numbers: numbers) }
        // C1, T4 (issue 22 items 1, 2): a staff member abroad answers; a local form stays local;
        // the caller of an outbound call is the staff side.
        let abroad = try RingostatAdapter.report(
            contentType: "application/json",
            body: Array(#"{"uniqueid":"78","calldate":"2026-12-01T10:05:00Z","caller":"8 916 123-45-67","dst":"74951112233","connected_with":"380671112233","disposition":"ANSWERED","billsec":5,"duration":9}"#.utf8), numbers: numbers)
        #expect(abroad.clientNumber == "+79161234567" && abroad.trackingNumber == "+74951112233" && abroad.legs.first?.destination == "+380671112233")
        let outbound = try RingostatAdapter.report(
            contentType: "application/json",
            body: Array(#"{"uniqueid":"79","calldate":"2026-12-01T10:05:00Z","call_type":"out","caller":"201","employee_number":"201","dst":"79167778899","disposition":"ANSWERED","billsec":5,"duration":9}"#.utf8), numbers: numbers)
        #expect(outbound.staffNumber == "201" && outbound.clientNumber == "+79167778899")
        #expect(throws: HookRefusal.self) { try RingostatAdapter.report(contentType: "", body: Array("uniqueid=1&caller=380441112233&calldate=yesterday".utf8), numbers: numbers) }
    }

    /// Issue 22 item 25: one money ceiling (10^12 minor units) for a hook's amount too.
    @Test func b3APaymentHookOverTheMoneyCeilingIsRefused() throws {
        func pay(_ amount: String) throws(HookRefusal) -> PaymentReport {
            try CloudPaymentsAdapter.report(
                RingostatAdapter.values(contentType: "application/x-www-form-urlencoded", body: Array("TransactionId=1&InvoiceId=i1&Amount=\(amount)&Currency=RUB".utf8)), type: "pay")
        }
        #expect(try pay("10000000000.00").amountMinor == Money.maximumMinor)
        #expect(throws: HookRefusal.self) { try pay("10000000000.01") }
        #expect(throws: HookRefusal.self) { try pay("92233720368547758.07") }
    }

    @Test func n1SMSRusCallbackLinesBecomeDeliveryStatuses() throws {
        // Two statuses in one callback (data[0], data[1]), a test ping among them; form-encoded newlines.
        let body = Array("data%5B0%5D=sms_status%0A000000-10000001%0A103%0A1796119200&data%5B1%5D=sms_status%0A000000-10000002%0A104%0A1796119260&data%5B2%5D=test%0A1".utf8)
        guard case let .deliveryStatus(report) = try HookDelivery.translate(.smsru, contentType: "application/x-www-form-urlencoded", body: body) else {
            Issue.record("not a delivery status")
            return
        }
        #expect(report.channel == .sms)
        #expect(report.updates == [
            DeliveryStatusUpdate(providerMessageID: "000000-10000001", status: .delivered, atMilliseconds: 1_796_119_200_000, detail: "SMS.ru 103"),
            DeliveryStatusUpdate(providerMessageID: "000000-10000002", status: .undelivered, atMilliseconds: 1_796_119_260_000, detail: "SMS.ru 104"),
        ])
        // Repeated data[] names count too; on the way (102) and read (110).
        let repeated = try SMSRuAdapter.report(body: Array("data[]=sms_status%0Aa%0A102%0A1&data[]=sms_status%0Ab%0A110%0A1".utf8))
        #expect(repeated.updates.map(\.status) == [.sent, .read])
        #expect(throws: HookRefusal.self) { try SMSRuAdapter.report(body: Array("data[0]=test".utf8)) }
        #expect(HookAuthentication.acceptance(.smsru).body == Array("100".utf8), "SMS.ru sends again unless it reads 100")
    }

    @Test func n1WhatsAppsStatusesBecomeDeliveryStatuses() throws {
        let body = Array(#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"55"},"statuses":[{"id":"wamid.A","status":"delivered","timestamp":"1796119200","recipient_id":"79165550101"},{"id":"wamid.B","status":"failed","timestamp":"1796119201","recipient_id":"79165550102","errors":[{"code":131026,"title":"Message undeliverable"}]}]}}]}]}"#.utf8)
        guard case let .deliveryStatus(report) = try WhatsAppAdapter.delivery(body: body) else { Issue.record("not statuses"); return }
        #expect(report.channel == .whatsapp && report.updates.map(\.providerMessageID) == ["wamid.A", "wamid.B"])
        #expect(report.updates.map(\.status) == [.delivered, .undelivered] && report.updates[1].detail == "WhatsApp failed 131026 Message undeliverable")
        #expect(report.updates[0].atMilliseconds == 1_796_119_200_000)
        #expect(throws: HookRefusal.self) { try WhatsAppAdapter.delivery(body: Array(#"{"entry":[{"changes":[{"value":{}}]}]}"#.utf8)) }
    }

    /// Meta's published payloads (../shared/payloads/whatsapp): a text and a quick-reply button.
    static let whatsAppText = #"{"object":"whatsapp_business_account","entry":[{"id":"8856996819413533","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505553333","phone_number_id":"27681414235104944"},"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"16315551234"}],"messages":[{"from":"16315551234","id":"wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W","timestamp":"1603059201","text":{"body":"Hello this is an answer"},"type":"text"}]},"field":"messages"}]}]}"#
    static let whatsAppButton = #"{"object":"whatsapp_business_account","entry":[{"id":"8856996819413533","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505553333","phone_number_id":"27681414235104944"},"contacts":[{"profile":{"name":"Kerry Fisher"},"wa_id":"16315551234"}],"messages":[{"context":{"from":"16505553333","id":"wamid.gBGGFlCGg0cvAgkLFm4e9tICiTI"},"from":"16315551234","id":"wamid.ABGGFlCGg0cvAgo-sHWxBA2VFD_S","timestamp":"1603087229","type":"button","button":{"text":"No","payload":"No-Button-Payload"}}]},"field":"messages"}]}]}"#

    @Test func d3WhatsAppMessagesAreReadWithTheSendersProfileNameMediaAndRepliedButtons() throws {
        guard case let .messages(text) = try WhatsAppAdapter.delivery(body: Array(Self.whatsAppText.utf8)) else { Issue.record("not messages"); return }
        let m = try #require(text.messages.first)
        #expect(m.channel == .whatsapp && m.providerMessageID == "wamid.ABGGFlCGg0cvAgo-sJQh43L5Pe4W" && m.chatID == "16315551234" && m.phone == "+16315551234")
        #expect(m.profileName == "Kerry Fisher" && m.kind == .text && m.text == "Hello this is an answer" && m.atMilliseconds == 1_603_059_201_000)
        #expect(text.statuses == nil)
        guard case let .messages(button) = try WhatsAppAdapter.delivery(body: Array(Self.whatsAppButton.utf8)) else { Issue.record("not messages"); return }
        #expect(button.messages.first?.kind == .button && button.messages.first?.text == "No" && button.messages.first?.buttonData == "No-Button-Payload")
        // Interactive list replies, media by reference, shared cards; a status in the same webhook comes along.
        let mixed = Array(#"{"entry":[{"changes":[{"value":{"contacts":[{"profile":{"name":"Ana"},"wa_id":"971501234567"}],"messages":[{"from":"971501234567","id":"w1","timestamp":"1","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"b2","title":"B2 evening"}}},{"from":"971501234567","id":"w2","timestamp":"2","type":"image","image":{"id":"media-9","mime_type":"image/jpeg","caption":"my passport"}},{"from":"971501234567","id":"w3","timestamp":"3","type":"contacts","contacts":[{"name":{"formatted_name":"Dad"},"phones":[{"phone":"+971 50 765 4321","wa_id":"971507654321"}]}]}],"statuses":[{"id":"wamid.X","status":"read","timestamp":"4"}]}}]}]}"#.utf8)
        guard case let .messages(batch) = try WhatsAppAdapter.delivery(body: mixed) else { Issue.record("not messages"); return }
        #expect(batch.messages.map(\.kind) == [.button, .media, .contact] && batch.messages.allSatisfy { $0.profileName == "Ana" })
        #expect(batch.messages[0].buttonData == "b2" && batch.messages[0].text == "B2 evening")
        #expect(batch.messages[1].mediaID == "media-9" && batch.messages[1].mimeType == "image/jpeg" && batch.messages[1].text == "my passport")
        #expect(batch.messages[2].sharedPhone == "+971 50 765 4321" && batch.statuses?.updates.first?.status == .read)
    }

    @Test func d3TelegramPrivateMessagesAreConversationsAndButtonPressesStayTheBotsReplies() throws {
        // A real Update (../shared/payloads/telegram/update-message-start.captured.json).
        guard case let .messages(batch) = try TelegramAdapter.delivery(fromUpdate: Array(#"{"update_id":233970560,"message":{"message_id":1791,"from":{"id":535558561,"is_bot":false,"first_name":"Ahmad","last_name":"Taheri","username":"ahmadtaheri_ircl","language_code":"fa"},"chat":{"id":535558561,"first_name":"Ahmad","last_name":"Taheri","username":"ahmadtaheri_ircl","type":"private"},"date":1545575318,"text":"/start","entities":[{"offset":0,"length":6,"type":"bot_command"}]}}"#.utf8)) else { Issue.record("not messages"); return }
        let m = try #require(batch.messages.first)
        #expect(m.channel == .telegram && m.chatID == "535558561" && m.providerMessageID == "535558561:1791" && m.text == "/start")
        #expect(m.profileName == "Ahmad Taheri" && m.userName == "ahmadtaheri_ircl" && m.phone.isEmpty && m.atMilliseconds == 1_545_575_318_000)
        let shared = Array(#"{"update_id":5,"message":{"message_id":7,"chat":{"id":42,"type":"private"},"from":{"id":42,"first_name":"Ivan"},"date":1,"contact":{"phone_number":"79161234567","first_name":"Ivan","user_id":42}}}"#.utf8)
        guard case let .messages(card) = try TelegramAdapter.delivery(fromUpdate: shared) else { Issue.record("not messages"); return }
        #expect(card.messages.first?.kind == .contact && card.messages.first?.sharedPhone == "+79161234567")
        #expect(card.messages.first?.phone == "+79161234567", "their own card: the sender's number")
        let someone = Array(#"{"update_id":6,"message":{"message_id":9,"chat":{"id":42,"type":"private"},"from":{"id":42,"first_name":"Ivan"},"date":1,"contact":{"phone_number":"+79160000000","first_name":"Mum"}}}"#.utf8)
        guard case let .messages(other) = try TelegramAdapter.delivery(fromUpdate: someone) else { Issue.record("not messages"); return }
        #expect(other.messages.first?.sharedPhone == "+79160000000" && other.messages.first?.phone.isEmpty == true, "someone else's card is not the sender")
        // A button under a bot's question (../shared/payloads/telegram/update-callback-query.captured.json), and a group's message.
        guard case let .reply(reply) = try TelegramAdapter.delivery(fromUpdate: Array(#"{"update_id":233970563,"callback_query":{"id":"2300206505773940939","from":{"id":535558561,"is_bot":false,"first_name":"Ahmad","last_name":"Taheri","username":"ahmadtaheri_ircl","language_code":"fa"},"message":{"message_id":1789,"from":{"id":774012444,"is_bot":true,"first_name":"VPN factory","username":"vpnfactorybot"},"chat":{"id":535558561,"first_name":"Ahmad","last_name":"Taheri","username":"ahmadtaheri_ircl","type":"private"},"date":1545566427,"text":"dsd"},"chat_instance":"-4291612063202133648","data":"2"}}"#.utf8)) else { Issue.record("not a reply"); return }
        #expect(!reply.buttonData.isEmpty && !reply.chatID.isEmpty)
        let group = Array(#"{"update_id":6,"message":{"message_id":8,"chat":{"id":-100,"type":"group"},"date":1,"text":"hi all"}}"#.utf8)
        guard case .reply = try TelegramAdapter.delivery(fromUpdate: group) else { Issue.record("a group's message is no conversation"); return }
    }
}
