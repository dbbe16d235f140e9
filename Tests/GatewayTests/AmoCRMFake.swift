import Foundation
import HTTP
import Synchronization

/// A local amoCRM account answering API v4's documented shapes (HAL `_embedded` lists, 250 a
/// page, 204 past the last page, `_links.next` while there are more): 5 users, 100 companies,
/// 1,500 contacts, 3 pipelines with won (142) and lost (143), 2,000 leads (20 without a
/// contact), 500 tasks, notes on leads (common and calls) and on contacts. It keeps when each
/// request came, so a test can hold the reader to amoCRM's 7 requests a second.
final class AmoCRMFake: Sendable {
    static let token = "amo-long-lived-token"
    private let server: HTTPServer
    private let state = Mutex(State())

    struct State {
        var leadNames: [Int: String] = [:]
        var leadStatus: [Int: Int] = [:]
        var leads = 2000
        var arrivals: [ContinuousClock.Instant] = []
        /// What was sent to it (a push-back): "PATCH <body>", "POST <body>".
        var pushes: [String] = []
    }

    init() throws {
        let box = Mutex<AmoCRMFake?>(nil)
        server = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0)) { request in
            box.withLock { $0 }?.answer(request) ?? HTTPResponse(status: 503, contentType: "application/json", body: "{}")
        }
        box.withLock { $0 = self }
        try server.start()
    }

    var baseURL: String { "http://127.0.0.1:\(server.port)" }
    var arrivals: [ContinuousClock.Instant] { state.withLock { $0.arrivals } }
    var pushes: [String] { state.withLock { $0.pushes } }
    func stop() { server.shutdown() }

    /// Changes made there after the first import: a lead renamed, one won, one new.
    func change() {
        state.withLock {
            $0.leadNames[1] = "Renamed in amoCRM"
            $0.leadStatus[2] = 142
            $0.leads = 2001
        }
    }

    static let pipelines: [(id: Int, name: String, statuses: [(Int, String)])] = [
        (1, "Продажи", [(101, "Первичный контакт"), (102, "Переговоры"), (142, "Успешно реализовано"), (143, "Закрыто и не реализовано")]),
        (2, "Монтаж", [(201, "Замер"), (202, "Монтаж назначен"), (142, "Успешно реализовано"), (143, "Закрыто и не реализовано")]),
        (3, "Сервис", [(301, "Заявка"), (142, "Успешно реализовано"), (143, "Закрыто и не реализовано")]),
    ]
    static let start = 1_704_067_200  // 2024-01-01T00:00:00Z

    func answer(_ request: HTTPRequest) -> HTTPResponse {
        let snapshot = state.withLock { s -> State in
            s.arrivals.append(.now)
            return s
        }
        guard request.header("Authorization") == "Bearer \(Self.token)" else {
            return HTTPResponse(status: 401, contentType: "application/json", body: #"{"title":"Unauthorized"}"#)
        }
        if request.method == "PATCH" || request.method == "POST", request.path == "/api/v4/leads" {
            let body = String(decoding: request.body, as: UTF8.self)
            state.withLock { $0.pushes.append("\(request.method) \(body)") }
            return request.method == "POST"
                ? json(["_embedded": ["leads": [["id": 9001, "request_id": "0"]]]])
                : json(["_embedded": ["leads": [["id": 1, "updated_at": Self.start]]]])
        }
        let parts = request.path.split(separator: "/")
        if parts.count == 4, let id = Int(parts[3]) {
            switch parts[2] {
            case "leads": return json(Self.lead(id, snapshot, withContacts: true).merging(["_embedded": ["contacts": [["id": id % 1500 + 1, "is_main": true]], "loss_reason": []]]) { $1 })
            case "contacts": return json(Self.contact(id))
            default: break
            }
        }
        let page = Int(request.query["page"] ?? "1") ?? 1
        let limit = min(Int(request.query["limit"] ?? "50") ?? 50, 250)
        switch request.path {
        case "/api/v4/account": return json(["id": 29_000_001, "name": "Okna", "currency": "RUB"])
        case "/api/v4/users": return list("users", 5, page, limit, Self.user)
        case "/api/v4/companies": return list("companies", 100, page, limit) { ["id": $0, "name": "Company \($0)"] }
        case "/api/v4/contacts": return list("contacts", 1500, page, limit, Self.contact)
        case "/api/v4/leads/pipelines":
            return json(["_embedded": ["pipelines": Self.pipelines.map { p in
                ["id": p.id, "name": p.name, "sort": p.id, "_embedded": ["statuses": p.statuses.enumerated().map { ["id": $1.0, "name": $1.1, "sort": ($0 + 1) * 10, "pipeline_id": p.id] }]]
            }]])
        case "/api/v4/leads/loss_reasons": return list("loss_reasons", 2, page, limit) { ["id": $0, "name": $0 == 1 ? "Дорого" : "Не отвечает"] }
        case "/api/v4/leads": return list("leads", snapshot.leads, page, limit) { Self.lead($0, snapshot, withContacts: request.query["with"] == "contacts") }
        case "/api/v4/tasks": return list("tasks", 500, page, limit, Self.task)
        case "/api/v4/leads/notes": return list("notes", 1001, page, limit, Self.leadNote)
        case "/api/v4/contacts/notes": return list("notes", 100, page, limit) { Self.note(id: 5000 + $0, entity: $0 * 3, text: "Contact note \($0)", at: Self.start + $0 * 60) }
        default: return HTTPResponse(status: 404, contentType: "application/json", body: "{}")
        }
    }

    func json(_ object: [String: Any]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/hal+json")], body: Array(try! JSONSerialization.data(withJSONObject: object)))
    }

    /// One page of `count` items (ids 1...count), 204 past the last.
    func list(_ key: String, _ count: Int, _ page: Int, _ limit: Int, _ item: (Int) -> [String: Any]) -> HTTPResponse {
        let first = (page - 1) * limit + 1
        guard page >= 1, first <= count else { return HTTPResponse(status: 204, headers: [], body: []) }
        let last = min(first + limit - 1, count)
        var links: [String: Any] = ["self": ["href": "page=\(page)"]]
        if last < count { links["next"] = ["href": "page=\(page + 1)"] }
        return json(["_page": page, "_links": links, "_embedded": [key: (first...last).map(item)]])
    }

    static func user(_ id: Int) -> [String: Any] {
        ["id": 1000 + id, "name": "Manager \(id) Surname", "email": "manager\(id)@okna.example", "rights": ["is_admin": id == 5]]
    }

    static func contact(_ id: Int) -> [String: Any] {
        var fields: [[String: Any]] = [["field_id": 11, "field_name": "Телефон", "field_code": "PHONE", "values": [["value": "+7 916 \(String(format: "%07d", id))", "enum_code": "WORK"]]]]
        if id % 2 == 0 { fields.append(["field_id": 12, "field_name": "Email", "field_code": "EMAIL", "values": [["value": "contact\(id)@example.com", "enum_code": "WORK"]]]) }
        if id % 5 == 0 { fields.append(["field_id": 13, "field_name": "Город", "field_code": NSNull(), "values": [["value": "Москва"]]]) }
        return [
            "id": id, "name": "Contact \(id)", "first_name": "Contact", "last_name": "\(id)", "responsible_user_id": 1000 + id % 5 + 1,
            "created_at": start + id * 3600, "updated_at": start + id * 3600, "custom_fields_values": fields,
            "_embedded": ["tags": id % 10 == 0 ? [["id": 1, "name": "vip"]] : [], "companies": id % 3 == 0 ? [["id": id % 100 + 1]] : []],
        ]
    }

    static func lead(_ id: Int, _ state: State, withContacts: Bool) -> [String: Any] {
        let pipeline = pipelines[id % 3]
        let status = state.leadStatus[id] ?? pipeline.statuses[id % pipeline.statuses.count].0
        var lead: [String: Any] = [
            "id": id, "name": state.leadNames[id] ?? "Lead \(id)", "price": id * 10, "responsible_user_id": 1000 + id % 5 + 1,
            "pipeline_id": pipeline.id, "status_id": status, "created_at": start + id * 3600, "updated_at": start + id * 3600,
            "closed_at": status == 142 || status == 143 ? start + id * 3600 + 86_400 : NSNull(), "loss_reason_id": status == 143 ? 1 : NSNull(),
            "custom_fields_values": [["field_id": 21, "field_name": "Окна", "field_code": NSNull(), "values": [["value": "\(id % 4 + 1)"]]]],
        ]
        if withContacts {
            lead["_embedded"] = ["contacts": id % 100 == 0 ? [] : [["id": id % 1500 + 1, "is_main": true]]]
        }
        return lead
    }

    static func task(_ id: Int) -> [String: Any] {
        [
            "id": id, "entity_type": "leads", "entity_id": id * 4, "task_type_id": id % 3 + 1, "text": "Task \(id)", "responsible_user_id": 1000 + id % 5 + 1,
            "is_completed": id % 2 == 1, "complete_till": start + id * 3600 + 7200, "created_at": start + id * 3600, "updated_at": start + id * 3600 + 3600,
        ]
    }

    static func note(id: Int, entity: Int, text: String, at: Int) -> [String: Any] {
        ["id": id, "entity_id": entity, "note_type": "common", "created_by": 1001, "created_at": at, "params": ["text": text]]
    }

    /// 600 common notes, 400 calls and a system message that is not carried over.
    static func leadNote(_ id: Int) -> [String: Any] {
        if id == 1001 { return ["id": id, "entity_id": 1, "note_type": "service_message", "created_by": 0, "created_at": start, "params": ["text": "robot"]] }
        if id <= 600 { return note(id: id, entity: id, text: "Note \(id)", at: start + id * 3600 + 600) }
        return [
            "id": id, "entity_id": id, "note_type": id % 2 == 0 ? "call_in" : "call_out", "created_by": 1002, "created_at": start + id * 3600 + 900,
            "params": ["uniq": "call-\(id)", "duration": 125, "source": "ringostat", "phone": "+7 916 \(String(format: "%07d", id % 1500 + 1))"],
        ]
    }
}
