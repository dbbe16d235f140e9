import Digest
import Foundation
import HTTP
import Synchronization
import Testing
import TestSupport

/// G2 and C5 over the real processes: hooks authenticated per provider, stored before
/// the answer even while contacts is stopped, delivered when it is back, a provider's
/// redelivery changing nothing, a kill -9 of the gateway losing nothing, and a resync
/// from a fake Timepad API.
@Suite struct WebhookEndToEndTests {
    static let secret = "timepad-hook-secret"
    /// The tests poll the admin API; the rate limit is not what they are about.
    /// No scheduled reconciliation: its first pass, at start, may come late enough to pull
    /// what a test just set up, and the resync test counts the platform's requests.
    static let settings = [
        "GATEWAY_RATE_LIMIT": "100000", "GATEWAY_RATE_BURST": "100000", "GATEWAY_OUTBOUND_ALLOW": "loopback", "GATEWAY_RECONCILE_HOURS": "0",
    ]

    func contactCount(_ system: SystemFixture) async throws -> Int? {
        (try await system.request("GET", "/v1/contacts?limit=500").json["items"] as? [Any])?.count
    }

    static func ticket(order: Int, code: String, email: String, surname: String, name: String, status: String = "paid", event: Int = 777) -> String {
        #"{"id":"\#(order):\#(code)","event_id":\#(event),"order_id":\#(order),"status":"\#(status)","status_raw":"\#(status)","email":"\#(email)","surname":"\#(surname)","name":"\#(name)","attended":true,"code":"\#(code)","event_name":"Вечер поэзии","hook_resend":0}"#
    }

