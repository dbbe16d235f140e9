import Digest
import Foundation
import Testing
import TestSupport

/// C8 (issue 29): a person's request to be forgotten. Over `switchboard up` (every service a
/// process): a client who wrote on WhatsApp, was called, rang through Ringostat, had a
/// deal with a note and an appointment, and paid, is erased; afterwards their name, phone
/// and email are in none of the system's files, and the reports count what they counted.
@Suite struct PersonErasureEndToEndTests {
    static let appSecret = "wa-app-secret-0123456789"
    static let name = ("Zinaida", "Kvashnina")
    static let phone = "79165557001"
    static let email = "zinaida.k@example.com"

    @Test func c8AnErasedPersonsNamePhoneAndEmailAreInNoFileAndTheReportsCountWhatTheyCounted() async throws {
        let folder = try temporaryFolder("person-erasure")
        let ports = LocalRunnerPorts()
        let runner = try await ServiceProcess(executable: "switchboard", arguments: ports.arguments(data: folder))
        #expect(try await eventually(within: .seconds(30)) { runner.printed.contains("[switchboard] ready:") })
        let key = try String(contentsOf: folder.appendingPathComponent("admin.key"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        func send(_ method: String, _ path: String, _ body: String? = nil, headers: [String: String] = [:]) async throws -> HTTPExchange {
            try await httpRequest(
                port: ports.gateway, method, path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"].merging(headers) { $1 },
                body: body)
        }
        func items(_ path: String) async throws -> [[String: Any]] { try await send("GET", path).json["items"] as? [[String: Any]] ?? [] }

        // Someone else, who stays as they are.
        let other = try await send("POST", "/v1/contacts", #"{"firstName":"Oleg","lastName":"Petrov","phones":["+79165557002"],"emails":["oleg@example.com"]}"#)
        let otherID = try #require((other.json["contact"] as? [String: Any])?["id"] as? Int)

        // She writes on WhatsApp: a contact, a lead, a deal and a conversation.
        #expect(try await send("POST", "/v1/admin/integrations", #"{"name":"wa","kind":"whatsapp","secret":"\#(Self.appSecret)"}"#).status == 201)
        let message = Self.whatsApp(text: "This is \(Self.name.0), write to \(Self.email)", at: Int64(Date().timeIntervalSince1970))
        let signature = "sha256=" + Hex.encode(HMAC.authenticationCode(.sha256, key: Array(Self.appSecret.utf8), message: Array(message.utf8)))
        #expect(try await send("POST", "/v1/hooks/wa", message, headers: ["X-Hub-Signature-256": signature]).status == 200)
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(100)) { try await items("/v1/conversations").count == 1 })
        let conversation = try #require(try await items("/v1/conversations").first)
        let contactID = try #require(conversation["contactId"] as? Int)
        let dealID = try #require(conversation["dealId"] as? Int)
        let patched = try await send("PATCH", "/v1/contacts/\(contactID)", #"{"lastName":"\#(Self.name.1)","emails":["\#(Self.email)"]}"#)
        #expect(patched.status == 200, "\(patched.body)")
        #expect(try await send("POST", "/v1/deals/\(dealID)/notes", #"{"text":"\#(Self.name.0) \#(Self.name.1) wants white frames"}"#).status == 201)

        // An appointment at her address, a call, a Ringostat hook about another call, a payment.
        let week = (1...7).map { #"{"weekday":\#($0),"fromMinute":0,"toMinute":1440}"# }.joined(separator: ",")
        let resource = try await send("POST", "/v1/resources", #"{"name":"Ivan","kind":"engineer","timeZone":"UTC","hours":[\#(week)]}"#)
        let resourceID = try #require(resource.json["id"] as? Int, "\(resource.body)")
        let start = (Int(Date().timeIntervalSince1970) / 86_400 + 1) * 86_400 + 36_000
        func time(_ seconds: Int) -> String { Date(timeIntervalSince1970: Double(seconds)).ISO8601Format() }
        let booked = try await send("POST", "/v1/appointments", #"{"dealId":\#(dealID),"kind":"measurement","resourceIds":[\#(resourceID)],"start":"\#(time(start))","end":"\#(time(start + 3600))","address":"\#(Self.name.1) house, Lenina 1","notes":"ask for \#(Self.name.0)"}"#)
        #expect(booked.status == 201, "\(booked.body)")
        let call = #"{"provider":"pbx","providerCallId":"x-1","direction":"inbound","clientNumber":"+\#(Self.phone)","legs":[{"destination":"201","disposition":"answered","startedAt":"\#(time(Int(Date().timeIntervalSince1970) - 3600))","durationSeconds":60,"talkSeconds":50,"recordingUrl":"https://pbx.example.com/rec/\#(Self.phone).mp3"}],"ended":true}"#
        #expect(try await send("POST", "/v1/calls", call).status == 201)
        let ringostat = try await send("POST", "/v1/admin/integrations", #"{"name":"ringostat","kind":"ringostat"}"#)
        let hookPath = try #require(ringostat.json["hookPath"] as? String)
        let form = "uniqueid=1718000000.42&caller=\(Self.phone)&disposition=ANSWERED&billsec=31&calldate=\(Int(Date().timeIntervalSince1970) - 1800)"
        #expect(try await httpRequest(port: ports.gateway, "POST", hookPath, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form).status == 200)
        let paid = try await send("POST", "/v1/payments", #"{"reference":"r-7001","status":"paid","amountMinor":500000,"currency":"RUB","contactId":\#(contactID),"email":"\#(Self.email)","payerName":"\#(Self.name.0) \#(Self.name.1)"}"#)
        #expect(paid.status == 200, "\(paid.body)")

        // Everything has reached everyone: both calls on her timeline, the hook delivered.
        var settled = ""
        #expect(try await eventuallyAsync(within: .seconds(30), every: .milliseconds(250)) {
            let export = try await send("GET", "/v1/contacts/\(contactID)/export")
            settled = export.body
            let timeline = export.json["timeline"] as? [[String: Any]] ?? []
            let delivered = try await items("/v1/admin/hooks?status=delivered").count
            return timeline.filter { ($0["kind"] as? String ?? "").hasPrefix("call") }.count >= 2 && delivered == 2
        }, "\(settled)")
        let today = String(Date().ISO8601Format().prefix(10))
        let yesterday = String(Date(timeIntervalSinceNow: -86_400).ISO8601Format().prefix(10))
        let tomorrow = String(Date(timeIntervalSinceNow: 86_400).ISO8601Format().prefix(10))
        let reports = ["/v1/reports/leads?from=\(yesterday)&to=\(tomorrow)&groupBy=source", "/v1/calls/stats", "/v1/reports/attribution?from=\(yesterday)&to=\(tomorrow)&groupBy=source&currency=RUB"]
        var before: [String] = []
        for report in reports { before.append(try await send("GET", report).body) }
        #expect(before[0].contains("whatsapp") && !today.isEmpty, "\(before[0])")

        // The erasure: 202, followed to its end; asked again, the same one.
        let asked = try await send("POST", "/v1/contacts/\(contactID)/erase")
        #expect(asked.status == 202, "\(asked.body) \(runner.printed.suffix(3000))")
        let location = try #require(asked.headers["location"])
        #expect(try await send("POST", "/v1/contacts/\(contactID)/erase").json["id"] as? Int == asked.json["id"] as? Int)
        var erasure: [String: Any] = [:]
        #expect(try await eventuallyAsync(within: .seconds(60), every: .milliseconds(250)) {
            erasure = try await send("GET", location).json
            return erasure["state"] as? String == "done"
        }, "\(erasure)")
        let steps = erasure["steps"] as? [[String: Any]] ?? []
        #expect(steps.map { $0["service"] as? String ?? "" } == ["deals", "scheduling", "telephony", "notifications", "billing", "gateway", "contacts"])
        #expect(steps.allSatisfy { $0["done"] as? Bool == true }, "\(steps)")
        func erased(_ service: String, _ kind: String) -> Int {
            let step = steps.first { $0["service"] as? String == service }
            let counts = (step?["report"] as? [String: Any])?["erased"] as? [[String: Any]] ?? []
            return counts.first { $0["kind"] as? String == kind }?["count"] as? Int ?? 0
        }
        #expect(erased("contacts", "contacts") == 1 && erased("deals", "deals") == 1 && erased("telephony", "calls") == 2, "\(steps)")
        #expect(erased("notifications", "messages") == 1 && erased("billing", "payments") == 1 && erased("gateway", "hooks") == 2, "\(steps)")

        // What stays: the counts, the money, the other person; she is not found.
        for (report, earlier) in zip(reports, before) { #expect(try await send("GET", report).body == earlier, "\(report)") }
        #expect(try await items("/v1/payments").first?["amountMinor"] as? Int == 500000)
        #expect(try await send("GET", "/v1/contacts/\(contactID)").status == 404)
        #expect(try await items("/v1/contacts?phone=%2B\(Self.phone)").isEmpty)
        #expect((try await send("GET", "/v1/contacts/\(otherID)").json["emails"] as? [String]) == ["oleg@example.com"])
        let export = try await send("GET", "/v1/contacts/\(contactID)/export")
        #expect((export.json["contact"] as? [String: Any])?["erasedAt"] != nil && (export.json["deals"] as? [[String: Any]])?.count == 1, "\(export.body)")
        #expect(try await send("GET", "/v1/admin/audit/verification").json["intact"] as? Bool == true)

        // Stopped (each file's log folded in), no file holds her name, number or email.
        runner.signal(SIGTERM)
        _ = try await runner.waitForExit()
        var found: [String] = []
        for file in FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.compactMap({ $0 as? URL }) ?? [] {
            guard let bytes = try? Data(contentsOf: file) else { continue }
            for needle in [Self.name.0, Self.name.1, String(Self.phone.dropFirst()), Self.email] where bytes.range(of: Data(needle.utf8)) != nil {
                found.append("\(file.path.dropFirst(folder.path.count)): \(needle)")
            }
        }
        #expect(found.isEmpty, "\(found)")

        // Started again. Ringostat sends the old call's hook again: it happened before the
        // erasure, so nobody comes of it. She writes again herself: a new contact, with
        // nothing of the old one.
        let again = try await ServiceProcess(executable: "switchboard", arguments: ports.arguments(data: folder))
        #expect(try await eventually(within: .seconds(30)) { again.printed.contains("[switchboard] ready:") })
        #expect(try await httpRequest(port: ports.gateway, "POST", hookPath, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form).status == 200)
        // Another call of hers from before the erasure, first reported now: its lead is refused, keeping nothing of her.
        let earlier = "uniqueid=1718000000.43&caller=\(Self.phone)&disposition=ANSWERED&billsec=12&calldate=\(Int(Date().timeIntervalSince1970) - 2400)"
        #expect(try await httpRequest(port: ports.gateway, "POST", hookPath, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: earlier).status == 200)
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(100)) { try await items("/v1/admin/hooks?status=delivered").count == 4 })
        var refused: [String: Any] = [:]
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(200)) {
            for id in 1...12 {
                let lead = try await send("GET", "/v1/leads/\(id)").json
                if lead["status"] as? String == "rejected", (lead["reason"] as? String ?? "").contains("erased") { refused = lead; return true }
            }
            return false
        })
        #expect(refused["contactId"] as? Int == nil && refused["dealId"] as? Int == nil, "\(refused)")
        let latest = Self.whatsApp(text: "Hello again", at: Int64(Date().timeIntervalSince1970) + 1, id: "wamid.erasure-2")
        let signed = "sha256=" + Hex.encode(HMAC.authenticationCode(.sha256, key: Array(Self.appSecret.utf8), message: Array(latest.utf8)))
        #expect(try await send("POST", "/v1/hooks/wa", latest, headers: ["X-Hub-Signature-256": signed]).status == 200)
        var back: [[String: Any]] = []
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(100)) {
            back = try await items("/v1/contacts?phone=%2B\(Self.phone)")
            return !back.isEmpty
        })
        #expect(back.count == 1 && back.first?["id"] as? Int != contactID && back.first?["lastName"] as? String == Self.name.1 && back.first?["emails"] as? [String] == [])
        // The calls erased stay without her number; the one first reported now is a new record of the call log.
        let calls = try await items("/v1/calls?phone=%2B\(Self.phone)")
        #expect(calls.map { $0["providerCallIds"] as? [String] ?? [] } == [["ringostat:1718000000.43"]], "\(calls)")
        again.signal(SIGTERM)
        _ = try await again.waitForExit()
    }

    /// Meta's published text message from her number, under her name.
    static func whatsApp(text: String, at: Int64, id: String = "wamid.erasure-1") -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"8856996819413533","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505553333","phone_number_id":"27681414235104944"},"contacts":[{"profile":{"name":"\#(name.0) \#(name.1)"},"wa_id":"\#(phone)"}],"messages":[{"from":"\#(phone)","id":"\#(id)","timestamp":"\#(at)","text":{"body":"\#(text)"},"type":"text"}]},"field":"messages"}]}]}"#
    }
}

