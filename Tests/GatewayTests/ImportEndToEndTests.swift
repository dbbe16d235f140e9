import Foundation
import Gateway
import Glibc
import Sockets
import Testing
import WebhookHub
import TestSupport

/// Issue 28 (G7): moving in over real processes. A file of rows from the system a business
/// leaves becomes staff, contacts, pipelines, deals with their history's dates, tasks,
/// notes and past calls; importing it again updates and never doubles; a dry run lists
/// the bad rows and writes nothing; a gateway killed mid-import resumes to the same result;
/// an export imports into an empty system as the same data.
@Suite struct ImportEndToEndTests {
    struct System {
        let contacts: Hosted
        let deals: Hosted
        var gateway: Hosted
        let gatewayEnvironment: [String: String]

        func request(_ method: String, _ path: String, body: String? = nil, type: String = "application/json") async throws -> HTTPExchange {
            try await httpRequest(port: gateway.port, method, path, headers: ["Authorization": "Bearer \(adminKey)", "Content-Type": type], body: body)
        }

        func items(_ path: String) async throws -> [[String: Any]] {
            try await request("GET", path).json["items"] as? [[String: Any]] ?? []
        }

        /// Sends `file` as an import and waits (bounded) for it to end.
        func importing(_ file: String, source: String = "amocrm", query: String = "", type: String = "application/x-ndjson") async throws -> [String: Any] {
            let started = try await request("POST", "/v1/imports?source=\(source)\(query)", body: file, type: type)
            #expect(started.status == 202, "\(started.body)")
            let id = try #require(started.json["id"] as? Int, "\(started.body)")
            return try await finished(id)
        }

        func finished(_ id: Int) async throws -> [String: Any] {
            var job: [String: Any] = [:]
            let ended = try await eventuallyAsync(within: .seconds(60)) {
                job = try await request("GET", "/v1/imports/\(id)").json
                return ["done", "failed", "cancelled"].contains(job["state"] as? String ?? "")
            }
            #expect(ended, "import \(id) did not end: \(job)")
            return job
        }

        mutating func restartGateway() async throws {
            gateway = try await Hosted.start(executable: "switchboard-gateway", environment: gatewayEnvironment, process: true)
        }

        func stop() async throws {
            for p in [gateway, deals, contacts] { try await p.stop() }
        }
    }

