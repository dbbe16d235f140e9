import Foundation
import HTTP
import Synchronization
import Testing
import TestSupport

/// Issue 28 (G7), running beside amoCRM and Bitrix24 during the switch: their stored webhook
/// captures (../shared/payloads, byte for byte) become stage changes, new deals and contact
/// updates here through the hook ledger, mapped by what the import made; our own changes go
/// back through their API; nothing loops.
@Suite struct SideBySideEndToEndTests {
    /// Posts a hook to an integration's path (its URL token in it) and waits until it is delivered.
    static func hook(_ system: ImportEndToEndTests.System, _ path: String, _ body: String, type: String = "application/x-www-form-urlencoded") async throws {
        let before = try await system.items("/v1/admin/hooks?status=delivered&limit=500").count
        let posted = try await httpRequest(port: system.gateway.port, "POST", path, headers: ["Content-Type": type], body: body)
        #expect(posted.status == 200, "\(posted.body)")
        var failed: [[String: Any]] = []
        let delivered = try await eventuallyAsync(within: .seconds(20)) {
            failed = try await system.items("/v1/admin/hooks?status=failed")
            return try await system.items("/v1/admin/hooks?status=delivered&limit=500").count > before || !failed.isEmpty
        }
        #expect(delivered && failed.isEmpty, "\(failed)")
    }

    static func deal(_ system: ImportEndToEndTests.System, titled title: String) async throws -> [String: Any]? {
        try await system.items("/v1/deals?limit=500").first { $0["title"] as? String == title }
    }

    /// amoCRM's three captured status changes (2016, 2021 with custom fields, a digital
    /// pipeline's minimal one) move the deals the import made; a minimal lead-add is read
    /// through the API and becomes a deal. Our stage change is sent back (PATCH); a deal made
    /// here is sent (POST) and linked; the echoes of both change nothing and send nothing.
    @Test func g7AmoCRMsHooksMoveDealsAndOurChangesGoBackWithoutLoops() async throws {
        let fake = try AmoCRMFake()
        let system = try await ImportEndToEndTests.start(gateway: ["GATEWAY_OUTBOUND_ALLOW": "loopback"])
        let file = [
            #"{"staff":{"externalId":"938348","firstName":"Olga","lastName":"Amo","role":"manager"}}"#,
            #"{"contact":{"externalId":"c1","firstName":"Ivan","phones":["+79161112233"]}}"#,
            #"{"pipeline":{"externalId":"2116","name":"Sales 2016","stages":[{"externalId":"10216995","name":"Contacted"},{"externalId":"10216994","name":"Offer"},{"externalId":"142","name":"Won","outcome":"won"},{"externalId":"143","name":"Lost","outcome":"lost"}]}}"#,
            #"{"pipeline":{"externalId":"788512","name":"Repairs","stages":[{"externalId":"16525555","name":"Received"},{"externalId":"16525558","name":"Diagnosed"},{"externalId":"142","name":"Done","outcome":"won"},{"externalId":"143","name":"Refused","outcome":"lost"}]}}"#,
            #"{"pipeline":{"externalId":"6344290","name":"Digital","stages":[{"externalId":"54435014","name":"First"},{"externalId":"54423922","name":"Second"},{"externalId":"142","name":"Won","outcome":"won"},{"externalId":"143","name":"Lost","outcome":"lost"}]}}"#,
            #"{"pipeline":{"externalId":"2","name":"Монтаж","stages":[{"externalId":"201","name":"Замер"},{"externalId":"202","name":"Монтаж назначен"},{"externalId":"142","name":"Успешно","outcome":"won"},{"externalId":"143","name":"Отказ","outcome":"lost"}]}}"#,
            #"{"deal":{"externalId":"31926520","title":"Some test lead","contact":"c1","pipeline":"2116","stage":"10216995"}}"#,
            #"{"deal":{"externalId":"30267969","title":"apple tv 3","contact":"c1","pipeline":"788512","stage":"16525555"}}"#,
            #"{"deal":{"externalId":"10754147","title":"Digital lead","contact":"c1","pipeline":"6344290","stage":"54435014"}}"#,
        ].joined(separator: "\n")
        #expect(try await system.importing(file)["refused"] as? Int == 0)
        let made = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"amo","kind":"amocrm","apiBaseUrl":"\#(fake.baseURL)","apiToken":"\#(AmoCRMFake.token)","pushBack":true}"#)
        let path = try #require(made.json["hookPath"] as? String, "\(made.body)")
        #expect(made.json["pushBack"] as? Bool == true)