    static func signature(_ body: String, secret: String = secret) -> String {
        "sha1=" + HMAC.authenticationCode(.sha1, key: Array(secret.utf8), message: Array(body.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func timepad(_ system: SystemFixture, name: String = "timepad-main", apiBaseURL: String = "") async throws {
        let made = try await system.request(
            "POST", "/v1/admin/integrations",
            body: #"{"name":"\#(name)","kind":"timepad","secret":"\#(Self.secret)","apiBaseUrl":"\#(apiBaseURL)","apiToken":"tp-token","accountId":"55"}"#)
        #expect(made.status == 201, "\(made.body)")
        #expect(made.json["hookPath"] as? String == "/v1/hooks/\(name)")
    }

    func post(_ system: SystemFixture, _ body: String, signature: String? = nil, path: String = "/v1/hooks/timepad-main") async throws -> HTTPExchange {
        try await httpRequest(
            port: system.gateway.port, "POST", path, headers: ["Content-Type": "application/json", "X-Hub-Signature": signature ?? Self.signature(body)],
            body: body)
    }

    func attendees(_ system: SystemFixture) async throws -> [[String: Any]] {
        try await system.request("GET", "/v1/contacts?attended=first_time&limit=500").json["items"] as? [[String: Any]] ?? []
    }

    func hooks(_ system: SystemFixture, _ query: String = "") async throws -> [[String: Any]] {
        try await system.request("GET", "/v1/admin/hooks?limit=500\(query)").json["items"] as? [[String: Any]] ?? []
    }

    @Test func c5TwoAttendeesOneKnownStoredWhileContactsIsStoppedDeliveredWhenBackAndTheSameHookTwiceChangesNothing() async throws {
        let system = try await SystemFixture.start(extra: Self.settings, processes: true)
        try await timepad(system)
        let maria = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Мария","lastName":"Иванова","emails":["maria@example.com"]}"#)
        let mariaID = try #require((maria.json["contact"] as? [String: Any])?["id"] as? Int)

        // A bad signature: 401, nothing stored.
        let first = Self.ticket(order: 1001, code: "AB12", email: "Maria@Example.com", surname: "Иванова", name: "Мария")
        #expect(try await post(system, first, signature: Self.signature(first, secret: "wrong")).status == 401)
        #expect(try await hooks(system).isEmpty)

        // Contacts frozen: the hooks are still taken, stored before the answer.
        try await system.contacts.process.suspend()
        let second = Self.ticket(order: 1001, code: "AB13", email: "petr@example.com", surname: "Петров", name: "Пётр")
        for body in [first, second] {
            let reply = try await post(system, body)
            #expect(reply.status == 200 && reply.body.isEmpty && reply.headers["x-hook-id"] != nil)
        }
        #expect(try await hooks(system, "&status=pending").count == 2)
        system.contacts.process.signal(SIGCONT)
        #expect(try await eventuallyAsync(within: .seconds(20)) { (try? await hooks(system, "&status=delivered").count) == 2 })
        let came = try await attendees(system)
        #expect(came.count == 2)
        #expect(came.contains { $0["id"] as? Int == mariaID }, "Maria was matched by email + surname + name, not made again")
        let records = try await system.request("GET", "/v1/contacts/\(mariaID)/attendance").json["items"] as? [[String: Any]] ?? []
        #expect(records.count == 1 && records.first?["eventId"] as? String == "777" && records.first?["status"] as? String == "paid")

        // Timepad sends the same hook again (hook_resend): stored, delivered, no change.
        #expect(try await post(system, first).status == 200)
        #expect(try await eventuallyAsync(within: .seconds(20)) { (try? await hooks(system, "&status=delivered").count) == 3 })
        #expect(try await attendees(system).count == 2)
        #expect(try await contactCount(system) == 2)
        try await system.stop()
    }

    @Test func g2AKillNineRightAfterTheAnswerLosesNoHook() async throws {
        var system = try await SystemFixture.start(extra: Self.settings, processes: true)
        try await timepad(system)
        try await system.contacts.process.suspend()
        var sent = 0
        for i in 0..<20 {
            let reply = try await post(system, Self.ticket(order: 2000 + i, code: "K\(i)", email: "k\(i)@example.com", surname: "K", name: "N\(i)"))
            #expect(reply.status == 200)
            sent += 1
        }
        system.gateway.process.signal(SIGKILL)
        _ = try await system.gateway.process.waitForExit()
        system.contacts.process.signal(SIGCONT)
        system = try await system.restartingGateway()
        #expect(try await eventuallyAsync(within: .seconds(20)) { (try? await hooks(system, "&status=delivered").count) == sent })
        #expect(try await attendees(system).count == sent)
        try await system.stop()
    }

    @Test func g2ABacklogIsHandedOverInBatchesAndABadHookInOneFailsAlone() async throws {
        let system = try await SystemFixture.start(extra: Self.settings, processes: true)
        try await timepad(system)
        try await system.contacts.process.suspend()
        for i in 0..<30 {
            let email = i == 17 ? "not an email" : "b\(i)@example.com"
            #expect(try await post(system, Self.ticket(order: 5000 + i, code: "B", email: email, surname: "B", name: "N\(i)")).status == 200)
        }
        system.contacts.process.signal(SIGCONT)
        #expect(try await eventuallyAsync(within: .seconds(20)) { (try? await hooks(system, "&status=delivered").count) == 29 })
        let failed = try await hooks(system, "&status=failed")
        #expect(failed.count == 1 && (failed.first?["body"] as? String ?? "").contains("not an email"))
        #expect((failed.first?["lastError"] as? String ?? "").contains("attendees[0].email"))
        #expect(try await attendees(system).count == 29)
        try await system.stop()
    }

    @Test func g2UnsignedProvidersUseTheirURLTokenAndAHookNoServiceTakesIsKeptForReplay() async throws {
        let system = try await SystemFixture.start(extra: Self.settings)
        let made = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"ringostat","kind":"ringostat"}"#)
        #expect(made.status == 201)
        let path = try #require(made.json["hookPath"] as? String)
        #expect(path.hasPrefix("/v1/hooks/ringostat/hk_"))
        #expect(try await system.request("GET", "/v1/admin/integrations").body.contains("hk_") == false, "the token is shown once")
        let form = "uniqueid=1718000000.42&caller=380441112233&disposition=ANSWERED&billsec=31"
        let good = try await httpRequest(port: system.gateway.port, "POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form)
        #expect(good.status == 200 && good.body.isEmpty)
        let wrong = try await httpRequest(port: system.gateway.port, "POST", "/v1/hooks/ringostat/hk_guess", headers: [:], body: form)
        #expect(wrong.status == 401)
        #expect(try await httpRequest(port: system.gateway.port, "POST", "/v1/hooks/nobody/x", body: form).status == 404)
        // This gateway has no telephony: the hook is kept with the reason, never dropped.
        var failed: [[String: Any]] = []
        #expect(try await eventuallyAsync { failed = (try? await hooks(system, "&status=failed")) ?? []; return failed.count == 1 })
        #expect((failed.first?["lastError"] as? String ?? "").contains("no telephony replicas configured (GATEWAY_TELEPHONY)"))
        #expect(failed.first?["body"] as? String == form)
        let id = try #require(failed.first?["id"] as? Int)
        #expect(try await system.request("POST", "/v1/admin/hooks/\(id)/replay").json["status"] as? String == "pending")
        // A CloudPayments integration answers what CloudPayments expects.
        // G2: a signing secret is at least 16 characters and not blank; Telegram's is its
        // secret_token alphabet (it is compared as a bearer value).
        for (kind, secret, status) in [("telegram", "a", 400), ("cloudpayments", "                ", 400), ("timepad", "short-secret", 400),
                                       ("telegram", "sixteen chars ok", 422), ("telegram", "tg_secret-token-0123", 201)] {
            let made = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"signed-\#(status)-\#(kind)","kind":"\#(kind)","secret":"\#(secret)"}"#)
            #expect(made.status == status, "\(kind) \(secret.debugDescription): \(made.body)")
        }
        _ = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"donations","kind":"cloudpayments","secret":"cp-secret-0123456789"}"#)
        let body = "TransactionId=1&Amount=10.00&InvoiceId=DON-1&Status=Completed"
        let mac = Data(HMAC.authenticationCode(.sha256, key: Array("cp-secret-0123456789".utf8), message: Array(body.utf8))).base64EncodedString()
        let paid = try await httpRequest(port: system.gateway.port, "POST", "/v1/hooks/donations", headers: ["Content-HMAC": mac, "Content-Type": "application/x-www-form-urlencoded"], body: body)
        #expect(paid.status == 200 && paid.body == #"{"code":0}"#)
        // Revoked: refused from the next hook on.
        let ringostatID = try #require(made.json["id"] as? Int)
        #expect(try await system.request("DELETE", "/v1/admin/integrations/\(ringostatID)").status == 200)
        #expect(try await httpRequest(port: system.gateway.port, "POST", path, body: form).status == 404)
        let metrics = try await system.request("GET", "/metrics").body
        #expect(metrics.contains("switchboard_hooks_rejected_total 1"))
        try await system.stop()
    }

    /// G2 (issue 22 item 12): hooks that cannot be applied pile up as failed (an amoCRM status
    /// change for a lead no import made, G7); an admin discards one — kept with who, when and
    /// why, out of the failed list, still replayable — and a hook that is not failed is not
    /// theirs to discard.
    @Test func g2AnAdminDiscardsAFailedHookAndItIsKeptWithWhoWhenAndWhy() async throws {
        let system = try await SystemFixture.start(extra: Self.settings)
        let made = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"amo","kind":"amocrm"}"#)
        let path = try #require(made.json["hookPath"] as? String)
        let form = "leads%5Bstatus%5D%5B0%5D%5Bid%5D=25399013&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142"
        #expect(try await httpRequest(port: system.gateway.port, "POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form).status == 200)
        var failed: [[String: Any]] = []
        #expect(try await eventuallyAsync { failed = (try? await hooks(system, "&status=failed")) ?? []; return failed.count == 1 })
        let id = try #require(failed.first?["id"] as? Int)
        let discarded = try await system.request("POST", "/v1/admin/hooks/\(id)/discard", body: #"{"reason":"amoCRM hooks are not used here"}"#)
        #expect(discarded.status == 200, "\(discarded.body)")
        #expect(discarded.json["status"] as? String == "discarded" && discarded.json["discardedBy"] as? String == "api:admin")
        #expect(discarded.json["discardReason"] as? String == "amoCRM hooks are not used here" && discarded.json["discardedAt"] as? String != nil)
        let stillFailed = try await hooks(system, "&status=failed"), nowDiscarded = try await hooks(system, "&status=discarded")
        #expect(stillFailed.isEmpty && nowDiscarded.count == 1)
        #expect(try await system.request("POST", "/v1/admin/hooks/\(id)/discard").status == 200, "again: as it is")
        #expect(try await system.request("POST", "/v1/admin/hooks/999999/discard").status == 404)
        let twoLines = try await system.request("POST", "/v1/admin/hooks/\(id)/discard", body: #"{"reason":"two\nlines"}"#)
        #expect(twoLines.status == 400, "\(twoLines.status) \(twoLines.body)")
        // Replayed, it is in line again; then it fails again and may be discarded again.
        #expect(try await system.request("POST", "/v1/admin/hooks/\(id)/replay").json["status"] as? String == "pending")
        #expect(try await eventuallyAsync { ((try? await hooks(system, "&status=failed")) ?? []).count == 1 })
        // A hook a service took is not the admin's to discard.
        _ = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"tp","kind":"timepad","secret":"timepad-secret-0123456789"}"#)
        let ticket = #"{"id":"1:A","event_id":"9","order_id":"1","code":"A","status_raw":"paid","email":"a@example.com","surname":"A","name":"B"}"#
        let mac = HMAC.authenticationCode(.sha1, key: Array("timepad-secret-0123456789".utf8), message: Array(ticket.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(try await httpRequest(port: system.gateway.port, "POST", "/v1/hooks/tp", headers: ["X-Hub-Signature": "sha1=\(mac)", "Content-Type": "application/json"], body: ticket).status == 200)
        var delivered: [[String: Any]] = []
        #expect(try await eventuallyAsync { delivered = (try? await hooks(system, "&status=delivered")) ?? []; return delivered.count == 1 })
        let deliveredID = try #require(delivered.first?["id"] as? Int)
        #expect(try await system.request("POST", "/v1/admin/hooks/\(deliveredID)/discard").status == 409)
        try await system.stop()
    }

    @Test func c5AResyncPullsTheEventsOrdersFromTimepadAndFeedsThemTheSameWay() async throws {
        // A fake Timepad API serving the documented shape, one page.
        let orders = #"""
            {"total":2,"values":[
             {"id":3001,"status":{"name":"paid"},"mail":"olga@example.com","event":{"id":888,"name":"Лекция"},
              "tickets":[{"id":1,"number":"T1","answers":{"surname":"Орлова","name":"Ольга","mail":"olga@example.com"}}]},
             {"id":3002,"status":{"name":"paid"},"mail":"ivan@example.com","event":{"id":888,"name":"Лекция"},
              "tickets":[{"id":2,"number":"T2","answers":{"surname":"Иванов","name":"Иван","mail":"ivan@example.com"}}]}]}
            """#
        let asked = Counter()
        let redirectTo = Mutex("")
        let fake = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0)) { request in
            if request.path == "/v1/events/777/orders" {
                return HTTPResponse(status: 302, headers: [("Location", redirectTo.withLock { $0 }), ("Content-Type", "application/json")], body: Array("{}".utf8))
            }
            asked.increment()
            if request.path == "/v1/events", request.query["organization_ids"] == "55", request.query["starts_at_min"] != nil {
                return HTTPResponse(status: 200, contentType: "application/json", body: #"{"total":1,"values":[{"id":888,"name":"Лекция"}]}"#)
            }
            guard request.path == "/v1/events/888/orders", request.header("Authorization") == "Bearer tp-token" else {
                return HTTPResponse(status: 404, contentType: "application/json", body: "{}")
            }
            return HTTPResponse(status: 200, contentType: "application/json", body: orders)
        }
        try fake.start()
        let system = try await SystemFixture.start(extra: Self.settings)
        try await timepad(system, apiBaseURL: "http://127.0.0.1:\(fake.port)")
        let outcome = try await system.request("POST", "/v1/events/888/resync")
        #expect(outcome.status == 200 && outcome.json["fetched"] as? Int == 2 && outcome.json["stored"] as? Int == 2, "\(outcome.body)")
        // Bought, not (yet) come: contacts with records, none counted as attended.
        #expect(try await eventuallyAsync(within: .seconds(20)) { (try? await hooks(system, "&status=delivered").count) == 2 })
        let count = try await contactCount(system), listed = try await attendees(system)
        #expect(count == 2 && listed.isEmpty)
        #expect(try await hooks(system).allSatisfy { $0["origin"] as? String == "pull" })
        // Again: the same tickets, nothing new.
        #expect(try await system.request("POST", "/v1/events/888/resync").status == 200)
        #expect(try await eventuallyAsync(within: .seconds(20)) { (try? await hooks(system, "&status=delivered").count) == 4 })
        #expect(try await contactCount(system) == 2)
        // A platform that fails is a 502 with the reason, nothing stored.
        #expect(try await system.request("POST", "/v1/events/999/resync").status == 502)
        #expect(asked.value == 3)
        // G2: a redirect to another host is not followed with the token (it would take it
        // there): 502, and the other host never hears of it.
        let elsewhere = Counter()
        let thief = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.2", port: 0)) { request in
            elsewhere.increment()
            return HTTPResponse(status: 200, contentType: "application/json", body: #"{"total":0,"values":[]}"#)
        }
        try thief.start()
        redirectTo.withLock { $0 = "http://127.0.0.2:\(thief.port)/v1/events/777/orders" }
        let redirected = try await system.request("POST", "/v1/events/777/resync")
        #expect(redirected.status == 502 && redirected.body.contains("redirect"), "\(redirected.body)")
        #expect(elsewhere.value == 0)
        thief.shutdown()
        // Pulls are an admin's: a staff token or a reader key is refused.
        #expect(try await system.request("POST", "/v1/events/888/resync", key: readerKey).status == 403)
        // The scheduled reconciliation's pass, on demand: the organization's events of the
        // last two days, each event's orders; nothing new for contacts.
        let integrationID = try #require((try await system.request("GET", "/v1/admin/integrations").json["items"] as? [[String: Any]])?.first?["id"] as? Int)
        let reconciled = try await system.request("POST", "/v1/admin/integrations/\(integrationID)/reconcile")
        #expect(reconciled.status == 200 && reconciled.json["events"] as? Int == 1 && reconciled.json["stored"] as? Int == 2, "\(reconciled.body)")
        #expect(try await eventuallyAsync(within: .seconds(20)) { (try? await hooks(system, "&status=delivered").count) == 6 })
        #expect(try await contactCount(system) == 2)
        let backwards = try await system.request("POST", "/v1/admin/integrations/\(integrationID)/reconcile?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
        #expect(backwards.status == 422)
        try await system.stop()
        fake.shutdown()
    }
}

/// B3 (issue 30): a backlog of payment hooks goes to billing in batches (one call, one
/// transaction each), so it drains at the rate hooks come in; a payment billing refuses
/// fails alone, the others are kept.
@Suite struct PaymentBacklogTests {
    @Test func b3g2APaymentBacklogIsHandedOverInBatchesAndABadOneFailsAlone() async throws {
        let system = try await SystemFixture.start(processes: true, billing: true)
        let secret = "cp-secret-0123456789"
        #expect(try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"donations","kind":"cloudpayments","secret":"\#(secret)"}"#).status == 201)
        let billing = try #require(system.billing)
        try await billing.process.suspend()
        for i in 0..<30 {
            let currency = i == 17 ? "XXX" : "RUB"
            let body = "TransactionId=\(100 + i)&Amount=10.00&Currency=\(currency)&InvoiceId=DON-\(i)&Email=d\(i)%40example.org&Status=Completed"
            let mac = Data(HMAC.authenticationCode(.sha256, key: Array(secret.utf8), message: Array(body.utf8))).base64EncodedString()
            let paid = try await httpRequest(
                port: system.gateway.port, "POST", "/v1/hooks/donations?type=pay", headers: ["Content-HMAC": mac, "Content-Type": "application/x-www-form-urlencoded"], body: body)
            #expect(paid.status == 200, "\(paid.body)")
        }
        billing.process.signal(SIGCONT)
        func hooks(_ status: String) async throws -> [[String: Any]] {
            try await system.request("GET", "/v1/admin/hooks?limit=500&status=\(status)").json["items"] as? [[String: Any]] ?? []
        }
        #expect(try await eventuallyAsync(within: .seconds(30), every: .milliseconds(50)) { try await hooks("delivered").count == 29 })
        let failed = try await hooks("failed")
        #expect(failed.count == 1 && (failed.first?["body"] as? String ?? "").contains("Currency=XXX"), "\(failed)")
        #expect((failed.first?["lastError"] as? String ?? "").contains("currency"), "\(failed)")
        #expect((try await system.request("GET", "/v1/payments?limit=500").json["items"] as? [[String: Any]])?.count == 29)
        try await system.stop()
    }
}
