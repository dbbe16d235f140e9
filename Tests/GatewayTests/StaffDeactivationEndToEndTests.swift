import Contracts
import Foundation
import Testing
import TestSupport

/// Issue 26 item 1 over the real processes: an operator holding deals, tasks, a dialer
/// lease and a callback leaves. Their token is refused from the next request; their work
/// goes to the colleague the admin names; their number leaves call routing.
@Suite struct StaffDeactivationEndToEndTests {
    typealias Clock = DialerEndToEndTests.Clock

    @Test func d8c4AnOperatorWhoLeavesHandsEverythingOverAndTheirTokenIsRefusedAtOnce() async throws {
        let folder = try temporaryFolder("staff-leaves")
        let clock = Clock(file: folder.appendingPathComponent("now"))
        let at = { (hours: Double) in DialerEndToEndTests.midnightMoscow + Int64(hours * Double(DialerEndToEndTests.hour)) }
        try clock.set(at(10))  // inside calling hours (9–21 Moscow) whatever the real time
        let system = try await DialerEndToEndTests.start(clock: clock.file, processes: true)
        let operatorToken = DialerEndToEndTests.token(1)
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Olga","role":"operator","extensions":["201"]}"#).status == 201)
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Semyon","role":"senior_manager"}"#).status == 201)
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Ivan","role":"operator","supervisorId":1}"#).status == 201)

        // Olga's deal and call-back task.
        let contact = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Anna","phones":["+79160000001"]}"#)
        let contactID = try #require((contact.json["contact"] as? [String: Any])?["id"] as? Int)
        let deal = try await system.request("POST", "/v1/deals", body: #"{"title":"Windows","contactId":\#(contactID),"responsibleId":1}"#)
        let dealID = try #require(deal.json["id"] as? Int, "\(deal.body)")
        let task = try await system.request("POST", "/v1/tasks", body: #"{"kind":"call_back","dealId":\#(dealID),"assigneeId":1}"#)
        #expect(task.status == 201, "\(task.body)")
        // Two leads in the dialer: Olga keeps a callback on one for herself and leases the other.
        for n in 1...2 {
            let lead = #"{"channel":"partner","partner":"leadgen","externalId":"L-\#(n)","phone":"+7916\#(String(format: "%07d", 6_000_000 + n))"}"#
            #expect(try await system.request("POST", "/v1/leads", body: lead).status == 201)
        }
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            let items = (try? await system.request("GET", "/v1/dialer/queue"))?.json["items"] as? [[String: Any]] ?? []
            return items.reduce(0) { $0 + ($1["ready"] as? Int ?? 0) } == 2
        })
        let first = try await system.request("POST", "/v1/dialer/next", key: operatorToken)
        let callbackID = try #require(first.json["id"] as? String, "\(first.body)")
        let eleven = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(at(11)) / 1000))
        let kept = try await system.request(
            "POST", "/v1/dialer/entries/\(callbackID)/outcome", key: operatorToken, body: #"{"outcome":"callback","callbackAt":"\#(eleven)","callbackForMe":true}"#)
        #expect(kept.status == 200, "\(kept.body)")
        let second = try await system.request("POST", "/v1/dialer/next", key: operatorToken)
        let leasedID = try #require(second.json["id"] as? String, "\(second.body)")
        #expect(second.json["leasedBy"] as? Int == 1)
        #expect(try await system.request("GET", "/v1/deals", key: operatorToken).status == 200)

        // She leaves; Semyon takes over.
        let left = try await system.request("POST", "/v1/staff/1/deactivate", body: #"{"handToId":2}"#)
        #expect(left.status == 200, "\(left.body)")
        #expect(left.json["deactivatedAt"] is String && left.json["handedToId"] as? Int == 2, "\(left.body)")
        #expect(left.json["extensions"] as? [String] ?? [] == [], "her number was released")
        // From the next request her token is nobody's.
        let refused = try await system.request("GET", "/v1/deals", key: operatorToken)
        #expect(refused.status == 401 || refused.status == 403, "\(refused.status) \(refused.body)")
        #expect(try await system.request("POST", "/v1/dialer/next", key: operatorToken).status != 200)

        // Her deal, task, lease and callback are Semyon's, each a change anyone reading can follow.
        #expect(try await eventuallyAsync(within: .seconds(10)) {
            (try? await system.request("GET", "/v1/deals/\(dealID)"))?.json["responsibleId"] as? Int == 2
        })
        let tasks = try await system.request("GET", "/v1/tasks?assigneeId=2").json["items"] as? [[String: Any]] ?? []
        #expect(tasks.contains { $0["dealId"] as? Int == dealID && $0["status"] as? String == "open" }, "\(tasks)")
        let timeline = try await system.request("GET", "/v1/deals/\(dealID)/timeline").json["items"] as? [[String: Any]] ?? []
        #expect(timeline.contains { $0["kind"] as? String == "handover" }, "\(timeline)")
        #expect(try await eventuallyAsync(within: .seconds(10)) {
            let entry = (try? await system.request("GET", "/v1/dialer/entries/\(leasedID)"))?.json ?? [:]
            return entry["state"] as? String == "ready" && (entry["leasedBy"] as? Int) == nil
        }, "her lease came back at once, not when it ran out")
        #expect(try await eventuallyAsync(within: .seconds(10)) {
            (try? await system.request("GET", "/v1/dialer/entries/\(callbackID)"))?.json["callbackFor"] as? Int == 2
        })
        // Ivan reported to her; now to Semyon.
        #expect(try await system.request("GET", "/v1/staff/3").json["supervisorId"] as? Int == 2)
        // Nobody new is given to her; she does not leave twice; she cannot take anyone's work.
        let given = try await system.request("PATCH", "/v1/deals/\(dealID)", body: #"{"responsibleId":1}"#)
        #expect(given.status == 422, "\(given.body)")
        #expect(try await system.request("POST", "/v1/staff/1/deactivate", body: #"{"handToId":2}"#).status == 409)
        #expect(try await system.request("POST", "/v1/staff/3/deactivate", body: #"{"handToId":1}"#).status == 422)
        // Who did it, and when, stays.
        let history = try await system.request("GET", "/v1/staff/1/history").json["items"] as? [[String: Any]] ?? []
        #expect(history.compactMap { $0["summary"] as? String } == [
            "deactivated; their work handed to staff member 2", "numbers released: 201", "staff 3 now report to staff member 2",
        ])
        try await system.stop()
    }
}