        // The captures, byte for byte (../shared/payloads/amocrm).
        try await Self.hook(system, path, "leads%5Bstatus%5D%5B0%5D%5Bid%5D=31926520&leads%5Bstatus%5D%5B0%5D%5Bname%5D=Some+test+lead&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=10216994&leads%5Bstatus%5D%5B0%5D%5Bprice%5D=1000&leads%5Bstatus%5D%5B0%5D%5Bresponsible_user_id%5D=938348&leads%5Bstatus%5D%5B0%5D%5Blast_modified%5D=1456820780&leads%5Bstatus%5D%5B0%5D%5Bmodified_user_id%5D=102525&leads%5Bstatus%5D%5B0%5D%5Bcreated_user_id%5D=102525&leads%5Bstatus%5D%5B0%5D%5Bdate_create%5D=1456808154&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=2116&leads%5Bstatus%5D%5B0%5D%5Baccount_id%5D=10216991&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=10216995&account%5Bsubdomain%5D=test000002")
        try await Self.hook(system, path, "leads%5Bstatus%5D%5B0%5D%5Bid%5D=30267969&leads%5Bstatus%5D%5B0%5D%5Bname%5D=apple+tv+3&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=16525558&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=16525555&leads%5Bstatus%5D%5B0%5D%5Bprice%5D=1&leads%5Bstatus%5D%5B0%5D%5Bresponsible_user_id%5D=1764433&leads%5Bstatus%5D%5B0%5D%5Blast_modified%5D=1615985846&leads%5Bstatus%5D%5B0%5D%5Bmodified_user_id%5D=1760815&leads%5Bstatus%5D%5B0%5D%5Bcreated_user_id%5D=1764433&leads%5Bstatus%5D%5B0%5D%5Bdate_create%5D=1615894221&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=788512&leads%5Bstatus%5D%5B0%5D%5Btags%5D%5B0%5D%5Bid%5D=482205&leads%5Bstatus%5D%5B0%5D%5Btags%5D%5B0%5D%5Bname%5D=Sasa&leads%5Bstatus%5D%5B0%5D%5Baccount_id%5D=16503244&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bid%5D=491053&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=IMEI%2FSERIE&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=1&account%5Bsubdomain%5D=irestoremoldova&account%5Bid%5D=16503244")
        try await Self.hook(system, path, "leads%5Bstatus%5D%5B0%5D%5Bid%5D=10754147&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=54423922&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=6344290&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=54435014&leads%5Bstatus%5D%5B0%5D%5Bold_pipeline_id%5D=6344290&account%5Bid%5D=30307558&account%5Bsubdomain%5D=anyor")
        let moved = try #require(try await Self.deal(system, titled: "Some test lead"))
        let stages = try await system.items("/v1/pipelines").flatMap { $0["stages"] as? [[String: Any]] ?? [] }
        func stage(_ id: Any?) -> String? { stages.first { $0["id"] as? Int == id as? Int }?["name"] as? String }
        #expect(stage(moved["stageId"]) == "Offer")
        #expect(stage(try await Self.deal(system, titled: "apple tv 3")?["stageId"]) == "Diagnosed")
        #expect(stage(try await Self.deal(system, titled: "Digital lead")?["stageId"]) == "Second")
        let movedID = try #require(moved["id"] as? Int)
        let timeline = try await system.request("GET", "/v1/deals/\(movedID)/timeline").json["items"] as? [[String: Any]] ?? []
        #expect(timeline.first?["summary"] as? String == "stage: Contacted → Offer (in amocrm)", "\(timeline)")