/// C8: an erasure is a durable job. A service that is down is waited for, the contacts
/// step (last) waits for it, a restarted gateway picks the erasure up where it stood, and
/// once the service is back the erasure finishes.
@Suite struct PersonErasureResumeTests {
    @Test func c8AnErasureWaitsForAServiceThatIsDownSurvivesAGatewayRestartAndFinishes() async throws {
        let system = try await SystemFixture.start()
        let billingPort = try freePort()
        func startBilling() async throws -> Hosted {
            try await Hosted.start(executable: "switchboard-billing", environment: [
                "BILLING_PORT": "\(billingPort)", "BILLING_ADMIN_PORT": "0", "BILLING_DATA_DIR": system.folder.appendingPathComponent("billing").path,
                "BILLING_CONTACTS": "127.0.0.1:\(system.contacts.port)", "BILLING_DEALS": "127.0.0.1:\(system.deals.port)",
            ])
        }
        var billing = try await startBilling()
        try await system.gateway.stop()
        let environment = system.gatewayEnvironment.merging(["GATEWAY_BILLING": "127.0.0.1:\(billingPort)"]) { $1 }
        var gateway = try await Hosted.start(executable: "switchboard-gateway", environment: environment)
        func send(_ method: String, _ path: String, _ body: String? = nil) async throws -> HTTPExchange {
            try await httpRequest(port: gateway.port, method, path, headers: ["Authorization": "Bearer \(adminKey)", "Content-Type": "application/json"], body: body)
        }
        let made = try await send("POST", "/v1/contacts", #"{"firstName":"Zinaida","emails":["z@example.com"]}"#)
        let contact = try #require((made.json["contact"] as? [String: Any])?["id"] as? Int, "\(made.body)")
        let paid = try await send("POST", "/v1/payments", #"{"reference":"r-1","status":"paid","amountMinor":1000,"currency":"RUB","contactId":\#(contact),"email":"z@example.com"}"#)
        #expect(paid.status == 200, "\(paid.body)")

        try await billing.stop()
        let asked = try await send("POST", "/v1/contacts/\(contact)/erase")
        let location = try #require(asked.headers["location"], "\(asked.body)")
        func steps() async throws -> [String: [String: Any]] {
            let steps = try await send("GET", location).json["steps"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: steps.map { ($0["service"] as? String ?? "", $0) })
        }
        var seen: [String: [String: Any]] = [:]
        #expect(try await eventuallyAsync(within: .seconds(20), every: .milliseconds(100)) {
            seen = try await steps()
            return seen["deals"]?["done"] as? Bool == true && seen["gateway"]?["done"] as? Bool == true && (seen["billing"]?["attempts"] as? Int ?? 0) >= 2
        }, "\(seen)")
        #expect(seen["billing"]?["done"] as? Bool == false && !(seen["billing"]?["lastError"] as? String ?? "").isEmpty)
        #expect(seen["contacts"]?["done"] as? Bool == false && seen["contacts"]?["attempts"] as? Int == 0, "contacts waits for the others")

        // The gateway restarts: the erasure is still there, as it stood.
        try await gateway.stop()
        gateway = try await Hosted.start(executable: "switchboard-gateway", environment: environment)
        #expect(try await send("GET", location).json["state"] as? String == "running")
        billing = try await startBilling()
        var erasure: [String: Any] = [:]
        #expect(try await eventuallyAsync(within: .seconds(30), every: .milliseconds(100)) {
            erasure = try await send("GET", location).json
            return erasure["state"] as? String == "done"
        }, "\(erasure)")
        let payment = try #require(try await send("GET", "/v1/payments").json["items"] as? [[String: Any]]).first
        #expect(payment?["amountMinor"] as? Int == 1000 && (payment?["email"] as? String ?? "").isEmpty, "\(String(describing: payment))")
        try await billing.stop()
        try await gateway.stop()
        try await system.deals.stop()
        try await system.contacts.stop()
    }
}
