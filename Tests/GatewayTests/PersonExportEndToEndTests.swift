import Foundation
import Testing
import TestSupport

/// P5 (issue 29): a person's request to see their data. Over `switchboard up` (every
/// service a process): one document holds their record, timeline, deals, appointments,
/// calls and payments from the services that keep them, for an admin only, and the export
/// is in the audit log.
@Suite struct PersonExportEndToEndTests {
    @Test func c8APersonsExportHoldsWhatEveryServiceKeepsAboutThemAndIsAnAdminsAndAudited() async throws {
        let folder = try temporaryFolder("person-export")
        let ports = LocalRunnerPorts()
        let runner = try await ServiceProcess(executable: "switchboard", arguments: ports.arguments(data: folder))
        #expect(try await eventually(within: .seconds(30)) { runner.printed.contains("[switchboard] ready:") })
        let key = try String(contentsOf: folder.appendingPathComponent("admin.key"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        func send(_ method: String, _ path: String, _ body: String? = nil) async throws -> HTTPExchange {
            try await httpRequest(port: ports.gateway, method, path, headers: headers, body: body)
        }

        let made = try await send("POST", "/v1/contacts", #"{"firstName":"Irina","lastName":"Volkova","phones":["+79165557001"],"emails":["irina@example.com"]}"#)
        let contact = try #require((made.json["contact"] as? [String: Any])?["id"] as? Int, "\(made.body)")
        let other = try await send("POST", "/v1/contacts", #"{"firstName":"Oleg","phones":["+79165557002"]}"#)
        let otherID = try #require((other.json["contact"] as? [String: Any])?["id"] as? Int)
        let deal = try await send("POST", "/v1/deals", #"{"title":"Windows for Irina","contactId":\#(contact)}"#)
        #expect(deal.status == 201, "\(deal.status) \(deal.body) \(runner.printed.suffix(3000))")
        let dealID = try #require(deal.json["id"] as? Int)
        #expect(try await send("POST", "/v1/deals", #"{"title":"Oleg's","contactId":\#(otherID)}"#).status == 201)
        let resource = try await send("POST", "/v1/resources", #"{"name":"Ivan","kind":"engineer","timeZone":"UTC","hours":[{"weekday":1,"fromMinute":0,"toMinute":1440},{"weekday":2,"fromMinute":0,"toMinute":1440},{"weekday":3,"fromMinute":0,"toMinute":1440},{"weekday":4,"fromMinute":0,"toMinute":1440},{"weekday":5,"fromMinute":0,"toMinute":1440},{"weekday":6,"fromMinute":0,"toMinute":1440},{"weekday":7,"fromMinute":0,"toMinute":1440}]}"#)
        let resourceID = try #require(resource.json["id"] as? Int, "\(resource.body)")
        // Tomorrow at 10:00 UTC, whatever today is.
        let start = (Int(Date().timeIntervalSince1970) / 86_400 + 1) * 86_400 + 36_000
        func time(_ seconds: Int) -> String { Date(timeIntervalSince1970: Double(seconds)).ISO8601Format() }
        let booked = try await send("POST", "/v1/appointments", #"{"dealId":\#(dealID),"kind":"measurement","resourceIds":[\#(resourceID)],"start":"\#(time(start))","end":"\#(time(start + 3600))","address":"Lenina 1"}"#)
        #expect(booked.status == 201, "\(booked.body)")
        let call = #"{"provider":"pbx","providerCallId":"x-1","direction":"inbound","clientNumber":"+79165557001","legs":[{"destination":"201","disposition":"answered","startedAt":"2026-12-01T10:00:00Z","durationSeconds":60,"talkSeconds":50}],"ended":true}"#
        #expect(try await send("POST", "/v1/calls", call).status == 201)
        let paid = try await send("POST", "/v1/payments", #"{"reference":"r-7001","status":"paid","amountMinor":500000,"currency":"RUB","contactId":\#(contact)}"#)
        #expect(paid.status == 200, "\(paid.body)")
        // C8: her consent, an opt-out, her number on the do-not-call list, a provider's hook naming her.
        #expect(try await send("POST", "/v1/contacts/\(contact)/consents", #"{"channel":"email","purpose":"marketing","granted":true,"source":"web form"}"#).status == 200)
        #expect(try await send("POST", "/v1/opt-outs", #"{"contactId":\#(contact),"channel":"sms"}"#).status == 200)
        #expect(try await send("POST", "/v1/do-not-call", #"{"phone":"+79165557001","reason":"asked"}"#).status == 200)
        let ringostat = try await send("POST", "/v1/admin/integrations", #"{"name":"ringostat","kind":"ringostat"}"#)
        let hookPath = try #require(ringostat.json["hookPath"] as? String)
        let form = "uniqueid=1718000000.42&caller=79165557001&disposition=ANSWERED&billsec=31"
        #expect(try await httpRequest(port: ports.gateway, "POST", hookPath, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form).status == 200)

        // The call's timeline entry comes with telephony's event.
        var export = try await send("GET", "/v1/contacts/\(contact)/export")
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            export = try await send("GET", "/v1/contacts/\(contact)/export")
            return (export.json["timeline"] as? [[String: Any]] ?? []).contains { ($0["kind"] as? String ?? "").hasPrefix("call") }
        }, "\(export.body)")
        #expect(export.status == 200 && export.headers["cache-control"] == "no-store")
        let data = export.json
        #expect((data["contact"] as? [String: Any])?["emails"] as? [String] == ["irina@example.com"])
        #expect((data["deals"] as? [[String: Any]])?.map { $0["id"] as? Int } == [dealID], "Oleg's deal is not Irina's")
        #expect((data["appointments"] as? [[String: Any]])?.first?["address"] as? String == "Lenina 1")
        #expect((data["calls"] as? [[String: Any]])?.count == 2, "the call reported and the one Ringostat's hook made")
        #expect((data["payments"] as? [[String: Any]])?.first?["providerPaymentId"] as? String == "r-7001")
        #expect(data["incomplete"] as? [String] ?? [] == [] && !export.body.contains("Oleg") && !export.body.contains("+79165557002"))
        #expect(((data["consents"] as? [String: Any])?["current"] as? [[String: Any]])?.first?["source"] as? String == "web form")
        #expect((data["optOuts"] as? [[String: Any]])?.first?["channel"] as? String == "sms")
        #expect((data["doNotCall"] as? [[String: Any]])?.first?["reason"] as? String == "asked")
        #expect((data["hooks"] as? [[String: Any]])?.first?["body"] as? String == form)
        #expect(data["schedule"] is [String: Any] && data["offers"] is [Any] && data["surveys"] is [Any])

        // An admin's alone; a person who is not there is not found; the audit log has it.
        #expect(try await send("GET", "/v1/contacts/987654/export").status == 404)
        #expect(try await eventuallyAsync(within: .seconds(10)) {
            let audit = try await send("GET", "/v1/admin/audit?action=export")
            return (audit.json["items"] as? [[String: Any]] ?? []).contains { $0["route"] as? String == "/v1/contacts/{id}/export" && $0["entityId"] as? String == "\(contact)" }
        })
        runner.signal(SIGTERM)
        _ = try await runner.waitForExit()
    }
}