        // A digital pipeline's minimal lead-add (the capture's shape) names lead 4 only: read through the API.
        try await Self.hook(system, path, "leads%5Badd%5D%5B0%5D%5Bid%5D=4&leads%5Badd%5D%5B0%5D%5Bstatus_id%5D=201&leads%5Badd%5D%5B0%5D%5Bpipeline_id%5D=2&account%5Bid%5D=29000001&account%5Bsubdomain%5D=okna")
        let added = try #require(try await Self.deal(system, titled: "Lead 4"))
        #expect(stage(added["stageId"]) == "Замер" && added["amountMinor"] as? Int == 4000, "\(added)")

        // Ours go back; theirs never did (events are read in order: the PATCH is the first push).
        let pipelines = try await system.items("/v1/pipelines")
        let sales = try #require(pipelines.first { $0["name"] as? String == "Sales 2016" })
        let won = try #require((sales["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "Won" }?["id"] as? Int)
        #expect(try await system.request("POST", "/v1/deals/\(movedID)/stage", body: #"{"stageId":\#(won)}"#).status == 200)
        #expect(try await eventuallyAsync(within: .seconds(20)) { !fake.pushes.isEmpty })
        #expect(fake.pushes == [#"PATCH [{"id":31926520,"pipeline_id":2116,"status_id":142}]"#] || fake.pushes.first?.hasPrefix("PATCH") == true, "\(fake.pushes)")
        let patch = try #require(fake.pushes.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [[String: Any]] }?.first)
        #expect(patch["id"] as? Int == 31926520 && patch["status_id"] as? Int == 142 && patch["pipeline_id"] as? Int == 2116)
        // amoCRM's echo of our change changes nothing here.
        try await Self.hook(system, path, "leads%5Bstatus%5D%5B0%5D%5Bid%5D=31926520&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=2116&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=10216994")
        let pipeline2116 = try #require(sales["id"] as? Int)
        let contactID = try #require(moved["contactId"] as? Int)
        let ours = try await system.request("POST", "/v1/deals", body: #"{"title":"Made here","contactId":\#(contactID),"pipelineId":\#(pipeline2116)}"#)
        #expect(ours.status == 201, "\(ours.body)")
        #expect(try await eventuallyAsync(within: .seconds(20)) { fake.pushes.count >= 2 })
        #expect(fake.pushes.count == 2 && fake.pushes[1].hasPrefix("POST ") && fake.pushes[1].contains(#""name":"Made here""#), "the echo sent nothing: \(fake.pushes)")
        // amoCRM's hook about the lead our push made (the 2016 capture's shape) finds our deal: no second one, nothing sent.
        try await Self.hook(system, path, "leads%5Bstatus%5D%5B0%5D%5Bid%5D=9001&leads%5Bstatus%5D%5B0%5D%5Bname%5D=Made+here&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=10216995&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=2116&leads%5Bstatus%5D%5B0%5D%5Bold_status_id%5D=10216995")
        let madeHere = try await system.items("/v1/deals?limit=500").filter { $0["title"] as? String == "Made here" }
        #expect(madeHere.count == 1)
        // Our next change is the third push: the echoes sent nothing in between (events go in order).
        #expect(try await system.request("POST", "/v1/deals/\(try #require(madeHere.first?["id"] as? Int))/stage", body: #"{"stageId":\#(won)}"#).status == 200)
        #expect(try await eventuallyAsync(within: .seconds(20)) { fake.pushes.count >= 3 })
        #expect(fake.pushes.count == 3 && fake.pushes[2].hasPrefix("PATCH ") && fake.pushes[2].contains("9001"), "\(fake.pushes)")
        fake.stop()
        try await system.stop()
    }

