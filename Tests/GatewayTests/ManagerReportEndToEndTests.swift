import Contracts
import Foundation
import Testing
import TestSupport

/// Issue 26 item 4 (000, 004) over the real processes: each manager's day from deals and
/// telephony, worked out by hand; a manager sees their team's figures only, an operator
/// their own (G3).
@Suite struct ManagerReportEndToEndTests {
    @Test func d9c4AManagerSeesTheirTeamsMonthAndOnlyThat() async throws {
        let folder = try temporaryFolder("managers")
        let clock = DialerEndToEndTests.Clock(file: folder.appendingPathComponent("now"))
        let hour = DialerEndToEndTests.hour
        let morning = DialerEndToEndTests.midnightMoscow + 10 * hour  // 2027-01-15 07:00 UTC
        try clock.set(morning)
        let system = try await DialerEndToEndTests.start(clock: clock.file, processes: true)
        let token = DialerEndToEndTests.token
        // Maria (1) manages Oleg (2); Anna (3) is in nobody's team.
        for body in [#"{"firstName":"Maria","role":"manager","extensions":["201"]}"#, #"{"firstName":"Oleg","role":"operator","extensions":["202"],"supervisorId":1}"#,
                     #"{"firstName":"Anna","role":"operator","extensions":["203"]}"#] {
            #expect(try await system.request("POST", "/v1/staff", body: body).status == 201)
        }
        func deal(_ title: String, responsible: Int, amount: Int) async throws -> Int {
            let contact = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"\#(title)","phones":["+7916\#(String(format: "%07d", 8_000_000 + amount / 100 + responsible))"]}"#)
            let id = try #require((contact.json["contact"] as? [String: Any])?["id"] as? Int)
            let made = try await system.request(
                "POST", "/v1/deals", body: #"{"title":"\#(title)","contactId":\#(id),"responsibleId":\#(responsible),"amountMinor":\#(amount),"currency":"RUB"}"#)
            return try #require(made.json["id"] as? Int, "\(made.body)")
        }
        // Oleg wins 1,000.00 and loses one; Anna wins 500.00.
        let won = try await deal("Windows", responsible: 2, amount: 100_000)
        let lost = try await deal("Doors", responsible: 2, amount: 70_000)
        let annas = try await deal("Blinds", responsible: 3, amount: 50_000)
        for (id, body) in [(won, #"{"stageId":4}"#), (lost, #"{"stageId":5,"lossReason":"too dear"}"#), (annas, #"{"stageId":4}"#)] {
            #expect(try await system.request("POST", "/v1/deals/\(id)/stage", body: body).status == 200)
        }
        // Oleg's two tasks: one done before it was due, one left open past its time.
        let due = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(morning + hour) / 1000))
        let soon = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(morning + hour / 2) / 1000))
        let done = try await system.request("POST", "/v1/tasks", body: #"{"kind":"follow_up","contactId":1,"assigneeId":2,"dueAt":"\#(due)"}"#)
        let open = try await system.request("POST", "/v1/tasks", body: #"{"kind":"custom","title":"send the contract","contactId":1,"assigneeId":2,"dueAt":"\#(soon)"}"#)
        #expect(done.status == 201 && open.status == 201, "\(done.body) \(open.body)")
        let doneID = try #require((done.json["task"] as? [String: Any])?["id"] as? Int)
        #expect(try await system.request("POST", "/v1/tasks/\(doneID)/complete").status == 200)
        // Calls: Oleg answers one (20 s of talk), Anna makes one (45 s).
        let start = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(morning + 60_000) / 1000))
        for (id, direction, ext, talk) in [("m-1", "inbound", "202", 20), ("m-2", "outbound", "203", 45)] {
            let call = #"{"provider":"mypbx","providerCallId":"\#(id)","direction":"\#(direction)","clientNumber":"+79169990000","legs":[{"destination":"\#(ext)","disposition":"answered","startedAt":"\#(start)","durationSeconds":60,"talkSeconds":\#(talk)}],"ended":true}"#
            #expect(try await system.request("POST", "/v1/calls", body: call).status == 201)
        }
        try clock.set(morning + 2 * hour)

        let day = "from=2027-01-15&to=2027-01-15&currency=RUB"
        let all = try await system.request("GET", "/v1/reports/managers?\(day)")
        #expect(all.status == 200 && all.json["partial"] as? Bool == false, "\(all.body)")
        let rows = Dictionary(uniqueKeysWithValues: (all.json["items"] as? [[String: Any]] ?? []).map { ($0["staffId"] as? Int ?? 0, $0) })
        let oleg = try #require(rows[2], "\(all.body)")
        #expect(oleg["won"] as? Int == 1 && oleg["lost"] as? Int == 1 && oleg["conversion"] as? Double == 0.5 && oleg["revenueMinor"] as? Int == 100_000)
        #expect(oleg["tasksOnTime"] as? Int == 1 && oleg["tasksOverdue"] as? Int == 1)
        #expect(oleg["callsAnswered"] as? Int == 1 && oleg["talkSeconds"] as? Int == 20 && oleg["callsMade"] as? Int == 0)
        let anna = try #require(rows[3])
        #expect(anna["won"] as? Int == 1 && anna["conversion"] as? Double == 1 && anna["revenueMinor"] as? Int == 50_000)
        #expect(anna["callsMade"] as? Int == 1 && anna["talkSeconds"] as? Int == 45)
        let total = try #require(all.json["total"] as? [String: Any])
        #expect(total["won"] as? Int == 2 && total["revenueMinor"] as? Int == 150_000 && total["talkSeconds"] as? Int == 65)

        // G3: Maria sees her team (Oleg), not Anna; Anna sees herself only.
        let maria = try await system.request("GET", "/v1/reports/managers?\(day)", key: token(1))
        #expect((maria.json["items"] as? [[String: Any]] ?? []).compactMap { $0["staffId"] as? Int } == [2], "\(maria.body)")
        #expect((maria.json["total"] as? [String: Any])?["revenueMinor"] as? Int == 100_000)
        let own = try await system.request("GET", "/v1/reports/managers?\(day)", key: token(3))
        #expect((own.json["items"] as? [[String: Any]] ?? []).compactMap { $0["staffId"] as? Int } == [3], "\(own.body)")
        #expect(try await system.request("GET", "/v1/reports/managers?from=2027-01-15&to=2027-01-14&currency=RUB").status == 422)
        try await system.stop()
    }
}
