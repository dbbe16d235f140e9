import Contracts
import Foundation
import Gateway
import HTTP
import Sockets
import Synchronization
import Testing
import WebhookHub
import TestSupport

/// G7: the readers of the other systems of the seeds, each against a local fake answering
/// the documented shapes (Bitrix24's REST through an inbound webhook, Hollihop's API) or the
/// files the system exports (SuiteCRM's CSV), their rows imported into a real system.
@Suite struct ImportReadersTests {
    static func json(_ object: Any) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(try! JSONSerialization.data(withJSONObject: object)))
    }

    /// Reads with `read` into an import file and imports it as `source`.
    static func imported(_ system: ImportEndToEndTests.System, source: String, _ read: ((ImportRow) throws -> Void) async throws -> Void) async throws -> [String: Any] {
        let path = try temporaryFolder("reader").appendingPathComponent("rows.ndjson").path
        let writer = try ImportRowWriter(path: path)
        try await read(writer.write)
        try writer.close()
        return try await system.importing(try String(contentsOfFile: path, encoding: .utf8), source: source)
    }

    @Test func g7ABitrix24PortalIsReadThroughItsInboundWebhookFiftyAtATime() async throws {
        let starts = Mutex<[String: [Int]]>([:])
        let fake = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0)) { request in
            guard request.method == "POST", request.path.hasPrefix("/rest/1/hook-secret/") else {
                return HTTPResponse(status: 401, contentType: "application/json", body: #"{"error":"INVALID_CREDENTIALS"}"#)
            }
            let method = String(request.path.dropFirst("/rest/1/hook-secret/".count).dropLast(".json".count))
            let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            let start = body["start"] as? Int ?? 0
            starts.withLock { $0[method, default: []].append(start) }
            func page(_ count: Int, _ item: (Int) -> [String: Any]) -> HTTPResponse {
                let ids = Array((1...max(count, 1)).dropFirst(start).prefix(50)).filter { $0 <= count }
                var answer: [String: Any] = ["result": ids.map(item), "total": count]
                if start + 50 < count { answer["next"] = start + 50 }
                return Self.json(answer)
            }
            switch method {
            case "user.get": return page(2) { ["ID": "\($0)", "NAME": "Manager\($0)", "LAST_NAME": "Bitrix", "EMAIL": "m\($0)@portal.example"] }
            case "crm.company.list": return page(3) { ["ID": "\($0)", "TITLE": "Company \($0)"] }
            case "crm.contact.list":
                return page(120) { id in
                    ["ID": "\(id)", "NAME": "Client", "LAST_NAME": "\(id)", "COMPANY_ID": id % 4 == 0 ? "1" : NSNull(), "ASSIGNED_BY_ID": "\(id % 2 + 1)",
                     "DATE_CREATE": "2023-06-27T09:35:27+03:00", "SOURCE_ID": "WEB", "PHONE": [["VALUE": "+7 903 \(String(format: "%07d", id))", "VALUE_TYPE": "WORK"]],
                     "EMAIL": id % 2 == 0 ? [["VALUE": "client\(id)@example.com", "VALUE_TYPE": "WORK"]] : [], "UF_CRM_1640042314192": id % 3 == 0 ? "blue" : ""]
                }
            case "crm.dealcategory.default.get": return Self.json(["result": ["ID": 0, "NAME": "Общее"]])
            case "crm.dealcategory.list": return page(1) { _ in ["ID": "1", "NAME": "Монтаж"] }
            case "crm.status.list":
                let statuses: [[String: Any]] = [
                    ["ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "NEW", "NAME": "Новая", "SORT": 10, "SEMANTICS": NSNull()],
                    ["ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "PREPARATION", "NAME": "Подготовка", "SORT": 20, "SEMANTICS": NSNull()],
                    ["ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "WON", "NAME": "Сделка успешна", "SORT": 60, "SEMANTICS": "S"],
                    ["ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "LOSE", "NAME": "Сделка провалена", "SORT": 70, "SEMANTICS": "F"],
                    ["ENTITY_ID": "DEAL_STAGE_1", "STATUS_ID": "C1:NEW", "NAME": "Замер", "SORT": 10, "SEMANTICS": NSNull()],
                    ["ENTITY_ID": "DEAL_STAGE_1", "STATUS_ID": "C1:WON", "NAME": "Смонтировано", "SORT": 60, "SEMANTICS": "S"],
                    ["ENTITY_ID": "DEAL_STAGE_1", "STATUS_ID": "C1:LOSE", "NAME": "Отказ", "SORT": 70, "SEMANTICS": "F"],
                    ["ENTITY_ID": "SOURCE", "STATUS_ID": "WEB", "NAME": "Сайт", "SORT": 10],
                ]
                return page(statuses.count) { statuses[$0 - 1] }
            case "crm.deal.list":
                return page(70) { id in
                    let category = id % 2
                    let stage = category == 0 ? (id % 10 == 0 ? "WON" : "NEW") : (id % 7 == 0 ? "C1:LOSE" : "C1:NEW")
                    return ["ID": "\(id)", "TITLE": "Deal \(id)", "CONTACT_ID": id == 70 ? NSNull() : "\(id)", "CATEGORY_ID": "\(category)", "STAGE_ID": stage,
                            "OPPORTUNITY": "1500.50", "CURRENCY_ID": "RUB", "ASSIGNED_BY_ID": "1", "DATE_CREATE": "2023-07-01T10:00:00+03:00",
                            "CLOSED": stage.hasSuffix("WON") || stage.hasSuffix("LOSE") ? "Y" : "N", "CLOSEDATE": "2023-07-10T10:00:00+03:00", "SOURCE_ID": "WEB"]
                }
            case "crm.activity.list":
                return page(3) { id in
                    switch id {
                    case 1: ["ID": "1", "OWNER_TYPE_ID": "2", "OWNER_ID": "2", "TYPE_ID": "2", "SUBJECT": "Входящий звонок", "COMPLETED": "Y", "DIRECTION": "1",
                             "START_TIME": "2023-07-02T10:00:00+03:00", "RESPONSIBLE_ID": "1"]
                    case 2: ["ID": "2", "OWNER_TYPE_ID": "2", "OWNER_ID": "4", "TYPE_ID": "2", "SUBJECT": "Перезвонить", "COMPLETED": "N",
                             "DEADLINE": "2023-07-03T10:00:00+03:00", "RESPONSIBLE_ID": "2", "CREATED": "2023-07-02T10:00:00+03:00"]
                    default: ["ID": "3", "OWNER_TYPE_ID": "3", "OWNER_ID": "5", "TYPE_ID": "4", "SUBJECT": "КП", "COMPLETED": "Y", "START_TIME": "2023-07-02T11:00:00+03:00"]
                    }
                }
            default: return Self.json(["error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"])
            }
        }
        try fake.start()
        let system = try await ImportEndToEndTests.start()
        let reader = Bitrix24Reader(webhookURL: "http://127.0.0.1:\(fake.port)/rest/1/hook-secret/", outbound: try OutboundPolicy(allowing: "loopback"), perSecond: 50)
        let job = try await Self.imported(system, source: "bitrix24") { try await reader.read(into: $0) }
        // 2 staff, 120 contacts and one for the deal without a person, 2 pipelines, 70 deals, a call, a task and an email.
        #expect(job["state"] as? String == "done" && job["refused"] as? Int == 0 && job["created"] as? Int == 2 + 121 + 2 + 70 + 3, "\(job)")
        #expect(starts.withLock { $0["crm.contact.list"] } == [0, 50, 100] && starts.withLock { $0["crm.deal.list"] } == [0, 50])
        let pipelines = try await system.items("/v1/pipelines")
        let montage = try #require(pipelines.first { $0["name"] as? String == "Монтаж" })
        #expect((montage["stages"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Замер", "Смонтировано", "Отказ"])
        let lost = try await system.items("/v1/deals?pipelineId=\(try #require(montage["id"] as? Int))&status=lost")
        #expect(lost.count == (1...70).filter { $0 % 2 == 1 && $0 % 7 == 0 }.count && lost.first?["amountMinor"] as? Int == 150_050, "\(lost)")
        let deal2 = try #require(try await system.items("/v1/deals?limit=500").first { $0["title"] as? String == "Deal 2" })
        let timeline = try await system.request("GET", "/v1/deals/\(try #require(deal2["id"] as? Int))/timeline").json["items"] as? [[String: Any]] ?? []
        #expect(timeline.first?["kind"] as? String == "call" && timeline.first?["at"] as? String == "2023-07-02T07:00:00.000Z", "\(timeline)")
        fake.shutdown()
        try await system.stop()
    }

    @Test func g7SuiteCRMExportsOfEveryModuleAreImportedWithTheirLinks() async throws {
        let system = try await ImportEndToEndTests.start()
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Sally","lastName":"Bronsen","role":"operator"}"#).status == 201)
        let folder = try temporaryFolder("suitecrm")
        func file(_ name: String, _ text: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        // Labels in one export, field names in the others: both are SuiteCRM's.
        let accounts = try file("Accounts.csv", "\u{FEFF}\"ID\",\"Name\",\"Office Phone\",\"Assigned User Name\",\"Date Created\"\r\n\"a1\",\"Okna LLC\",\"+7 495 111-22-33\",\"Sally Bronsen\",\"2024-02-01 09:00\"\r\n")
        let contacts = try file("Contacts.csv", """
            "id","first_name","last_name","email1","phone_mobile","account_name","assigned_user_name","date_entered","lead_source"
            "c1","Ivan","Petrov","ivan@example.com","+7 916 111-22-33","Okna LLC","Sally Bronsen","2024-02-02 10:00:00","Web Site"
            "c2","Maria","Sidorova","","+7 916 111-22-44","","","2024-02-03 10:00:00",""

            """)
        let leads = try file("Leads.csv", """
            "id","first_name","last_name","status","phone_mobile","assigned_user_name","date_entered","description"
            "l1","Oleg","Lead","Dead","+7 916 222-33-44","Sally Bronsen","2024-02-04 10:00","no money"
            "l2","Nina","Lead","In Process","+7 916 222-33-55","","2024-02-05 10:00",""

            """)
        let opportunities = try file("Opportunities.csv", """
            "id","name","account_name","sales_stage","amount","currency_iso","date_closed","assigned_user_name","date_entered"
            "o1","Windows, 3 rooms","Okna LLC","Closed Won","120,000.00","RUB","2024-03-01","Sally Bronsen","2024-02-10 10:00"

            """)
        let calls = try file("Calls.csv", """
            "id","name","status","direction","date_start","duration_hours","duration_minutes","parent_type","parent_id","assigned_user_name","description"
            "k1","First call","Held","Inbound","2024-02-02 10:30","0","5","Contacts","c1","Sally Bronsen","asked for a price"
            "k2","Call back","Planned","Outbound","2024-02-06 10:00","0","0","Leads","l2","",""
            "k3","About the deal","Held","Outbound","2024-02-11 10:00","0","12","Opportunities","o1","",""
            "k4","Account call","Held","Outbound","2024-02-12 10:00","0","1","Accounts","a1","",""

            """)
        var skipped = 0
        for (module, path) in [(SuiteCRMReader.Module.accounts, accounts), (.contacts, contacts), (.leads, leads), (.opportunities, opportunities), (.calls, calls)] {
            let job = try await Self.imported(system, source: "suitecrm") { write in skipped += try SuiteCRMReader(module: module, path: path).read(into: write) }
            #expect(job["state"] as? String == "done" && job["refused"] as? Int == 0, "\(module): \(job)")
        }
        #expect(skipped == 1, "the call on an account has no contact or deal here")
        let people = try await system.items("/v1/contacts?limit=100")
        #expect(people.count == 5, "Okna LLC, Ivan, Maria, Oleg, Nina: \(people.compactMap { $0["firstName"] as? String })")
        let ivan = try #require(people.first { $0["firstName"] as? String == "Ivan" })
        #expect(ivan["company"] as? String == "Okna LLC" && ivan["responsibleId"] as? Int != nil && ivan["createdAt"] as? String == "2024-02-02T10:00:00.000Z")
        let deals = try await system.items("/v1/deals?limit=100")
        let oleg = try #require(deals.first { $0["title"] as? String == "Oleg Lead" })
        #expect(oleg["status"] as? String == "lost" && oleg["lossReason"] as? String == "no money")
        let windows = try #require(deals.first { $0["title"] as? String == "Windows, 3 rooms" })
        #expect(windows["status"] as? String == "won" && windows["amountMinor"] as? Int == 12_000_000 && windows["closedAt"] as? String == "2024-03-01T00:00:00.000Z")
        let held = try await system.request("GET", "/v1/deals/\(try #require(windows["id"] as? Int))/timeline").json["items"] as? [[String: Any]] ?? []
        #expect(held.first?["summary"] as? String == "outgoing call, 12 min: About the deal", "\(held)")
        let ninaDeal = try #require(deals.first { $0["title"] as? String == "Nina Lead" })
        #expect(try await system.items("/v1/tasks?dealId=\(try #require(ninaDeal["id"] as? Int))").isEmpty, "a planned call on a lead is the lead's person's task")
        try await system.stop()
    }

    @Test func g7AHollihopSchoolsStudentsBecomeContactsTaggedWithTheirGroups() async throws {
        let fake = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0)) { request in
            guard request.query["authkey"] == "holli-key" else { return HTTPResponse(status: 403, contentType: "application/json", body: "{}") }
            let skip = Int(request.query["skip"] ?? "0") ?? 0, take = Int(request.query["take"] ?? "100") ?? 100
            func slice(_ all: [[String: Any]]) -> [[String: Any]] { Array(all.dropFirst(skip).prefix(take)) }
            switch request.path {
            case "/Api/V2/GetEdUnits":
                return Self.json(["EdUnits": slice([["Id": 7, "Name": "English B1 evening", "Discipline": "English", "Level": "B1"], ["Id": 8, "Name": "Spanish A1", "Discipline": "Spanish"]])])
            case "/Api/V2/GetEdUnitStudents":
                return Self.json(["EdUnitStudents": slice([["EdUnitId": 7, "StudentClientId": 101], ["EdUnitId": 8, "StudentClientId": 101], ["EdUnitId": 7, "StudentClientId": 102]])])
            case "/Api/V2/GetStudents":
                let students: [[String: Any]] = (1...1500).map { i in
                    ["ClientId": 100 + i, "FirstName": "Student", "LastName": "\(i)", "Mobile": "+7 925 \(String(format: "%07d", i))", "EMail": i == 1 ? "first@example.com" : "", "Status": "Учится"]
                }
                return Self.json(["Students": slice(students)])
            default: return HTTPResponse(status: 404, contentType: "application/json", body: "{}")
            }
        }
        try fake.start()
        let system = try await ImportEndToEndTests.start()
        let reader = HollihopReader(baseURL: "http://127.0.0.1:\(fake.port)", authKey: "holli-key", outbound: try OutboundPolicy(allowing: "loopback"), perSecond: 100)
        let job = try await Self.imported(system, source: "hollihop") { try await reader.read(into: $0) }
        #expect(job["state"] as? String == "done" && job["created"] as? Int == 1500 && job["refused"] as? Int == 0, "\(job)")
        let first = try #require(try await system.items("/v1/contacts?email=first@example.com").first)
        #expect((first["tags"] as? [String]) == ["hollihop", "group: english b1 evening", "group: spanish a1"], "\(first)")
        #expect((first["customFields"] as? [String: Any])?["Discipline"] as? String == "English, Spanish")
        fake.shutdown()
        try await system.stop()
    }
}
