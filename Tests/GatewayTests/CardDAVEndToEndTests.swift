import Foundation
import Testing
import TestSupport

/// Issue 29: contacts on staff phones. A read-only CardDAV book per staff member (RFC 6352)
/// holding the clients they may see (G3), synced by a real client (Debian's vdirsyncer,
/// which .ci/run installs) and by sync-collection (RFC 6578) as phones do.
@Suite struct CardDAVEndToEndTests {
    static let operatorToken = "operator-2-carddav-token-0123", otherToken = "operator-3-carddav-token-0123"
    static let vdirsyncer = "/usr/bin/vdirsyncer"

    /// Staff 1 manager, 2 operator reporting to 1, 3 operator of no team. Anna is 2's client,
    /// Boris nobody's (the shared pool), Vera 3's.
    static func start() async throws -> (system: SystemFixture, anna: Int, boris: Int, vera: Int) {
        let system = try await SystemFixture.start(keys: "\(adminKey)=admin,\(operatorToken)=staff:2,\(otherToken)=staff:3")
        for body in [#"{"firstName":"M","role":"manager"}"#, #"{"firstName":"O","role":"operator","supervisorId":1}"#, #"{"firstName":"X","role":"operator"}"#] {
            #expect(try await system.request("POST", "/v1/staff", body: body).status == 201)
        }
        var ids: [Int] = []
        for body in [
            #"{"firstName":"Anna","lastName":"Petrova","phones":["+79161230001"],"emails":["anna@example.com"],"company":"Okna, LLC","responsibleId":2}"#,
            #"{"firstName":"Boris","phones":["+79161230002"]}"#,
            #"{"firstName":"Vera","lastName":"Sokolova","phones":["+79161230003"],"responsibleId":3}"#,
        ] {
            let made = try await system.request("POST", "/v1/contacts", body: body)
            ids.append(try #require((made.json["contact"] as? [String: Any])?["id"] as? Int, "\(made.body)"))
        }
        return (system, ids[0], ids[1], ids[2])
    }

    static func basic(_ token: String) -> [String: String] {
        ["Authorization": "Basic " + Data("phone:\(token)".utf8).base64EncodedString(), "Content-Type": "application/xml; charset=utf-8"]
    }

    /// Runs vdirsyncer with `arguments` (started with ChildProcess, not Foundation's
    /// Process: see CSpawn.h; its run() crashed the suite here once); its exit status and
    /// what it printed.
    static func vdirsyncer(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let log = try temporaryFolder("vdirsyncer").appendingPathComponent("output.log")
        let child = try ChildProcess(
            path: vdirsyncer, arguments: arguments, environment: ProcessInfo.processInfo.environment, output: log.path, errorOutput: log.path)
        let status = try await child.waitForExit(within: .seconds(60))
        return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: vdirsyncer), "vdirsyncer is installed (.ci/run installs it)"))
    func p5VdirsyncerSyncsAnOperatorsBookThenOnlyTheEditedCardAndNeverAnotherTeamsClient() async throws {
        let (system, anna, boris, vera) = try await Self.start()
        let folder = try temporaryFolder("carddav")
        let phone = folder.appendingPathComponent("phone")
        // The collection vdirsyncer finds is named after the book's last segment.
        try FileManager.default.createDirectory(at: phone.appendingPathComponent("contacts"), withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("config")
        try """
            [general]
            status_path = "\(folder.appendingPathComponent("status").path)/"

            [pair book]
            a = "phone"
            b = "switchboard"
            collections = ["from b"]
            conflict_resolution = "b wins"

            [storage phone]
            type = "filesystem"
            path = "\(phone.path)/"
            fileext = ".vcf"

            [storage switchboard]
            type = "carddav"
            url = "http://127.0.0.1:\(system.gateway.port)/"
            username = "operator"
            password = "\(Self.operatorToken)"
            read_only = true
            """.write(to: config, atomically: true, encoding: .utf8)

        let discovered = try await Self.vdirsyncer(["-c", config.path, "discover", "book"])
        #expect(discovered.status == 0, "\(discovered.output)")
        let first = try await Self.vdirsyncer(["-c", config.path, "sync"])
        #expect(first.status == 0, "\(first.output)")
        func cards() throws -> [String: String] {
            let files = try FileManager.default.contentsOfDirectory(at: phone.appendingPathComponent("contacts"), includingPropertiesForKeys: nil)
            return Dictionary(uniqueKeysWithValues: try files.map { ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8)) })
        }
        let synced = try cards()
        #expect(synced.count == 2, "\(synced.keys.sorted())")
        let texts = synced.values.joined()
        #expect(texts.contains("FN:Anna Petrova") && texts.contains("ORG:Okna\\, LLC") && texts.contains("TEL;TYPE=VOICE:+79161230001"), "\(texts)")
        #expect(texts.contains("EMAIL;TYPE=INTERNET:anna@example.com") && texts.contains("UID:switchboard-contact-\(boris)"), "\(texts)")
        #expect(!texts.contains("Vera") && !texts.contains("+79161230003"), "another team's client is not on the phone")

        #expect(try await system.request("PATCH", "/v1/contacts/\(anna)", body: #"{"lastName":"Ivanova"}"#).status == 200)
        let second = try await Self.vdirsyncer(["-vdebug", "-c", config.path, "sync"])
        #expect(second.status == 0, "\(second.output)")
        let copied = second.output.components(separatedBy: "\n").filter { $0.contains("Copying (") }
        #expect(copied.count == 1 && copied.first?.contains("switchboard-contact-\(anna)") == true, "only the edited card comes again: \(copied)")
        let asked = second.output.components(separatedBy: "<href>").dropFirst().map { $0.prefix { $0 != "<" } }
        #expect(asked == ["/dav/2/contacts/\(anna).vcf"], "the multiget asks for the edited card alone: \(asked)")
        let now = try cards()
        #expect(now.values.contains { $0.contains("FN:Anna Ivanova") } && now.count == 2)
        #expect(!now.values.joined().contains("Vera"))
        _ = vera
        try await system.stop()
    }

    @Test func p5SyncCollectionSendsOnlyChangesAndLosingSightOfAClientRemovesTheirCard() async throws {
        let (system, anna, boris, vera) = try await Self.start()
        let book = "/dav/2/contacts/"
        let sync = { (token: String) in
            #"<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:sync-token>\#(token)</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/><C:address-data/></D:prop></D:sync-collection>"#
        }
        func report(_ token: String) async throws -> (status: Int, body: String, token: String) {
            let r = try await httpRequest(port: system.gateway.port, "REPORT", book, headers: Self.basic(Self.operatorToken), body: sync(token))
            let next = r.body.components(separatedBy: "<D:sync-token>").last?.components(separatedBy: "</D:sync-token>").first ?? ""
            return (r.status, r.body, next)
        }
        let first = try await report("")
        #expect(first.status == 207, "\(first.body)")
        #expect(first.body.contains("\(anna).vcf") && first.body.contains("\(boris).vcf") && !first.body.contains("\(vera).vcf"))
        #expect(first.body.contains("BEGIN:VCARD") && first.token.hasPrefix("urn:switchboard:sync:"))

        let unchanged = try await report(first.token)
        #expect(unchanged.status == 207 && !unchanged.body.contains(".vcf") && unchanged.token == first.token, "\(unchanged.body)")

        #expect(try await system.request("PATCH", "/v1/contacts/\(anna)", body: #"{"phones":["+79161230009"]}"#).status == 200)
        // Boris goes to the other operator: no longer the shared pool, no longer 2's to see.
        #expect(try await system.request("PATCH", "/v1/contacts/\(boris)", body: #"{"responsibleId":3}"#).status == 200)
        let changed = try await report(first.token)
        #expect(changed.status == 207 && changed.token != first.token)
        let responses = changed.body.components(separatedBy: "<D:response>").dropFirst()
        #expect(responses.count == 2, "\(changed.body)")
        #expect(responses.contains { $0.contains("\(anna).vcf") && $0.contains("+79161230009") })
        #expect(responses.contains { $0.contains("\(boris).vcf") && $0.contains("404 Not Found") && !$0.contains("VCARD") }, "\(changed.body)")

        // A token this gateway never gave: the phone is told to sync the whole book again.
        let unknown = try await report("urn:switchboard:sync:00000000000000000000000000000000")
        #expect(unknown.status == 403 && unknown.body.contains("valid-sync-token"))
        try await system.stop()
    }

    @Test func p5g3ABookIsOnlyItsMembersBehindTheirOwnTokenAndReadOnly() async throws {
        let (system, anna, _, vera) = try await Self.start()
        let port = system.gateway.port
        let propfind = #"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>"#
        // Discovery from the server's address, as a phone does it.
        let wellKnown = try await httpRequest(port: port, "PROPFIND", "/.well-known/carddav", headers: Self.basic(Self.operatorToken), body: propfind)
        #expect(wellKnown.status == 301 && wellKnown.headers["location"] == "/dav/")
        let root = try await httpRequest(port: port, "PROPFIND", "/dav/", headers: Self.basic(Self.operatorToken).merging(["Depth": "0"]) { $1 }, body: propfind)
        #expect(root.status == 207 && root.body.contains("<D:current-user-principal><D:href>/dav/2/</D:href>"), "\(root.body)")
        let options = try await httpRequest(port: port, "OPTIONS", "/dav/2/contacts/")
        #expect(options.status == 200 && options.headers["dav"]?.contains("addressbook") == true)
        let home = try await httpRequest(port: port, "PROPFIND", "/dav/2/", headers: Self.basic(Self.operatorToken), body: "")
        #expect(home.status == 207 && home.body.contains("<C:addressbook/>") && home.body.contains("/dav/2/contacts/"), "\(home.body)")

        // Another member's book and a card of a client they may not see answer as nothing there.
        let others = try await httpRequest(port: port, "PROPFIND", "/dav/3/contacts/", headers: Self.basic(Self.operatorToken), body: "")
        let nobody = try await httpRequest(port: port, "PROPFIND", "/dav/99/contacts/", headers: Self.basic(Self.operatorToken), body: "")
        #expect(others.status == 404 && nobody.status == 404)
        let hidden = try await httpRequest(port: port, "GET", "/dav/2/contacts/\(vera).vcf", headers: Self.basic(Self.operatorToken))
        let missing = try await httpRequest(port: port, "GET", "/dav/2/contacts/987654.vcf", headers: Self.basic(Self.operatorToken))
        #expect(hidden.status == 404 && missing.status == 404)
        let withoutRequest = { (body: String) in body.replacingOccurrences(of: #""requestId":"[^"]*""#, with: "", options: .regularExpression) }
        #expect(withoutRequest(hidden.body).replacingOccurrences(of: "\(vera)", with: "987654") == withoutRequest(missing.body))
        let card = try await httpRequest(port: port, "GET", "/dav/2/contacts/\(anna).vcf", headers: Self.basic(Self.operatorToken))
        #expect(card.status == 200 && card.headers["content-type"]?.hasPrefix("text/vcard") == true && card.body.contains("FN:Anna Petrova"))
        let again = try await httpRequest(port: port, "GET", "/dav/2/contacts/\(anna).vcf", headers: Self.basic(Self.operatorToken).merging(["If-None-Match": card.headers["etag"] ?? ""]) { $1 })
        #expect(again.status == 304)

        // A wrong password is 401 asking for Basic; an API key that is nobody has no book.
        let wrong = try await httpRequest(port: port, "PROPFIND", "/dav/2/contacts/", headers: Self.basic("not-a-token-at-all-0123456"), body: "")
        #expect(wrong.status == 401 && wrong.headers["www-authenticate"]?.hasPrefix("Basic") == true)
        let key = try await httpRequest(port: port, "PROPFIND", "/dav/", headers: Self.basic(adminKey), body: "")
        #expect(key.status == 403)
        // Read-only: no write method is served.
        let put = try await httpRequest(port: port, "PUT", "/dav/2/contacts/\(anna).vcf", headers: Self.basic(Self.operatorToken), body: "BEGIN:VCARD")
        #expect(put.status == 405)
        // A body that declares entities is not parsed.
        let entities = try await httpRequest(
            port: port, "PROPFIND", "/dav/2/contacts/", headers: Self.basic(Self.operatorToken),
            body: #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#)
        #expect(entities.status == 400)
        try await system.stop()
    }
}