    static func start(gatewayProcess: Bool = false, gateway extra: [String: String] = [:]) async throws -> System {
        let folder = try temporaryFolder("import")
        let contacts = try await Hosted.start(
            executable: "switchboard-contacts",
            environment: ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let deals = try await Hosted.start(
            executable: "switchboard-deals",
            environment: [
                "DEALS_PORT": "0", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path,
                "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)",
            ])
        let environment = [
            "GATEWAY_PORT": gatewayProcess ? "\(try freePort())" : "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
            "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(deals.port)",
            "GATEWAY_API_KEYS": "\(adminKey)=admin", "GATEWAY_RATE_LIMIT": "100000", "GATEWAY_RATE_BURST": "100000",
        ].merging(extra) { $1 }
        let gateway = try await Hosted.start(executable: "switchboard-gateway", environment: environment, process: gatewayProcess)
        return System(contacts: contacts, deals: deals, gateway: gateway, gatewayEnvironment: environment)
    }

    /// An amoCRM account's rows as its reader writes them: a manager, two people (Anna is
    /// in Switchboard already), a pipeline with amoCRM's status ids, three deals of 2024 (won,
    /// lost, open), a task, a note and a call; then two bad rows.
    static func amoFile(firstTitle: String = "Windows for Ivan", extraDeal: Bool = false) -> String {
        var lines = [
            #"{"staff":{"externalId":"u1","firstName":"Olga","lastName":"Manager","role":"manager","email":"olga@example.com"}}"#,
            #"{"contact":{"externalId":"c1","firstName":"Ivan","lastName":"Petrov","emails":["ivan@example.com"],"phones":["+79161234567"],"company":"Okna LLC","responsible":"u1","createdAt":"2024-03-01T09:00:00Z"}}"#,
            #"{"contact":{"externalId":"c2","firstName":"Anna","lastName":"Smirnova","emails":["ANNA@example.com"]}}"#,
            #"{"pipeline":{"externalId":"p1","name":"Windows","stages":[{"externalId":"10","name":"New"},{"externalId":"11","name":"Measured"},{"externalId":"142","name":"Installed","outcome":"won"},{"externalId":"143","name":"Refused","outcome":"lost"}]}}"#,
            #"{"deal":{"externalId":"d1","title":"\#(firstTitle)","contact":"c1","pipeline":"p1","stage":"142","responsible":"Olga Manager","amountMinor":12000000,"currency":"RUB","source":"web","createdAt":"2024-03-01T09:05:00Z","closedAt":"2024-03-20T15:00:00Z"}}"#,
            #"{"deal":{"externalId":"d2","title":"Balcony for Anna","contact":"c2","pipeline":"Windows","stage":"Refused","lossReason":"too expensive","createdAt":"2024-03-02T10:00:00Z","closedAt":"2024-03-05T10:00:00Z"}}"#,
            #"{"deal":{"externalId":"d3","title":"Kitchen window","contact":"c1","pipeline":"p1","stage":"11","responsible":"olga@example.com","createdAt":"2024-03-10T10:00:00Z","customFields":{"rooms":"3"}}}"#,
            #"{"task":{"externalId":"t1","deal":"d3","kind":"call_back","title":"Call about measuring","assignee":"u1","dueAt":"2024-03-11T10:00:00Z"}}"#,
            #"{"note":{"externalId":"n1","deal":"d1","text":"Client wants white frames","author":"olga@example.com","createdAt":"2024-03-02T11:00:00Z"}}"#,
            #"{"activity":{"externalId":"call1","deal":"d1","kind":"call","at":"2024-03-01T09:30:00Z","summary":"incoming call from +79161234567, 3:05, answered","actor":"u1"}}"#,
        ]
        if extraDeal {
            lines.append(#"{"deal":{"externalId":"d5","title":"Door","contact":"c2","pipeline":"p1","createdAt":"2024-04-01T10:00:00Z"}}"#)
        }
        lines += [
            #"{"deal":{"externalId":"d4","title":"Nobody's","contact":"c404","pipeline":"p1"}}"#,
            #"{"contact":{"externalId":"c3","emails":["not-an-email"]}}"#,
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func g7AnImportKeepsHistoryMatchesPeopleAndASecondImportUpdatesWithoutDuplicates() async throws {
        let system = try await Self.start()
        let anna = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Anna","lastName":"Smirnova","emails":["anna@example.com"]}"#)
        let annaID = try #require((anna.json["contact"] as? [String: Any])?["id"] as? Int, "\(anna.body)")

        let first = try await system.importing(Self.amoFile())
        #expect(first["state"] as? String == "done", "\(first)")
        #expect(first["rowsRead"] as? Int == 12 && first["created"] as? Int == 9 && first["matched"] as? Int == 1 && first["refused"] as? Int == 2, "\(first)")
        let errors = first["errors"] as? [[String: Any]] ?? []
        #expect(errors.map { "\($0["line"] as? Int ?? 0) \($0["field"] as? String ?? "")" } == ["11 deal.contact", "12 contact.emails[0]"], "\(errors)")
        #expect(errors.first?["externalId"] as? String == "d4")

        let pipeline = try #require(try await system.items("/v1/pipelines").first { $0["name"] as? String == "Windows" })
        let pipelineID = try #require(pipeline["id"] as? Int)
        let deals = try await system.items("/v1/deals?pipelineId=\(pipelineID)")
        #expect(deals.count == 3)
        let won = try #require(deals.first { $0["title"] as? String == "Windows for Ivan" })
        #expect(won["status"] as? String == "won" && won["createdAt"] as? String == "2024-03-01T09:05:00.000Z" && won["closedAt"] as? String == "2024-03-20T15:00:00.000Z", "\(won)")
        #expect(won["amountMinor"] as? Int == 12_000_000 && won["responsibleId"] as? Int != nil)
        let lost = try #require(deals.first { $0["title"] as? String == "Balcony for Anna" })
        #expect(lost["status"] as? String == "lost" && lost["lossReason"] as? String == "too expensive" && lost["contactId"] as? Int == annaID, "C2: Anna matched, \(lost)")
        let open = try #require(deals.first { $0["title"] as? String == "Kitchen window" })
        #expect(open["status"] as? String == "open" && (open["customFields"] as? [String: Any])?["rooms"] as? String == "3")

        // D5: the timeline has the history at its own times, newest first.
        let wonID = try #require(won["id"] as? Int)
        let timeline = try await system.request("GET", "/v1/deals/\(wonID)/timeline").json["items"] as? [[String: Any]] ?? []
        #expect(timeline.map { "\($0["kind"] as? String ?? "") \($0["at"] as? String ?? "")" } == [
            "note 2024-03-02T11:00:00.000Z", "call 2024-03-01T09:30:00.000Z", "deal_opened 2024-03-01T09:05:00.000Z",
        ], "\(timeline)")
        let tasks = try await system.items("/v1/tasks?dealId=\(try #require(open["id"] as? Int))")
        #expect(tasks.count == 1 && tasks.first?["dueAt"] as? String == "2024-03-11T10:00:00.000Z")

        // D7: the imported deals are March 2024's leads, one of them won.
        let report = try await system.request("GET", "/v1/reports/leads?from=2024-03-01&to=2024-03-31&groupBy=source").json
        let total = report["total"] as? [String: Any] ?? [:]
        #expect(total["leads"] as? Int == 3 && total["won"] as? Int == 1, "\(report)")

        // Imported again after changes there: updated, nothing doubled.
        let second = try await system.importing(Self.amoFile(firstTitle: "Windows for Ivan, white", extraDeal: true))
        #expect(second["created"] as? Int == 1 && second["updated"] as? Int == 10 && second["refused"] as? Int == 2, "\(second)")
        let after = try await system.items("/v1/deals?pipelineId=\(pipelineID)")
        #expect(after.count == 4 && after.contains { $0["title"] as? String == "Windows for Ivan, white" })
        #expect(try await system.items("/v1/contacts?limit=100").count == 2, "Ivan and Anna, once each")
        #expect(try await system.items("/v1/pipelines").filter { $0["name"] as? String == "Windows" }.count == 1)
        let timelineAgain = try await system.request("GET", "/v1/deals/\(wonID)/timeline").json["items"] as? [[String: Any]] ?? []
        #expect(timelineAgain.count == 3)
        try await system.stop()
    }

    /// 1,000 contacts in a CSV, 5 of them bad: the dry run names exactly those lines with
    /// their fields, and nothing is written.
    @Test func g7ADryRunOfACSVListsExactlyItsBadRowsAndWritesNothing() async throws {
        let system = try await Self.start()
        let bad: [Int: String] = [
            10: "c10,Bad,Email,not-an-email,,",
            200: "c200,Bad,Phone,,12,",
            333: ",No,Id,no-id@example.com,,",
            640: "c640,Bad,Tag,tag@example.com,,\(String(repeating: "x", count: 101))",
            999: "c999,Bad,Field,field@example.com,,,ok",
        ]
        var lines = ["externalId,firstName,lastName,emails,phones,tags"]
        for i in 1...1000 {
            lines.append(bad[i] ?? "c\(i),Person,Number \(i),person\(i)@example.com,+7916\(String(format: "%07d", i)),\"vip;imported\"")
        }
        let job = try await system.importing(lines.joined(separator: "\r\n"), source: "suitecrm", query: "&kind=contact&dryRun=true", type: "text/csv")
        #expect(job["state"] as? String == "done" && job["rowsRead"] as? Int == 1000 && job["refused"] as? Int == 5, "\(job)")
        let errors = (job["errors"] as? [[String: Any]] ?? []).map { "\($0["line"] as? Int ?? 0) \($0["field"] as? String ?? "")" }
        #expect(errors == ["11 contact.emails[0]", "201 contact.phones[0]", "334 contact.externalId", "641 contact.tags[0]", "1000 "], "\(errors)")
        #expect(job["created"] as? Int == 995)
        #expect(try await system.items("/v1/contacts").isEmpty, "a dry run writes nothing")
        try await system.stop()
    }

    /// `count` people, a deal and a note each, on the default pipeline.
    static func bulkFile(_ count: Int) -> String {
        var lines: [String] = []
        for i in 1...count { lines.append(#"{"contact":{"externalId":"c\#(i)","firstName":"Person","lastName":"N\#(i)","emails":["p\#(i)@example.com"]}}"#) }
        for i in 1...count { lines.append(#"{"deal":{"externalId":"d\#(i)","title":"Deal \#(i)","contact":"c\#(i)","createdAt":"2024-05-01T10:00:00Z"}}"#) }
        for i in 1...count { lines.append(#"{"note":{"externalId":"n\#(i)","deal":"d\#(i)","text":"Note \#(i)","createdAt":"2024-05-02T10:00:00Z"}}"#) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The account's export, its lines counted by the kind of row.
    static func exported(_ system: System) async throws -> (lines: [String], kinds: [String: Int]) {
        let export = try await system.request("GET", "/v1/exports/account")
        #expect(export.status == 200 && export.headers["content-type"]?.hasPrefix("application/x-ndjson") == true, "\(export.status) \(export.headers)")
        let lines = export.body.split(separator: "\n").map(String.init)
        var kinds: [String: Int] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            kinds[object.keys.first ?? "", default: 0] += 1
        }
        return (lines, kinds)
    }

    /// A gateway killed (kill -9) while it imports starts again and finishes the import
    /// from where it had kept rows: every person, deal and note once.
    @Test func g7AKillNineMidImportResumesToTheSameResult() async throws {
        var system = try await Self.start(gatewayProcess: true)
        // Large enough that the kill lands mid-import even on a machine the whole suite loads.
        let count = 6000
        let started = try await system.request("POST", "/v1/imports?source=legacy", body: Self.bulkFile(count), type: "application/x-ndjson")
        let id = try #require(started.json["id"] as? Int, "\(started.body)")
        var read = 0
        #expect(try await eventuallyAsync(within: .seconds(30)) {
            read = try await system.request("GET", "/v1/imports/\(id)").json["rowsRead"] as? Int ?? 0
            return read > 0
        })
        system.gateway.process.signal(SIGKILL)
        _ = try await system.gateway.process.waitForExit()
        #expect(read < 3 * count, "killed while it imported (\(read) rows read)")
        try await system.restartGateway()
        let job = try await system.finished(id)
        #expect(job["state"] as? String == "done" && job["rowsRead"] as? Int == 3 * count && job["refused"] as? Int == 0, "\(job)")
        let kinds = try await Self.exported(system).kinds
        #expect(kinds["contact"] == count && kinds["deal"] == count && kinds["note"] == count, "\(kinds)")
        try await system.stop()
    }

    /// Leaving is as easy as arriving: an account's export imported into an empty system
    /// exports as the same lines (the same people, deals, stages, dates and timelines).
    @Test func g7AnExportImportsIntoAnEmptySystemAsTheSameData() async throws {
        let first = try await Self.start()
        #expect(try await first.importing(Self.amoFile())["refused"] as? Int == 2)
        let (lines, kinds) = try await Self.exported(first)
        #expect(kinds == ["staff": 1, "contact": 2, "pipeline": 2, "deal": 3, "task": 1, "note": 1, "activity": 1], "\(kinds)")
        let second = try await Self.start()
        let job = try await second.importing(lines.joined(separator: "\n"), source: "switchboard")
        #expect(job["state"] as? String == "done" && job["refused"] as? Int == 0, "\(job)")
        let again = try await Self.exported(second).lines
        #expect(again == lines, "\(again.joined(separator: "\n"))\n---\n\(lines.joined(separator: "\n"))")
        try await first.stop()
        try await second.stop()
    }

    /// Reads the fake amoCRM account into an import file, as `switchboard import --from amocrm` does.
    static func readAmoCRM(_ fake: AmoCRMFake, perSecond: Int = AmoCRMReader.requestsPerSecond) async throws -> (file: String, counts: [String: Int]) {
        let path = try temporaryFolder("amocrm").appendingPathComponent("amocrm.ndjson").path
        let writer = try ImportRowWriter(path: path)
        let reader = AmoCRMReader(baseURL: fake.baseURL, token: AmoCRMFake.token, outbound: try OutboundPolicy(allowing: "loopback"), perSecond: perSecond)
        try await reader.read(into: writer.write)
        try writer.close()
        return (try String(contentsOfFile: path, encoding: .utf8), writer.counts)
    }

    /// An amoCRM account (3 pipelines, 2,000 leads, 1,500 contacts, tasks, notes and calls)
    /// read through its API within 7 requests a second and imported; read and imported again
    /// after changes there: updated, nothing doubled.
    @Test func g7AnAmoCRMAccountIsImportedAndImportedAgainAfterChanges() async throws {
        let fake = try AmoCRMFake()
        let system = try await Self.start()
        let (file, counts) = try await Self.readAmoCRM(fake)
        #expect(counts == ["staff": 5, "contact": 1520, "pipeline": 3, "deal": 2000, "task": 500, "note": 700, "activity": 400], "\(counts)")
        let arrivals = fake.arrivals
        for i in arrivals.indices.dropLast(7) {
            #expect(arrivals[i + 7] - arrivals[i] >= .seconds(1), "8 requests within a second at \(i)")
        }
        let first = try await system.importing(file)
        #expect(first["state"] as? String == "done" && first["refused"] as? Int == 0 && first["created"] as? Int == 5128, "\(first)")
        let pipelines = try await system.items("/v1/pipelines").compactMap { $0["name"] as? String }
        #expect(pipelines.contains("Продажи") && pipelines.contains("Монтаж") && pipelines.contains("Сервис"))
        let won = try await system.items("/v1/deals?status=won&limit=500")
        // 142 is the third status of the first two pipelines (ids ≡ 2 mod 4), never of the third's (ids ≡ 2 mod 3).
        let expectedWon = (1...2000).filter { $0 % 4 == 2 && $0 % 3 != 2 }.count
        #expect(won.count == expectedWon, "\(won.count)")

        fake.change()
        // Read again faster than amoCRM would allow: the pace was held above.
        let (again, _) = try await Self.readAmoCRM(fake, perSecond: 100)
        let second = try await system.importing(again)
        #expect(second["refused"] as? Int == 0 && second["created"] as? Int == 1, "\(second)")
        let kinds = try await Self.exported(system).kinds
        #expect(kinds["contact"] == 1520 && kinds["deal"] == 2001 && kinds["note"] == 700 && kinds["task"] == 500, "\(kinds)")
        let renamed = try await system.request("GET", "/v1/deals?limit=1").json["items"] as? [[String: Any]]
        #expect(renamed?.first?["title"] as? String == "Renamed in amoCRM", "\(String(describing: renamed))")
        fake.stop()
        try await system.stop()
    }
}
