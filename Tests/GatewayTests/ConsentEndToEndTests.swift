import Foundation
import Testing
import TestSupport

/// C8: a person's consent per channel and purpose, recorded with where and when they gave
/// it, kept with its history, and honoured: notifications send marketing only to those who
/// gave it and nothing to those who withdrew it; the dialer does not call someone who
/// withdrew consent to calls.
@Suite struct ConsentEndToEndTests {
    @Test func c8n1MarketingGoesOnlyToThoseWhoConsentedAndAWithdrawnWordStopsIt() async throws {
        let system = try await NotificationsEndToEndTests.start()
        let provider = try NotificationsEndToEndTests.Receiver.smsRu(costs: [:])
        #expect(try await system.request("PUT", "/v1/notification-channels/sms", body: #"{"provider":"smsru","baseUrl":"\#(provider.url)","token":"api-1","currency":"RUB"}"#).status == 200)
        let template = try #require(try await system.request("POST", "/v1/templates", body: #"{"name":"Offer","channel":"sms","eventType":"deal.created","body":"-10% on {{deal.title}}"}"#).json["id"] as? Int)
        let rule = try await system.request("POST", "/v1/notification-rules", body: #"{"name":"Offer","eventType":"deal.created","templateId":\#(template),"recipient":"contact","enabled":true,"purpose":"marketing"}"#)
        #expect(rule.status == 201 && rule.json["purpose"] as? String == "marketing", "\(rule.body)")
        func contact(_ phone: String) async throws -> Int {
            try #require((try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Vera","phones":["\#(phone)"]}"#).json["contact"] as? [String: Any])?["id"] as? Int)
        }
        let silent = try await contact("+79165550101"), willing = try await contact("+79165550102")

        // Recorded with its source and time; refused without them, or from the future.
        let given = try await system.request("POST", "/v1/contacts/\(willing)/consents", body: #"{"channel":"sms","purpose":"marketing","granted":true,"source":"web form /signup","at":"2026-11-01T09:00:00Z"}"#)
        #expect(given.status == 200 && (given.json["current"] as? [[String: Any]])?.first?["granted"] as? Bool == true, "\(given.body)")
        #expect((given.json["current"] as? [[String: Any]])?.first?["recordedBy"] as? String == "api:admin")
        #expect(try await system.request("POST", "/v1/contacts/\(willing)/consents", body: #"{"channel":"sms","purpose":"marketing","granted":true}"#).status == 400)
        let future = try await system.request("POST", "/v1/contacts/\(willing)/consents", body: #"{"channel":"sms","purpose":"marketing","granted":true,"source":"x","at":"2099-01-01T00:00:00Z"}"#)
        #expect(future.status == 422 && future.body.contains("\"at\""), "\(future.body)")
        #expect(try await system.request("POST", "/v1/contacts/987654/consents", body: #"{"channel":"sms","purpose":"marketing","granted":true,"source":"x"}"#).status == 404)

        for id in [silent, willing] { #expect(try await system.request("POST", "/v1/deals", body: #"{"title":"Windows","contactId":\#(id)}"#).status == 201) }
        var sends: [[String: Any]] = []
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(50)) {
            sends = try await system.items("/v1/notification-sends")
            return sends.count == 2 && sends.allSatisfy { ["sent", "skipped"].contains($0["status"] as? String ?? "") }
        }, "\(sends)")
        func note(_ send: [String: Any]?) -> String { (send?["history"] as? [[String: Any]])?.last?["note"] as? String ?? "" }
        let toSilent = sends.first { $0["contactId"] as? Int == silent }, toWilling = sends.first { $0["contactId"] as? Int == willing }
        #expect(toSilent?["status"] as? String == "skipped" && note(toSilent).contains("has not consented to marketing over sms"), "\(sends)")
        #expect(toWilling?["status"] as? String == "sent" && provider.count == 1)

        // She withdraws it (an older word recorded late does not undo that): the next offer is not sent.
        #expect(try await system.request("POST", "/v1/contacts/\(willing)/consents", body: #"{"channel":"sms","purpose":"marketing","granted":false,"source":"call 2026-12-01","at":"2026-12-01T10:00:00Z"}"#).status == 200)
        let late = try await system.request("POST", "/v1/contacts/\(willing)/consents", body: #"{"channel":"sms","purpose":"marketing","granted":true,"source":"paper form","at":"2026-11-15T10:00:00Z"}"#)
        #expect((late.json["current"] as? [[String: Any]])?.first?["granted"] as? Bool == false && (late.json["history"] as? [[String: Any]])?.count == 3, "\(late.body)")
        #expect(try await system.request("POST", "/v1/deals", body: #"{"title":"Doors","contactId":\#(willing)}"#).status == 201)
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(50)) {
            (try await system.items("/v1/notification-sends?status=skipped")).count == 2
        })
        #expect(provider.count == 1)
        let read = try await system.request("GET", "/v1/contacts/\(willing)/consents")
        #expect((read.json["history"] as? [[String: Any]])?.map { $0["source"] as? String ?? "" } == ["paper form", "call 2026-12-01", "web form /signup"])
        #expect((try await system.request("GET", "/v1/contacts/\(willing)").json["consents"] as? [[String: Any]])?.count == 1)
        try await system.stop()
    }

    @Test func c8t10APersonWhoWithdrawsConsentToCallsIsNotCalledUntilTheyGiveItAgain() async throws {
        let system = try await DialerEndToEndTests.start()
        let phone = "+79167000011"
        let made = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Ivan","phones":["\#(phone)"]}"#)
        let contact = try #require((made.json["contact"] as? [String: Any])?["id"] as? Int)
        #expect(try await system.request("POST", "/v1/leads", body: #"{"channel":"partner","partner":"leadgen","externalId":"C-1","phone":"\#(phone)"}"#).status == 201)
        func queued() async -> Int {
            let items = (try? await system.request("GET", "/v1/dialer/queue"))?.json["items"] as? [[String: Any]] ?? []
            return items.reduce(0) { $0 + ($1["ready"] as? Int ?? 0) + ($1["waiting"] as? Int ?? 0) }
        }
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(50)) { await queued() == 1 })
        func marks() async throws -> [[String: Any]] {
            try await system.request("GET", "/v1/do-not-call?phone=%2B79167000011").json["items"] as? [[String: Any]] ?? []
        }

        let withdrawn = try await system.request("POST", "/v1/contacts/\(contact)/consents", body: #"{"channel":"calls","purpose":"marketing","granted":false,"source":"said so on a call"}"#)
        #expect(withdrawn.status == 200, "\(withdrawn.body)")
        var mark: [[String: Any]] = []
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(50)) { mark = try await marks(); return !mark.isEmpty })
        #expect(mark.first?["source"] as? String == "consent" && (mark.first?["reason"] as? String ?? "").contains("said so on a call"), "\(mark)")
        #expect(try await eventuallyAsync(within: .seconds(10), every: .milliseconds(50)) { await queued() == 0 }, "their waiting entry closed")

        // Given again: their number comes off the list (a mark someone made by hand would stay).
        #expect(try await system.request("POST", "/v1/contacts/\(contact)/consents", body: #"{"channel":"calls","purpose":"marketing","granted":true,"source":"web form"}"#).status == 200)
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(50)) { try await marks().isEmpty })
        try await system.stop()
    }
}