    /// Bitrix24's events (its documented ONCRMDEALUPDATE in JSON, a captured ONCRMLEADADD and
    /// ONCRMCONTACTADD, forms) name ids only: read through the inbound webhook and applied.
    @Test func g7Bitrix24sEventsAreReadThroughItsWebhookAndApplied() async throws {
        let calls = Mutex<[String]>([])
        let fake = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0)) { request in
            let method = String(request.path.split(separator: "/").last ?? "").replacingOccurrences(of: ".json", with: "")
            let body = String(decoding: request.body, as: UTF8.self)
            calls.withLock { $0.append("\(method) \(body)") }
            func answer(_ result: Any) -> HTTPResponse {
                HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(try! JSONSerialization.data(withJSONObject: ["result": result])))
            }
            switch method {
            case "crm.deal.get": return answer(["ID": "759", "TITLE": "Кухня", "CONTACT_ID": "134806", "CATEGORY_ID": "0", "STAGE_ID": "WON", "OPPORTUNITY": "5000.00", "CURRENCY_ID": "RUB", "CLOSED": "Y", "CLOSEDATE": "2025-01-09T10:00:00+03:00"])
            case "crm.contact.get": return answer(["ID": "134806", "NAME": "Анна", "LAST_NAME": "Смирнова", "PHONE": [["VALUE": "+7 903 111 22 33", "VALUE_TYPE": "WORK"]]])
            case "crm.lead.get": return answer(["ID": "365", "TITLE": "Заявка с сайта", "NAME": "Пётр", "PHONE": [["VALUE": "+7 903 555 66 77"]], "SOURCE_ID": "WEB"])
            case "crm.deal.add": return answer(42)
            case "crm.deal.update": return answer(true)
            default: return HTTPResponse(status: 400, headers: [("Content-Type", "application/json")], body: Array(#"{"error":"ERROR_METHOD_NOT_FOUND"}"#.utf8))
            }
        }
        try fake.start()
        let system = try await ImportEndToEndTests.start(gateway: ["GATEWAY_OUTBOUND_ALLOW": "loopback"])
        let file = [
            #"{"contact":{"externalId":"134806","firstName":"Анна"}}"#,
            #"{"pipeline":{"externalId":"0","name":"Общее","stages":[{"externalId":"NEW","name":"Новая"},{"externalId":"PREPARATION","name":"Подготовка"},{"externalId":"WON","name":"Сделка успешна","outcome":"won"},{"externalId":"LOSE","name":"Сделка провалена","outcome":"lost"}]}}"#,
            #"{"deal":{"externalId":"759","title":"Кухня","contact":"134806","pipeline":"0","stage":"NEW"}}"#,
        ].joined(separator: "\n")
        #expect(try await system.importing(file, source: "bitrix24")["refused"] as? Int == 0)
        let made = try await system.request("POST", "/v1/admin/integrations", body: #"{"name":"bx","kind":"bitrix24","apiBaseUrl":"http://127.0.0.1:\#(fake.port)/rest/1/hook-secret/","pushBack":true}"#)
        let path = try #require(made.json["hookPath"] as? String, "\(made.body)")
        // The vendor's ONCRMDEALUPDATE (../shared/payloads/bitrix24/event-oncrmdealupdate.vendor-doc.json).
        try await Self.hook(system, path, #"{"event": "ONCRMDEALUPDATE", "event_handler_id": "201", "data": {"FIELDS": {"ID": "759"}}, "ts": "1736405807", "auth": {"access_token": "s6p6eclrvim6da22ft9ch94ekreb52lv", "expires_in": "3600", "scope": "crm", "domain": "some-domain.bitrix24.com", "server_endpoint": "https://oauth.bitrix.info/rest/", "status": "F", "client_endpoint": "https://some-domain.bitrix24.com/rest/", "member_id": "a223c6b3710f85df22e9377d6c4f7553", "refresh_token": "4s386p3q0tr8dy89xvmt96234v3dljg8", "application_token": "51856fefc120afa4b628cc82d3935cce"}}"#, type: "application/json")
        let kitchen = try #require(try await Self.deal(system, titled: "Кухня"))
        #expect(kitchen["status"] as? String == "won" && kitchen["amountMinor"] as? Int == 500_000, "\(kitchen)")
        let anna = try await system.request("GET", "/v1/contacts/\(try #require(kitchen["contactId"] as? Int))").json
        #expect((anna["phones"] as? [[String: Any]])?.first?["number"] as? String == "+79031112233", "the contact read with the deal: \(anna)")
        // The captured ONCRMLEADADD (2018) and ONCRMCONTACTADD, byte for byte.
        try await Self.hook(system, path, "event=ONCRMLEADADD&data%5BFIELDS%5D%5BID%5D=365&ts=1545851621&auth%5Bdomain%5D=b24-46hovy.bitrix24.ru&auth%5Bclient_endpoint%5D=https%3A%2F%2Fb24-46hovy.bitrix24.ru%2Frest%2F&auth%5Bserver_endpoint%5D=https%3A%2F%2Foauth.bitrix.info%2Frest%2F&auth%5Bmember_id%5D=1b87798bc2d16c4b7f2a604e0c899a34&auth%5Bapplication_token%5D=o8kfcne3du24sfvoeahh43uf9oygu2x3")
        #expect(try await Self.deal(system, titled: "Заявка с сайта") != nil)
        try await Self.hook(system, path, "event=ONCRMCONTACTADD&event_handler_id=58&data%5BFIELDS%5D%5BID%5D=134806&ts=1727018926&auth%5Baccess_token%5D=be45f0660071849a0058f18a000000010000077261ef50fc26f1357adbd86a052c9e48&auth%5Bexpires%5D=1727022526&auth%5Bexpires_in%5D=3600&auth%5Bscope%5D=crm%2Cplacement%2Cuser_brief&auth%5Bdomain%5D=bitrix24-php-sdk-playground.bitrix24.com&auth%5Bserver_endpoint%5D=https%3A%2F%2Foauth.bitrix.info%2Frest%2F&auth%5Bstatus%5D=L&auth%5Bclient_endpoint%5D=https%3A%2F%2Fbitrix24-php-sdk-playground.bitrix24.com%2Frest%2F&auth%5Bmember_id%5D=010b6886ebc205e43ae65000ee00addb&auth%5Buser_id%5D=1&auth%5Bapplication_token%5D=3c6c9248ec54af6bea1159b43ee0ab32")
        #expect(try await system.items("/v1/contacts?limit=100").count == 2, "Анна once, Пётр")
        // A deal made here goes to Bitrix24 (crm.deal.add) and is linked; Bitrix24's own changes never went back.
        let pipeline = try #require(try await system.items("/v1/pipelines").first { $0["name"] as? String == "Общее" }?["id"] as? Int)
        #expect(try await system.request("POST", "/v1/deals", body: #"{"title":"Балкон","contactId":\#(try #require(kitchen["contactId"] as? Int)),"pipelineId":\#(pipeline)}"#).status == 201)
        #expect(try await eventuallyAsync(within: .seconds(20)) { calls.withLock { $0.contains { $0.hasPrefix("crm.deal.add") } } })
        let pushed = calls.withLock { $0.filter { $0.hasPrefix("crm.deal.add") || $0.hasPrefix("crm.deal.update") } }
        #expect(pushed.count == 1 && pushed[0].contains("Балкон") && pushed[0].contains(#""STAGE_ID":"NEW""#), "\(pushed)")
        fake.shutdown()
        try await system.stop()
    }
}
