import Contracts
import Digest
import Foundation
import RPC
import Synchronization
import Testing
import TestSupport
import Wire

/// B2–B6 through the gateway over real processes: donations whose "attempt" and "paid"
/// race become one payment, one payer and one deal; stale statuses change nothing;
/// CloudPayments' signatures; an offer with delivery confirmed moves its deal; a school's
/// prepayments, group economics and bonus report from scheduling's and deals' events.
@Suite struct BillingEndToEndTests {
    static let operatorKey = "billing-operator-0123456789"
    static let cloudSecret = "cp-api-secret-0123456789"

    struct System {
        let processes: [Hosted]
        let gateway: Hosted

        func request(_ method: String, _ path: String, key: String = adminKey, body: String? = nil) async throws -> HTTPExchange {
            try await httpRequest(port: gateway.port, method, path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"], body: body)
        }

        func items(_ path: String) async throws -> [[String: Any]] {
            try await request("GET", path).json["items"] as? [[String: Any]] ?? []
        }

        func stop() async throws {
            for p in [gateway] + processes {
                try await p.stop()
            }
        }
    }

    /// `billingClock`: a file billing reads its business time from (BILLING_CLOCK_FILE);
    /// `clock`: one that deals, scheduling and billing all read theirs from.
    static func start(billingClock: URL? = nil, clock: URL? = nil) async throws -> System {
        let clocked = billingClock ?? clock
        let folder = try temporaryFolder("billing")
        let contacts = try await Hosted.start(
            executable: "switchboard-contacts",
            environment: ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let (billingPort, schedulingPort) = (try freePort(), try freePort())
        let deals = try await Hosted.start(
            executable: "switchboard-deals",
            environment: [
                "DEALS_PORT": "0", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path, "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)",
                "DEALS_SUBSCRIBERS": "billing@127.0.0.1:\(billingPort);scheduling@127.0.0.1:\(schedulingPort)",
            ].merging(clock.map { ["DEALS_CLOCK_FILE": $0.path] } ?? [:]) { a, _ in a })
        let billing = try await Hosted.start(
            executable: "switchboard-billing",
            environment: [
                "BILLING_PORT": "\(billingPort)", "BILLING_ADMIN_PORT": "0", "BILLING_DATA_DIR": folder.appendingPathComponent("billing").path,
                "BILLING_CONTACTS": "127.0.0.1:\(contacts.port)", "BILLING_DEALS": "127.0.0.1:\(deals.port)", "BILLING_STALE_ATTEMPT_MINUTES": "1",
                "BILLING_SUBSCRIBERS": "deals@127.0.0.1:\(deals.port)",
            ].merging(clocked.map { ["BILLING_CLOCK_FILE": $0.path] } ?? [:]) { a, _ in a })
        let scheduling = try await Hosted.start(
            executable: "switchboard-scheduling",
            environment: [
                "SCHEDULING_PORT": "\(schedulingPort)", "SCHEDULING_ADMIN_PORT": "0", "SCHEDULING_DATA_DIR": folder.appendingPathComponent("scheduling").path,
                "SCHEDULING_SUBSCRIBERS": "billing@127.0.0.1:\(billing.port)", "SCHEDULING_DEALS": "127.0.0.1:\(deals.port)",
            ].merging(clock.map { ["SCHEDULING_CLOCK_FILE": $0.path] } ?? [:]) { a, _ in a })
        let gateway = try await Hosted.start(
            executable: "switchboard-gateway",
            environment: [
                "GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
                "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(deals.port),scheduling=127.0.0.1:\(scheduling.port),billing=127.0.0.1:\(billing.port)",
                "GATEWAY_API_KEYS": "\(adminKey)=admin,\(operatorKey)=staff:2",
                "GATEWAY_RATE_LIMIT": "100000", "GATEWAY_RATE_BURST": "100000",
            ])
        return System(processes: [scheduling, billing, deals, contacts], gateway: gateway)
    }

    static func leyka(_ id: String, _ status: String, amount: String = "500") -> String {
        #"{"id":"\#(id)","status":"\#(status)","amount":"\#(amount)","currency_id":"rur","donor_name":"Мария Смирнова","donor_email":"maria@example.org","campaign_id":"7","campaign_title":"Помощь приютам","date":"2026-01-10 09:00:00"}"#
    }

    static func signed(_ body: String, secret: String = cloudSecret) -> String {
        Data(HMAC.authenticationCode(.sha256, key: Array(secret.utf8), message: Array(body.utf8))).base64EncodedString()
    }

    @Test func b3SubmittedAndFundedAtTheSameMomentAreOnePaymentOnePayerOneDealAndALateFailedChangesNothing() async throws {
        let system = try await Self.start()
        #expect(try await system.request("POST", "/v1/pipelines", body: #"{"name":"Donations","channels":["donations"],"stages":[{"name":"Received"},{"name":"Thanked","outcome":"won"},{"name":"Refunded","outcome":"lost"}]}"#).status == 201)
        let made = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"leyka-site","kind":"leyka"}"#)
        let path = try #require(made.json["hookPath"] as? String)
        #expect(path.hasPrefix("/v1/hooks/leyka-site/hk_"))
        // The case's "attempt" and "paid" for one donation, from two connections at once.
        let bodies = [Self.leyka("501", "submitted"), Self.leyka("501", "funded")]
        let statuses = await withTaskGroup(of: Int.self) { group in
            for body in bodies {
                group.addTask {
                    (try? await httpRequest(port: system.gateway.port, "POST", path, headers: ["Content-Type": "application/json"], body: body))?.status ?? 0
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [200, 200])
        var payments: [[String: Any]] = []
        #expect(try await eventuallyAsync { payments = (try? await system.items("/v1/payments")) ?? []; return payments.first?["status"] as? String == "paid" && payments.first?["payerContactId"] as? Int != nil })
        #expect(payments.count == 1)
        let payment = try #require(payments.first)
        #expect(payment["provider"] as? String == "leyka" && payment["providerPaymentId"] as? String == "501")
        #expect(payment["amountMinor"] as? Int == 50_000 && payment["currency"] as? String == "RUB")
        #expect(payment["firstPayment"] as? Bool == true && payment["purpose"] as? String == "Помощь приютам", "\(payment)")
        #expect((payment["history"] as? [[String: Any]])?.count == 2)
        let contacts = try await system.items("/v1/contacts?limit=500")
        #expect(contacts.count == 1, "one payer")
        var donations: [[String: Any]] = []
        #expect(try await eventuallyAsync { donations = ((try? await system.items("/v1/deals?limit=500")) ?? []).filter { ($0["title"] as? String ?? "").hasPrefix("Donation") }; return !donations.isEmpty })
        #expect(donations.count == 1 && donations[0]["amountMinor"] as? Int == 50_000 && donations[0]["source"] as? String == "donation")
        // A failed after paid: in the history, nothing else changes.
        #expect(try await httpRequest(port: system.gateway.port, "POST", path, headers: ["Content-Type": "application/json"], body: Self.leyka("501", "failed")).status == 200)
        let id = try #require(payment["id"] as? Int)
        var after: [String: Any] = [:]
        #expect(try await eventuallyAsync { after = (try? await system.request("GET", "/v1/payments/\(id)").json) ?? [:]; return (after["history"] as? [[String: Any]])?.count == 3 })
        #expect(after["status"] as? String == "paid")
        let late = try #require((after["history"] as? [[String: Any]])?.last)
        #expect(late["applied"] as? Bool == false && (late["note"] as? String ?? "").contains("out of order"))
        // Refunded after paid: the payment says so, the donation deal keeps what was kept.
        #expect(try await httpRequest(port: system.gateway.port, "POST", path, headers: ["Content-Type": "application/json"], body: Self.leyka("501", "refunded")).status == 200)
        #expect(try await eventuallyAsync { (try? await system.request("GET", "/v1/payments/\(id)").json["status"] as? String) == "refunded" })
        #expect(try await system.request("GET", "/v1/payments/\(id)").json["refundedMinor"] as? Int == 50_000)
        let dealID = try #require(donations[0]["id"] as? Int)
        #expect(try await eventuallyAsync { (try? await system.request("GET", "/v1/deals/\(dealID)").json["amountMinor"] as? Int) == 0 })
        #expect(try await eventuallyAsync { ((try? await system.items("/v1/deals/\(dealID)/timeline?limit=100")) ?? []).contains { ($0["summary"] as? String ?? "").hasPrefix("refunded 500.00 RUB") } })
        // The same donor again is a repeat payer, on the same contact.
        #expect(try await httpRequest(port: system.gateway.port, "POST", path, headers: ["Content-Type": "application/json"], body: Self.leyka("502", "funded", amount: "250.50")).status == 200)
        #expect(try await eventuallyAsync { ((try? await system.items("/v1/payments?status=paid")) ?? []).contains { $0["providerPaymentId"] as? String == "502" && $0["repeatPayer"] as? Bool == true } })
        #expect(try await system.items("/v1/contacts?limit=500").count == 1)
        // A staff token sees no payments (payers' details are an admin's).
        #expect(try await system.request("GET", "/v1/payments", key: Self.operatorKey).status == 403)
        try await system.stop()
    }

    @Test func b3CloudPaymentsSignedNotificationsAreTakenABadSignatureIsRefusedAndRecurringChargesKeyOnTheTransaction() async throws {
        let clock = DialerEndToEndTests.Clock(file: try temporaryFolder("billing-clock").appendingPathComponent("now"))
        let start = Int64(Date().timeIntervalSince1970 * 1000)
        try clock.set(start)
        let system = try await Self.start(billingClock: clock.file)
        #expect(try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"cloudpayments","kind":"cloudpayments","secret":"\#(Self.cloudSecret)"}"#).status == 201)
        func post(_ body: String, type: String, signature: String? = nil) async throws -> HTTPExchange {
            try await httpRequest(port: system.gateway.port, "POST", "/v1/hooks/cloudpayments?type=\(type)",
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Content-HMAC": signature ?? Self.signed(body)], body: body)
        }
        let check = "TransactionId=9001&Amount=1000.00&Currency=RUB&InvoiceId=ORD-77&AccountId=donor-1&Email=ivan%40example.org&Status=Completed&DateTime=2026-01-11+10:00:00"
        let pay = check.replacingOccurrences(of: "DateTime=2026-01-11+10:00:00", with: "DateTime=2026-01-11+10:00:05")
        #expect(try await post(check, type: "check").body == #"{"code":0}"#)
        let forged = try await post(pay, type: "pay", signature: Self.signed(pay, secret: "guess"))
        #expect(forged.status == 401)
        #expect(try await post(pay, type: "pay").body == #"{"code":0}"#)
        // A recurring charge: no InvoiceId, only the subscription; keyed on its transaction.
        let recurring = "TransactionId=9002&Amount=1000.00&Currency=RUB&InvoiceId=&SubscriptionId=sc_55&AccountId=donor-1&Email=ivan%40example.org&Status=Completed"
        #expect(try await post(recurring, type: "pay").status == 200)
        var payments: [[String: Any]] = []
        #expect(try await eventuallyAsync { payments = (try? await system.items("/v1/payments?status=paid")) ?? []; return payments.count == 2 })
        #expect(Set(payments.compactMap { $0["providerPaymentId"] as? String }) == ["ORD-77", "9002"])
        #expect(payments.first { $0["providerPaymentId"] as? String == "9002" }?["subscriptionId"] as? String == "sc_55")
        let first = try #require(payments.first { $0["providerPaymentId"] as? String == "ORD-77" })
        #expect((first["history"] as? [[String: Any]])?.map { $0["status"] as? String } == ["attempt", "paid"], "the forged one left nothing")
        // A partial refund names the payment's transaction; re-delivered, it counts once.
        let refund = "TransactionId=9100&PaymentTransactionId=9001&Amount=300.00&Currency=RUB&InvoiceId=ORD-77&OperationType=Refund"
        #expect(try await post(refund, type: "refund").status == 200)
        #expect(try await post(refund, type: "refund").status == 200)
        let id = try #require(first["id"] as? Int)
        #expect(try await eventuallyAsync { (try? await system.request("GET", "/v1/payments/\(id)").json["history"] as? [[String: Any]])?.count == 4 })
        let refunded = try await system.request("GET", "/v1/payments/\(id)").json
        #expect(refunded["status"] as? String == "refunded" && refunded["refundedMinor"] as? Int == 30_000)
        // An attempt that never became paid is listed for follow-up once it is old enough (1 minute here): not yet.
        #expect(try await post(check.replacingOccurrences(of: "ORD-77", with: "ORD-78").replacingOccurrences(of: "9001", with: "9003"), type: "check").status == 200)
        #expect(try await eventuallyAsync { ((try? await system.items("/v1/payments?status=attempt")) ?? []).count == 1 })
        #expect(try await system.items("/v1/payments?stale=true").isEmpty)
        try clock.set(start + 2 * 60_000)
        #expect(try await system.items("/v1/payments?stale=true").compactMap { $0["providerPaymentId"] as? String } == ["ORD-78"], "an attempt unpaid past the follow-up time")
        let nonsense = try await post(pay, type: "nonsense")
        #expect(nonsense.status == 400 && nonsense.body.contains("check, pay, fail, refund or recurrent"), "\(nonsense.status) \(nonsense.body)")
        try await system.stop()
    }

    /// B3 (issue 22 items 9 and 10): a test-mode charge is recorded as test and opens
    /// nothing; what a paid payment opens is its integration's setting — a donation, an
    /// order, or only a line on the payer's timeline.
    @Test func b3ATestPaymentOpensNothingAndEachIntegrationSaysWhatAPaymentOpens() async throws {
        let system = try await Self.start()
        #expect(try await system.request("POST", "/v1/pipelines", body: #"{"name":"Shop","channels":["orders"],"stages":[{"name":"Paid"},{"name":"Shipped","outcome":"won"},{"name":"Returned","outcome":"lost"}]}"#).status == 201)
        for (name, opens) in [("fund", ""), ("shop", #","paymentsOpen":"orders""#), ("till", #","paymentsOpen":"nothing""#)] {
            let made = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"\#(name)","kind":"cloudpayments","secret":"\#(Self.cloudSecret)"\#(opens)}"#)
            #expect(made.status == 201, "\(made.body)")
            #expect(made.json["paymentsOpen"] as? String == (opens.isEmpty ? "donations" : name == "shop" ? "orders" : "nothing"))
        }
        let timepad = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"tp","kind":"timepad","secret":"\#(Self.cloudSecret)","paymentsOpen":"orders"}"#)
        #expect(timepad.status == 422 && timepad.body.contains("paymentsOpen"), "\(timepad.body)")
        func pay(_ integration: String, _ invoice: String, email: String, test: Bool = false) async throws -> Int {
            let body = "TransactionId=\(invoice.hashValue & 0xFFFFFF)&Amount=990.00&Currency=RUB&InvoiceId=\(invoice)&Email=\(email)&Description=Order+\(invoice)&Status=Completed&TestMode=\(test ? 1 : 0)&DateTime=2026-01-11+10:00:00"
            return try await httpRequest(port: system.gateway.port, "POST", "/v1/hooks/\(integration)?type=pay",
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Content-HMAC": Self.signed(body)], body: body).status
        }
        #expect(try await pay("fund", "T-1", email: "tester%40example.org", test: true) == 200)
        #expect(try await pay("shop", "S-1", email: "buyer%40example.org") == 200)
        #expect(try await pay("till", "C-1", email: "walkin%40example.org") == 200)
        #expect(try await pay("fund", "F-1", email: "donor%40example.org") == 200)
        var payments: [[String: Any]] = []
        #expect(try await eventuallyAsync {
            payments = (try? await system.items("/v1/payments")) ?? []
            return payments.count == 4 && payments.filter { $0["payerContactId"] as? Int != nil }.count == 3
        })
        let test = try #require(payments.first { $0["providerPaymentId"] as? String == "T-1" })
        #expect(test["test"] as? Bool == true && test["status"] as? String == "paid" && test["payerContactId"] as? Int == nil, "\(test)")
        #expect(payments.filter { $0["test"] as? Bool == true }.count == 1)
        var deals: [[String: Any]] = []
        #expect(try await eventuallyAsync { deals = (try? await system.items("/v1/deals?limit=500")) ?? []; return deals.count == 2 })
        let order = try #require(deals.first { $0["source"] as? String == "order" })
        #expect((order["title"] as? String ?? "").hasPrefix("Order S-1") && order["amountMinor"] as? Int == 99_000, "\(order)")
        let donation = try #require(deals.first { $0["source"] as? String == "donation" })
        #expect((donation["title"] as? String ?? "").hasPrefix("Donation"))
        #expect(order["pipelineId"] as? Int != donation["pipelineId"] as? Int, "an order goes to the pipeline that takes orders")
        // The till's payer has the payment on their timeline and no deal; the tester has no contact at all.
        let till = try #require(payments.first { $0["providerPaymentId"] as? String == "C-1" }?["payerContactId"] as? Int)
        #expect(try await eventuallyAsync { ((try? await system.items("/v1/contacts/\(till)/timeline?limit=50")) ?? []).contains { ($0["summary"] as? String ?? "").hasPrefix("paid 990.00 RUB") } })
        let emails = try await system.items("/v1/contacts?limit=500").flatMap { $0["emails"] as? [String] ?? [] }
        #expect(!emails.contains("tester@example.org") && emails.count == 3, "\(emails)")
        try await system.stop()
    }

    /// B3 (issue 22 item 11): CloudPayments' Recurrent notifications are the subscription's
    /// state on its payer (found by its charges); past due goes on the payer's timeline
    /// once; a final status stays.
    @Test func b3ASubscriptionsStateIsKeptOnItsPayerAndPastDueIsSaidOnce() async throws {
        let system = try await Self.start()
        #expect(try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"cp","kind":"cloudpayments","secret":"\#(Self.cloudSecret)"}"#).status == 201)
        func post(_ body: String, type: String) async throws -> Int {
            try await httpRequest(port: system.gateway.port, "POST", "/v1/hooks/cp?type=\(type)",
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Content-HMAC": Self.signed(body)], body: body).status
        }
        let charge = "TransactionId=7001&Amount=300.00&Currency=RUB&InvoiceId=&SubscriptionId=sc_77&Email=donor%40example.org&Status=Completed&DateTime=2026-01-11+10:00:00"
        #expect(try await post(charge, type: "pay") == 200)
        var payer: Int?
        #expect(try await eventuallyAsync { payer = ((try? await system.items("/v1/payments")) ?? []).first?["payerContactId"] as? Int; return payer != nil })
        let recurrent = "Id=sc_77&AccountId=donor-1&Email=donor%40example.org&Amount=300.00&Currency=RUB&Description=Monthly&Status=PastDue&SuccessfulTransactionsNumber=1&FailedTransactionsNumber=1&NextTransactionDate=2026-02-11+10:00:00"
        #expect(try await post(recurrent, type: "recurrent") == 200)
        #expect(try await post(recurrent, type: "recurrent") == 200)
        var subscription: [String: Any] = [:]
        #expect(try await eventuallyAsync {
            subscription = ((try? await system.items("/v1/subscriptions?contactId=\(payer ?? 0)")) ?? []).first ?? [:]
            return (subscription["history"] as? [Any])?.count == 2
        })
        #expect(subscription["status"] as? String == "past_due" && subscription["subscriptionId"] as? String == "sc_77" && subscription["amountMinor"] as? Int == 30_000, "\(subscription)")
        let pastDue = try await system.items("/v1/subscriptions?status=past_due")
        let active = try await system.items("/v1/subscriptions?status=active")
        #expect(pastDue.count == 1 && active.isEmpty)
        let timeline = { ((try? await system.items("/v1/contacts/\(payer ?? 0)/timeline?limit=50")) ?? []).filter { ($0["summary"] as? String ?? "").contains("sc_77 past due") } }
        #expect(try await eventuallyAsync { await timeline().count == 1 })
        // Cancelled is final: a late Active is kept in the history and changes nothing.
        #expect(try await post(recurrent.replacingOccurrences(of: "PastDue", with: "Cancelled"), type: "recurrent") == 200)
        #expect(try await post(recurrent.replacingOccurrences(of: "PastDue", with: "Active"), type: "recurrent") == 200)
        #expect(try await eventuallyAsync { (((try? await system.items("/v1/subscriptions")) ?? []).first?["history"] as? [Any])?.count == 4 })
        let final = try #require(try await system.items("/v1/subscriptions").first)
        #expect(final["status"] as? String == "cancelled" && (final["history"] as? [[String: Any]])?.last?["applied"] as? Bool == false)
        #expect(await timeline().count == 1, "past due was said once")
        #expect(try await system.request("GET", "/v1/subscriptions", key: Self.operatorKey).status == 403)
        try await system.stop()
    }

    @Test func b2AnOfferWithDeliveryIsPricedConfirmedFrozenAndExportedAndItsDealMovesToConfirmed() async throws {
        let system = try await Self.start()
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Admin","role":"admin"}"#).status == 201)
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Nina","role":"operator"}"#).status == 201)
        let pipeline = try await system.request("POST", "/v1/pipelines", body: #"{"name":"Windows","stages":[{"name":"New"},{"name":"Offer"},{"name":"Confirmed"},{"name":"Installed","outcome":"won"},{"name":"Lost","outcome":"lost"}]}"#).json
        let pipelineID = try #require(pipeline["id"] as? Int)
        let confirmedStage = try #require((pipeline["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "Confirmed" }?["id"] as? Int)
        let contact = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Oleg","phones":["+79161234567"]}"#).json
        let contactID = try #require((contact["contact"] as? [String: Any])?["id"] as? Int)
        let deal = try await system.request("POST", "/v1/deals", body: #"{"title":"Windows","contactId":\#(contactID),"pipelineId":\#(pipelineID),"responsibleId":1}"#).json
        let dealID = try #require(deal["id"] as? Int)
        let window = try await system.request("POST", "/v1/products", body: #"{"sku":"WIN-1","name":"Window 1200","weightGrams":30000}"#)
        #expect(window.status == 201)
        #expect(try await system.request("POST", "/v1/products", body: #"{"sku":"WIN-1","name":"Again"}"#).status == 409)
        let windowID = try #require(window.json["id"] as? Int)
        #expect(try await system.request("POST", "/v1/price-lists", body: #"{"name":"2027","currency":"RUB","prices":[{"productId":\#(windowID),"unitMinor":1500000}]}"#).status == 201)
        #expect(try await system.request("POST", "/v1/delivery-zones", body: #"{"name":"Moscow","currency":"RUB","matches":["Москва"],"tariffs":[{"name":"courier","costMinor":50000,"leadDays":2},{"name":"free","minOrderMinor":5000000,"costMinor":0,"leadDays":4}]}"#).status == 201)
        // Three windows, 10% off: 45,000.00 − 4,500.00 = 40,500.00; the free tariff starts at 50,000.
        let offer = try await system.request("PUT", "/v1/deals/\(dealID)/offer", body: #"{"currency":"RUB","lines":[{"productId":\#(windowID),"quantity":3,"discountBasisPoints":1000}],"address":"г. Москва, ул. Ленина 1"}"#)
        #expect(offer.status == 200, "\(offer.body)")
        #expect(offer.json["totalMinor"] as? Int == 4_050_000 && offer.json["discountMinor"] as? Int == 450_000 && offer.json["zoneName"] as? String == "Moscow")
        #expect((offer.json["deliveryOptions"] as? [[String: Any]])?.map { $0["tariff"] as? String } == ["courier"])
        // Four windows qualify for free delivery too.
        let bigger = try await system.request("PUT", "/v1/deals/\(dealID)/offer", body: #"{"currency":"RUB","lines":[{"productId":\#(windowID),"quantity":4}],"address":"Москва"}"#)
        #expect((bigger.json["deliveryOptions"] as? [[String: Any]])?.map { $0["tariff"] as? String } == ["free", "courier"])
        // A staff member who does not see the deal: as if it did not exist.
        #expect(try await system.request("GET", "/v1/deals/\(dealID)/offer", key: Self.operatorKey).status == 404)
        // Billing itself (issue 24 item 4), over RPC: for a person who does not see the deal, or a deal that does not
        // exist, as if it did not exist, the offer untouched; a caller's contact for the offer is not taken (the deal's is).
        let rpc = RPCClient.test("billing", port: system.processes[1].port)
        let nina = CallOptions.acting(for: Principal(role: "staff", staffID: 2, visibility: Visibility(restricted: true, staffIDs: [2])))
        var forged = Offer(dealID: Int64(dealID), currency: "RUB", lines: [OfferLine(productID: Int64(windowID), quantity: 4)], address: "Москва")
        forged.contactID = 999
        for (deal, options) in [(Int64(dealID), nina), (9_999, CallOptions())] {
            forged.dealID = deal
            let refused = await #expect(throws: RPCError.self) { try await rpc.call(Billing.putOffer, forged, options: options) }
            #expect(refused?.code == .notFound && refused?.message == "deal \(deal) does not exist", "\(refused?.message ?? "")")
        }
        let unseen = await #expect(throws: RPCError.self) { try await rpc.call(Billing.getOffer, GetOfferRequest(dealID: Int64(dealID)), options: nina) }
        #expect(unseen?.code == .notFound && unseen?.message == "deal \(dealID) does not exist")
        #expect(try await rpc.call(Billing.getOffer, GetOfferRequest(dealID: Int64(dealID))).lines.first?.quantity == 4)
        forged.dealID = Int64(dealID)
        let asked = try await rpc.call(Billing.putOffer, forged)
        #expect(asked.contactID == Int64(contactID) && asked.pipelineID == Int64(pipelineID))
        #expect(try await system.request("POST", "/v1/deals/\(dealID)/offer/confirm", body: "{}").status == 422, "an option must be chosen")
        let confirmed = try await system.request("POST", "/v1/deals/\(dealID)/offer/confirm", body: #"{"tariff":"free"}"#)
        #expect(confirmed.status == 200 && confirmed.json["status"] as? String == "confirmed")
        #expect(try await system.request("PUT", "/v1/deals/\(dealID)/offer", body: #"{"currency":"RUB","lines":[{"productId":\#(windowID),"quantity":1}]}"#).status == 409, "frozen")
        #expect(try await eventuallyAsync { (try? await system.request("GET", "/v1/deals/\(dealID)").json["stageId"] as? Int) == confirmedStage })
        // Issue 26: the product is renamed, then archived. The confirmed offer keeps the line it froze; no new offer
        // takes the product; its history says who changed what.
        let renamed = try await system.request("PUT", "/v1/products/\(windowID)", body: #"{"sku":"WIN-1","name":"Window 1200, white","weightGrams":30000}"#)
        #expect(renamed.status == 200 && renamed.json["name"] as? String == "Window 1200, white", "\(renamed.body)")
        #expect(try await system.request("PUT", "/v1/products/\(windowID)", body: #"{"sku":"","name":"x"}"#).status == 400, "the schema: an empty SKU")
        // Prices go up: the confirmed offer keeps the price it froze; the change is in the list's history.
        let raised = try await system.request(
            "PUT", "/v1/price-lists/1", body: #"{"name":"2027","currency":"RUB","prices":[{"productId":\#(windowID),"unitMinor":1600000}]}"#)
        #expect(raised.status == 200, "\(raised.body)")
        #expect(try await system.request("PUT", "/v1/price-lists/1", body: #"{"name":"2027","currency":"USD","prices":[]}"#).status == 422, "a list keeps its currency")
        let kept = try await system.request("GET", "/v1/deals/\(dealID)/offer").json["lines"] as? [[String: Any]]
        #expect(kept?.first?["name"] as? String == "Window 1200" && kept?.first?["unitMinor"] as? Int == 1_500_000)
        let prices = try await system.request("GET", "/v1/price-lists/1/history").json["items"] as? [[String: Any]] ?? []
        #expect(prices.compactMap { $0["summary"] as? String } == ["product \(windowID): 15000.00 → 16000.00 RUB"])
        let archived = try await system.request("POST", "/v1/products/\(windowID)/archive")
        #expect(archived.status == 200 && archived.json["archivedAt"] is String, "\(archived.body)")
        #expect(try await system.request("POST", "/v1/products/\(windowID)/archive").json["archivedAt"] as? String == archived.json["archivedAt"] as? String)
        let later = try #require(try await system.request(
            "POST", "/v1/deals", body: #"{"title":"More windows","contactId":\#(contactID),"pipelineId":\#(pipelineID)}"#).json["id"] as? Int)
        let refused = try await system.request("PUT", "/v1/deals/\(later)/offer", body: #"{"currency":"RUB","lines":[{"productId":\#(windowID),"quantity":1}]}"#)
        #expect(refused.status == 422 && refused.body.contains("lines[0].productId"), "\(refused.body)")
        let history = try await system.request("GET", "/v1/products/\(windowID)/history").json["items"] as? [[String: Any]] ?? []
        #expect(history.compactMap { $0["summary"] as? String } == ["name \"Window 1200\" → \"Window 1200, white\"", "archived"])
        // G1 (issue 22 items 28, 29): the document's limits are the server's.
        #expect(try await system.request("GET", "/v1/orders?limit=501").status == 200)
        #expect(try await system.request("GET", "/v1/orders?limit=10001").status == 400)
        #expect(try await system.request("GET", "/v1/reports/bonuses").status == 400)
        let csv = try await system.request("GET", "/v1/orders.csv?product=WIN-1&minTotal=1000000")
        #expect(csv.status == 200)
        let lines = csv.body.split(separator: "\r\n")
        #expect(lines.count == 2 && lines[1].contains("WIN-1") && lines[1].contains("free") && lines[1].contains("60000.00"))
        #expect(try await system.request("GET", "/v1/orders.csv?zone=Elsewhere").body.split(separator: "\r\n").count == 1)
        try await system.stop()
    }

    @Test func b4b5b6PrepaymentsBalancesGroupEconomicsAndTheBonusReportFollowScheduling() async throws {
        // The business clock stands at 2027-03-15 12:00 UTC, mid-month: "the month in
        // progress" cannot end under the test whatever the real date and hour.
        let clock = DialerEndToEndTests.Clock(file: try temporaryFolder("bonus-clock").appendingPathComponent("now"))
        try clock.set(1_805_112_000_000)
        let system = try await Self.start(clock: clock.file)
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Admin","role":"admin"}"#).status == 201)
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Nina","role":"operator"}"#).status == 201)
        let teacher = try #require(try await system.request("POST", "/v1/resources", body: #"{"name":"Teacher","kind":"teacher","timeZone":"UTC"}"#).json["id"] as? Int)
        // A group with a lesson every day of the month (UTC); the first three are held.
        let month = "2027-03"
        let weekly = (1...7).map { #"{"weekday":\#($0),"fromMinute":600,"toMinute":690}"# }.joined(separator: ",")
        let made = try await system.request("POST", "/v1/groups", body: #"{"name":"English B1","teacherId":\#(teacher),"capacity":10,"weekly":[\#(weekly)],"timeZone":"UTC","firstDate":"2027-03-01","lastDate":"2027-03-31"}"#)
        #expect(made.status == 201, "\(made.body)")
        let group = try #require(made.json["id"] as? Int)
        let lessons = try #require(made.json["lessons"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
        // Nina (staff 2) wins two students' deals; the students join the group.
        var students: [Int] = []
        for name in ["Ann", "Boris"] {
            let c = try #require((try await system.request("POST", "/v1/contacts", body: #"{"firstName":"\#(name)","emails":["\#(name.lowercased())@example.org"]}"#).json["contact"] as? [String: Any])?["id"] as? Int)
            students.append(c)
            let deal = try #require(try await system.request("POST", "/v1/deals", body: #"{"title":"Course for \#(name)","contactId":\#(c),"responsibleId":2}"#).json["id"] as? Int)
            let won = try #require(try await system.request("GET", "/v1/pipelines").json["items"] as? [[String: Any]]).first.flatMap { ($0["stages"] as? [[String: Any]])?.first { $0["outcome"] as? String == "won" }?["id"] as? Int }
            #expect(try await system.request("POST", "/v1/deals/\(deal)/stage", body: #"{"stageId":\#(won!)}"#).status == 200)
            #expect(try await system.request("POST", "/v1/groups/\(group)/enrolments", body: #"{"contactId":\#(c),"status":"active"}"#).status == 200)
        }
        // G1 (issue 22 item 21): a payment is reported once it has happened, not in 9999.
        let future = try await system.request("POST", "/v1/payments", body: #"{"reference":"r-9999","amountMinor":100,"currency":"RUB","contactId":\#(students[0]),"at":"9999-01-01T00:00:00Z"}"#)
        #expect(future.status == 422 && future.body.contains("in the future"), "\(future.body)")
        // Ann prepays 3 lessons, Boris 6 months at 5,000.00.
        #expect(try await system.request("POST", "/v1/payments", body: #"{"reference":"r-1","amountMinor":1500000,"currency":"RUB","contactId":\#(students[0]),"groupId":\#(group),"lessons":3}"#).status == 200)
        let months = try await system.request("POST", "/v1/payments", body: #"{"reference":"r-2","amountMinor":3000000,"currency":"RUB","contactId":\#(students[1]),"groupId":\#(group),"months":6}"#)
        #expect(months.status == 200 && months.json["payerContactId"] as? Int == students[1])
        #expect(try await system.request("POST", "/v1/payments", body: #"{"reference":"r-3","amountMinor":100,"currency":"RUB","months":2}"#).status == 422, "a prepayment names its group")
        // B4, B5 (issue 22): a group that does not exist takes no prepayment and no costs.
        #expect(try await system.request("POST", "/v1/payments", body: #"{"reference":"r-4","amountMinor":100,"currency":"RUB","groupId":999,"months":2}"#).status == 422)
        #expect(try await system.request("PUT", "/v1/groups/999/costs", body: #"{"currency":"RUB","teacherPerLessonMinor":1}"#).status == 404)
        #expect(try await system.request("GET", "/v1/payments/4").status == 404, "nothing stored")
        // Three lessons held, both present.
        for lesson in lessons.prefix(3) {
            for s in students {
                #expect(try await system.request("POST", "/v1/lessons/\(lesson)/attendance", body: #"{"contactId":\#(s),"mark":"present"}"#).status == 200)
            }
        }
        var balances: [[String: Any]] = []
        #expect(try await eventuallyAsync { balances = (try? await system.items("/v1/balances?groupId=\(group)")) ?? []; return balances.count == 2 && balances.first?["lessonsUsed"] as? Int == 3 })
        #expect(balances.map { $0["lessonsLeft"] as? Int } == [0, 0] && balances.map { $0["exhausted"] as? Bool } == [true, false])
        #expect(try await system.items("/v1/balances?exhausted=true").compactMap { $0["contactId"] as? Int } == [students[0]])
        // Costs: 1,000.00 a lesson held, 500.00 a textbook, 2,000.00 rent, no tax.
        #expect(try await system.request("PUT", "/v1/groups/\(group)/costs", body: #"{"currency":"RUB","teacherPerLessonMinor":100000,"textbookPerStudentMinor":50000,"rentPerMonthMinor":200000,"taxBasisPoints":0}"#).status == 200)
        let economics = try await system.request("GET", "/v1/groups/\(group)/economics?month=\(month)").json
        // Revenue: Ann's 3 lessons used (15,000) + Boris's month (5,000); costs 3,000 + 1,000 + 2,000.
        #expect(economics["revenueMinor"] as? Int == 2_000_000 && economics["costsMinor"] as? Int == 600_000 && economics["marginMinor"] as? Int == 1_400_000)
        #expect(economics["brokeEven"] as? Bool == true && economics["breakEvenStudents"] as? Int == 1 && economics["breakEvenContactId"] as? Int == students[0])
        #expect(try await system.request("GET", "/v1/groups/\(group)/economics?month=2027-13").status == 400, "not a month, by the document")
        // Nina's bonus: 10% (the default formula) of the whole margin, both students hers.
        var report: [String: Any] = [:]
        #expect(try await eventuallyAsync { report = (try? await system.request("GET", "/v1/reports/bonuses?month=\(month)").json) ?? [:]; return ((report["items"] as? [[String: Any]])?.first?["dealsWon"] as? Int) == 2 })
        let nina = try #require((report["items"] as? [[String: Any]])?.first)
        #expect(nina["managerId"] as? Int == 2 && nina["bonusMinor"] as? Int == 140_000 && report["formulaVersion"] as? Int == 0)
        // Her own lines with her token; an API key that is not an admin's cannot read them.
        #expect((try await system.request("GET", "/v1/reports/bonuses?month=\(month)", key: Self.operatorKey).json["items"] as? [[String: Any]])?.count == 1)
        #expect(try await system.request("GET", "/v1/reports/bonuses?month=\(month)&managerId=1", key: Self.operatorKey).status == 403)
        // Billing narrows the report itself (issue 24): over RPC a restricted person gets their own lines, never another's.
        let rpc = RPCClient.test("billing", port: system.processes[1].port)
        let staffTwo = CallOptions.acting(for: Principal(role: "staff", staffID: 2, visibility: Visibility(restricted: true, staffIDs: [1, 2])))
        let others = await #expect(throws: RPCError.self) { try await rpc.call(Billing.bonusReport, BonusReportRequest(month: month, managerID: 1), options: staffTwo) }
        #expect(others?.code == .permissionDenied)
        #expect(try await rpc.call(Billing.bonusReport, BonusReportRequest(month: month), options: staffTwo).managers.allSatisfy { $0.managerID == 2 })
        // A payment naming a payer who does not exist is refused by billing too, and recorded nowhere.
        var ghostPayer = PaymentReport(provider: .manual, providerPaymentID: "ghost-payer", status: .paid, amountMinor: 100, currency: "RUB")
        ghostPayer.contactID = 9_999
        let refusedPayment = await #expect(throws: RPCError.self) { try await rpc.call(Billing.recordPayment, ghostPayer) }
        #expect(refusedPayment?.code == .invalidArgument && refusedPayment?.message == "contact 9999 does not exist")
        #expect(try await system.items("/v1/payments").allSatisfy { $0["reference"] as? String != "ghost-payer" })
        let csv = try await system.request("GET", "/v1/reports/bonuses.csv?month=\(month)").body
        #expect(csv.split(separator: "\r\n").count == 2 && csv.contains("English B1") && csv.contains("1400.00"))
        // A past month is pinned to the formula it was first computed with.
        let past = try await system.request("GET", "/v1/reports/bonuses?month=2026-01").json
        #expect(past["pinned"] as? Bool == true && past["formulaVersion"] as? Int == 0)
        // B6 (issue 22): a formula cannot start in an ended month (it would recompute every
        // ended month nobody had opened); from the month in progress it can.
        #expect(try await system.request("POST", "/v1/bonus-formulas", body: #"{"rateBasisPoints":2000,"effectiveFrom":"2026-01"}"#).status == 422)
        #expect(try await system.request("POST", "/v1/bonus-formulas", body: #"{"rateBasisPoints":2000,"effectiveFrom":"\#(month)"}"#).status == 201)
        #expect(try await system.request("GET", "/v1/reports/bonuses?month=2026-01").json["formulaVersion"] as? Int == 0)
        #expect(try await system.request("GET", "/v1/reports/bonuses?month=\(month)").json["formulaVersion"] as? Int == 1, "the month in progress takes the new version")
        try await system.stop()
    }
}
