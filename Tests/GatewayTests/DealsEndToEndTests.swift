import ContactsService
import Foundation
import ServiceKit
import Testing
import TestSupport

@Suite struct DealsEndToEndTests {
    @Test func d3LeadsSentWhileContactsIsDownEachBecomeOneDealWhenItIsBack() async throws {
        let system = try await SystemFixture.start()
        let contactsPort = system.contacts.port
        try await system.contacts.stop()
        // Six leads from four people; two are repeats of the partner's own ids.
        let bodies = (0..<4).map { #"{"channel":"partner","partner":"leadgen","externalId":"L-\#($0)","phone":"+7916555000\#($0)","firstName":"P\#($0)"}"# }
        var ids: Set<Int> = []
        for body in bodies + bodies.prefix(2) {
            let reply = try await system.request("POST", "/v1/leads", body: body)
            #expect(reply.status == 202)
            #expect(reply.json["status"] as? String == "pending")
            ids.insert(reply.json["id"] as? Int ?? 0)
        }
        #expect(ids.count == 4)
        let contacts = try await Hosted.start(
            ServiceDefinition.contacts, executable: "switchboard-contacts",
            environment: [
                "CONTACTS_PORT": "\(contactsPort)", "CONTACTS_ADMIN_PORT": "0",
                "CONTACTS_DATA_DIR": system.folder.appendingPathComponent("contacts").path,
            ], process: false)
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            for id in ids where (try? await system.request("GET", "/v1/leads/\(id)"))?.json["status"] as? String != "processed" { return false }
            return true
        })
        let deals = try await system.request("GET", "/v1/deals?limit=100").json["items"] as? [[String: Any]] ?? []
        #expect(deals.count == 4)
        #expect(Set(deals.compactMap { $0["contactId"] as? Int }).count == 4)
        try await system.stop()
        try await contacts.stop()
    }

    @Test func d3TwoLeadsOfOnePersonAtOnceAreOneDealAndOneDuplicate() async throws {
        let system = try await SystemFixture.start()
        for round in 0..<5 {
            let body = #"{"channel":"web","phone":"+7916777000\#(round)"}"#
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 { group.addTask { try await system.request("POST", "/v1/leads", body: body).json["id"] as? Int ?? 0 } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var receipts: [[String: Any]] = []
            #expect(try await eventuallyAsync {
                receipts = []
                for id in ids { receipts.append(try await system.request("GET", "/v1/leads/\(id)").json) }
                return receipts.allSatisfy { $0["status"] as? String == "processed" }
            })
            #expect(Set(receipts.compactMap { $0["dealId"] as? Int }).count == 1, "round \(round): one deal, \(receipts)")
            #expect(receipts.filter { $0["lowQuality"] as? Bool == true }.count == 1, "round \(round): one duplicate, \(receipts)")
        }
        try await system.stop()
    }

    @Test func g4ALeadWaitingOnAHungContactsServiceIsAnswered202WithinTheBudget() async throws {
        let hung = try SilentListener()
        let folder = try temporaryFolder("hung")
        let deals = try await ServiceProcess(
            executable: "switchboard-deals",
            environment: [
                "DEALS_PORT": "0", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path,
                "DEALS_CONTACTS": "127.0.0.1:\(hung.port)", "DEALS_LEAD_WAIT_MS": "15000",
            ])
        let gateway = try await ServiceProcess(
            executable: "switchboard-gateway",
            environment: [
                "GATEWAY_PORT": "0", "GATEWAY_CONTACTS": "127.0.0.1:\(hung.port)", "GATEWAY_DEALS": "127.0.0.1:\(deals.port)",
                "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path, "GATEWAY_API_KEYS": "\(adminKey)=admin",
                "GATEWAY_TIMEOUT_MS": "1000",
            ])
        let started = ContinuousClock.now
        let reply = try await httpRequest(
            port: gateway.port, "POST", "/v1/leads", headers: ["Authorization": "Bearer \(adminKey)", "Content-Type": "application/json"],
            body: #"{"channel":"web","phone":"+79160001122"}"#)
        #expect(reply.status == 202 && reply.json["status"] as? String == "pending", "\(reply.status) \(reply.body)")
        #expect(ContinuousClock.now - started < .seconds(3))
        for process in [gateway, deals] {
            process.signal(SIGTERM)
            _ = try await process.waitForExit()
        }
    }

    @Test func d4TasksStagesAndTimelineThroughTheGateway() async throws {
        let system = try await SystemFixture.start()
        let lead = try await system.request("POST", "/v1/leads", body: #"{"channel":"web","phone":"+79161112233","comment":"wants a quote"}"#)
        #expect(lead.status == 201)
        let dealID = try #require(lead.json["dealId"] as? Int)
        let task = #"{"kind":"call_back","dealId":\#(dealID),"dueAt":"2020-01-01T00:00:00Z"}"#
        #expect(try await system.request("POST", "/v1/tasks", body: task).status == 201)
        let again = try await system.request("POST", "/v1/tasks", body: task)
        #expect(again.status == 200 && again.json["existing"] as? Bool == true)
        let overdue = try await system.request("GET", "/v1/tasks?overdue=true").json["items"] as? [[String: Any]] ?? []
        #expect(overdue.count == 1)
        let problems = try await system.request("GET", "/v1/deals/problems").json["items"] as? [[String: Any]] ?? []
        #expect(problems.first?["reasons"] as? [String] == ["overdue_task"])
        let lost = try await system.request("POST", "/v1/deals/\(dealID)/stage", body: #"{"stageId":5}"#)
        #expect(lost.status == 422 && lost.body.contains("lossReason"))
        let moved = try await system.request("POST", "/v1/deals/\(dealID)/stage", body: #"{"stageId":2}"#)
        #expect(moved.status == 200 && moved.json["stageId"] as? Int == 2)
        let timeline = try await system.request("GET", "/v1/deals/\(dealID)/timeline").json["items"] as? [[String: Any]] ?? []
        #expect(timeline.map { $0["kind"] as? String ?? "" } == ["stage_change", "deal_opened"])
        let patched = try await system.request("PATCH", "/v1/deals/\(dealID)", body: #"{"amountMinor":1500000,"currency":"RUB","scheduledAt":"2026-12-05T10:00:00Z"}"#)
        #expect(patched.status == 200 && patched.json["amountMinor"] as? Int == 1_500_000 && patched.json["scheduledAt"] as? String == "2026-12-05T10:00:00.000Z")
        let noCurrency = try await system.request("PATCH", "/v1/deals/\(dealID)", body: #"{"currency":"","stageId":3}"#)
        #expect(noCurrency.status == 400 && noCurrency.body.contains("stageId") )
        let stillThere = try await system.request("GET", "/v1/deals/\(dealID)")
        #expect(stillThere.json["currency"] as? String == "RUB" && stillThere.json["stageId"] as? Int == 2)
        let cleared = try await system.request("PATCH", "/v1/deals/\(dealID)", body: #"{"scheduledAt":null}"#)
        #expect(cleared.status == 200 && cleared.json["scheduledAt"] is NSNull)
        let contactID = try #require(lead.json["contactId"] as? Int)
        #expect(try await system.request("POST", "/v1/tasks", body: #"{"kind":"meeting","contactId":\#(contactID)}"#).status == 201)
        #expect(try await system.request("POST", "/v1/tasks", body: #"{"kind":"meeting","contactId":4242}"#).status == 422)
        let bad = try await system.request("POST", "/v1/tasks", body: #"{"kind":"nap"}"#)
        #expect(bad.status == 400 && bad.headers["content-type"] == "application/problem+json")
        try await system.stop()
    }

    @Test func g3StaffTokensSeeTheirOwnTheirTeamsOrEverything() async throws {
        let operatorToken = "operator-token-0123456789"
        let managerToken = "manager-token-0123456789"
        let otherToken = "other-op-token-0123456789"
        // Staff ids are given in creation order below: 1 manager, 2 operator (reports to 1), 3 operator.
        let system = try await SystemFixture.start(
            keys: "\(adminKey)=admin,\(managerToken)=staff:1,\(operatorToken)=staff:2,\(otherToken)=staff:3")
        for body in [#"{"firstName":"M","role":"manager"}"#, #"{"firstName":"O","role":"operator","supervisorId":1}"#, #"{"firstName":"X","role":"operator"}"#] {
            #expect(try await system.request("POST", "/v1/staff", body: body).status == 201)
        }
        var contactIDs: [Int] = []
        for owner in [1, 2, 3] {
            let contact = try await system.request("POST", "/v1/contacts", body: #"{"emails":["client\#(owner)@example.com"]}"#)
            contactIDs.append((contact.json["contact"] as? [String: Any])?["id"] as? Int ?? 0)
        }
        var dealIDs: [Int] = []
        for owner in [1, 2, 3] {
            let reply = try await system.request("POST", "/v1/deals", body: #"{"title":"deal of \#(owner)","contactId":\#(contactIDs[owner - 1]),"responsibleId":\#(owner)}"#)
            #expect(reply.status == 201)
            dealIDs.append(reply.json["id"] as? Int ?? 0)
        }
        func visible(_ key: String) async throws -> Set<Int> {
            Set((try await system.request("GET", "/v1/deals", key: key).json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int })
        }
        #expect(try await visible(operatorToken) == [dealIDs[1]])
        #expect(try await visible(managerToken) == [dealIDs[0], dealIDs[1]])
        #expect(try await visible(adminKey) == Set(dealIDs))
        #expect(try await system.request("GET", "/v1/deals/\(dealIDs[2])", key: operatorToken).status == 404)
        let export = try await system.request("GET", "/v1/deals/export.csv", key: managerToken)
        #expect(export.status == 200 && export.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(export.body.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",")[1] } == ["deal of 1", "deal of 2"])
        #expect(try await system.request("GET", "/v1/deals/\(dealIDs[2])/timeline", key: operatorToken).status == 404)
        func timelineCount(_ key: String) async throws -> Int {
            (try await system.request("GET", "/v1/contacts/\(contactIDs[2])/timeline", key: key).json["items"] as? [Any])?.count ?? -1
        }
        #expect(try await timelineCount(operatorToken) == 0)
        #expect(try await timelineCount(otherToken) == 1)
        let mine = try await system.request("GET", "/v1/tasks?mine=true", key: adminKey)
        #expect(mine.status == 422)
        try await system.stop()
    }

    @Test func contactMergedReachesDealsAndMovesTheirDeals() async throws {
        let system = try await SystemFixture.start()
        let a = try await system.request("POST", "/v1/leads", body: #"{"channel":"web","phone":"+79160000001"}"#)
        let b = try await system.request("POST", "/v1/contacts", body: #"{"phones":["+79160000002"]}"#)
        let survivor = try #require(b.json["contact"] as? [String: Any])["id"] as? Int ?? 0
        let merged = try #require(a.json["contactId"] as? Int)
        let dealID = try #require(a.json["dealId"] as? Int)
        #expect(try await system.request("POST", "/v1/contacts/\(survivor)/merge", body: #"{"from":\#(merged)}"#).status == 200)
        // A new deal for the merged contact goes to the survivor; one for nobody is refused.
        let late = try await system.request("POST", "/v1/deals", body: #"{"title":"late","contactId":\#(merged)}"#)
        #expect(late.status == 201 && late.json["contactId"] as? Int == survivor)
        let nobody = try await system.request("POST", "/v1/deals", body: #"{"title":"ghost","contactId":999}"#)
        #expect(nobody.status == 422 && nobody.body.contains("contactId"))
        #expect(try await eventuallyAsync(within: .seconds(10)) {
            (try? await system.request("GET", "/v1/deals/\(dealID)"))?.json["contactId"] as? Int == survivor
        })
        let timeline = try await system.request("GET", "/v1/contacts/\(survivor)/timeline").json["items"] as? [[String: Any]] ?? []
        #expect(timeline.contains { $0["kind"] as? String == "deal_opened" })
        try await system.stop()
    }
}
