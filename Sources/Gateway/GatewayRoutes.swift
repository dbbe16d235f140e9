import Contracts
import Foundation
import HTTP
import JSON
import RPC
import Wire

extension GatewayAPI {
    /// Every route the gateway serves; /v1/openapi.json describes the same list.
    static func router(_ api: GatewayAPI) -> Router {
        var r = Router()
        r.add("GET", "/healthz") { _, _ in HTTPResponse(status: 200, contentType: "text/plain", body: "ok\n") }
        r.add("GET", "/readyz") { _, _ in await api.readiness() }
        r.add("GET", "/v1/openapi.json") { _, _ in json(200, OpenAPIDocument.build()) }
        let metrics: @Sendable (Call) async throws(RPCError) -> HTTPResponse = { _ throws(RPCError) in
            HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4", body: api.counters.render())
        }
        r.add("GET", "/metrics", api.endpoint(api.configuration.metricsNeedAdmin ? .admin : nil, metrics))
        r.add("POST", "/v1/contacts", api.endpoint(.integration) { call throws(RPCError) in try await api.matchOrCreate(call) })
        r.add("GET", "/v1/contacts", api.endpoint(.reader) { call throws(RPCError) in try await api.search(call) })
        r.add("GET", "/v1/contacts/duplicates", api.endpoint(.admin) { call throws(RPCError) in
            let groups = try await api.contacts.call(Contacts.listDuplicates, ListDuplicatesRequest(), options: call.options)
            return json(200, ["groups": groups.groups.map { ["contactIds": $0.contactIDs, "sharedKeys": $0.sharedKeys] }])
        })
        r.add("GET", "/v1/contacts/export.csv", api.endpoint(.reader) { call throws(RPCError) in try await api.export(call) })
        r.add("GET", "/v1/contacts/{id}", api.endpoint(.reader) { call throws(RPCError) in
            json(200, ContactJSON.object(try await api.visibleContact(try id(call), call)))
        })
        r.add("PATCH", "/v1/contacts/{id}", api.endpoint(.integration) { call throws(RPCError) in
            let contactID = try id(call)
            var update = try ContactJSON.update(id: contactID, try body(call)).get()
            update.visibility = try await api.contactScope(contactID, call)
            return json(200, ContactJSON.object(try await api.contacts.call(Contacts.update, update, options: call.options)))
        })
        r.add("DELETE", "/v1/contacts/{id}", api.endpoint(.admin) { call throws(RPCError) in
            _ = try await api.contacts.call(Contacts.delete, DeleteContactRequest(id: try id(call)), options: call.options)
            return HTTPResponse(status: 204)
        })
        r.add("POST", "/v1/contacts/{id}/merge", api.endpoint(.admin) { call throws(RPCError) in
            // A merge cannot be undone: only an explicit positive integer id is taken.
            var reader = JSONFieldReader(try body(call))
            let from = reader.requiredID("from", "the id of the contact to merge into this one")
            reader.refuseUnknown(["from"])
            if let error = reader.failure() { throw error }
            guard let from else { throw .invalidArgument("send {\"from\": <id>}") }
            let reply = try await api.contacts.call(
                Contacts.merge, MergeContactsRequest(survivorID: try id(call), mergedID: from, mergedBy: "api:\(call.role?.rawValue ?? "")"),
                options: call.options)
            return json(200, ["contact": ContactJSON.object(reply.contact), "mergeId": reply.mergeID, "fieldsTaken": reply.fieldsTaken])
        })
        r.add("GET", "/v1/staff", api.endpoint(.reader) { call throws(RPCError) in
            let q = call.request.query
            var request = ListStaffRequest()
            request.pageSize = try integer(q, "limit") ?? 0
            request.cursor = q["cursor"] ?? ""
            if let role = q["role"] {
                guard let found = StaffRole.allCases.first(where: { $0.name == role && $0 != .unspecified }) else {
                    throw .invalidArgument("role must be one of \(StaffRole.allCases.dropFirst().map(\.name).joined(separator: ", "))", details: [FieldViolation(field: "role", description: "is \"\(role)\"")])
                }
                request.role = found
            }
            let list = try await api.contacts.call(Contacts.listStaff, request, options: call.options)
            var body: [String: Any] = ["items": list.members.map(staffObject)]
            if !list.nextCursor.isEmpty { body["nextCursor"] = list.nextCursor }
            return json(200, body)
        })
        r.add("GET", "/v1/staff/{id}", api.endpoint(.reader) { call throws(RPCError) in
            json(200, staffObject(try await api.contacts.call(Contacts.getStaff, GetStaffRequest(id: try id(call)), options: call.options)))
        })
        r.add("POST", "/v1/staff", api.endpoint(.admin) { call throws(RPCError) in
            var reader = JSONFieldReader(try body(call))
            var member = StaffMember()
            member.firstName = reader.string("firstName") ?? ""
            member.lastName = reader.string("lastName") ?? ""
            member.role = reader.choice("role", StaffRole.allCases.filter { $0 != .unspecified }.map { ($0.name, $0) }) ?? .unspecified
            member.email = reader.string("email") ?? ""
            member.extensions = reader.strings("extensions") ?? []
            member.mobiles = reader.strings("mobiles") ?? []
            member.supervisorID = reader.id("supervisorId")
            member.skills = reader.strings("skills") ?? []
            member.zone = reader.string("zone") ?? ""
            reader.refuseUnknown(["firstName", "lastName", "role", "email", "extensions", "mobiles", "supervisorId", "skills", "zone"])
            if let error = reader.failure() { throw error }
            return json(201, staffObject(try await api.contacts.call(Contacts.createStaff, member, options: call.options)))
        })
        addDealRoutes(&r, api)
        return r
    }

    static func staffObject(_ m: StaffMember) -> [String: Any] {
        var o: [String: Any] = [
            "id": m.id, "firstName": m.firstName, "lastName": m.lastName, "role": m.role.name, "email": m.email,
            "extensions": m.extensions, "mobiles": m.mobiles, "skills": m.skills, "zone": m.zone,
        ]
        if let s = m.supervisorID { o["supervisorId"] = s }
        return o
    }

    /// The visibility a contact is read or changed with (G3): none for callers who see
    /// everything and for a staff member who sees one of the contact's deals (they work
    /// with the client), else the caller's own.
    func contactScope(_ contactID: Int64, _ call: Call) async throws(RPCError) -> Visibility? {
        guard let visibility = try await visibility(call) else { return nil }
        var request = ListDealsRequest()
        request.contactID = contactID
        request.pageSize = 1
        request.visibility = visibility
        return try await deals.call(Deals.listDeals, request, options: call.options).deals.isEmpty ? visibility : nil
    }

    /// The contact if the caller may see it; not_found (as for a missing one) otherwise.
    func visibleContact(_ contactID: Int64, _ call: Call) async throws(RPCError) -> Contact {
        var request = GetContactRequest(id: contactID)
        request.visibility = try await contactScope(contactID, call)
        return try await contacts.call(Contacts.get, request, options: call.options)
    }

    func readiness() async -> HTTPResponse {
        let options = CallOptions(timeout: .seconds(1), retry: RetryPolicy.none)
        async let contactsStatus = try? contacts.call(Health.check, HealthCheckRequest(), options: options).status
        async let dealsStatus = try? deals.call(Health.check, HealthCheckRequest(), options: options).status
        let down = [("contacts", await contactsStatus), ("deals", await dealsStatus)].filter { $0.1 != .serving }.map(\.0)
        return down.isEmpty
            ? HTTPResponse(status: 200, contentType: "text/plain", body: "ready\n")
            : HTTPResponse(
                status: 503, headers: [("Retry-After", "1"), ("Content-Type", "text/plain")],
                body: Array("not serving: \(down.joined(separator: ", "))\n".utf8))
    }

    /// POST /v1/contacts is match-or-create: 201 when created, 200 with the key that matched.
    func matchOrCreate(_ call: Call) async throws(RPCError) -> HTTPResponse {
        let parsed: (ContactDraft, requireNameMatch: Bool)
        switch ContactJSON.draft(try Self.body(call)) {
        case let .success(p): parsed = p
        case let .failure(e): throw e
        }
        var request = MatchOrCreateRequest(draft: parsed.0, requireNameMatch: parsed.requireNameMatch)
        request.visibility = try await visibility(call)
        let reply = try await contacts.call(Contacts.matchOrCreate, request, options: call.options)
        var body: [String: Any] = ["matched": !reply.created, "contact": ContactJSON.object(reply.contact)]
        if !reply.created {
            body["matchedBy"] = reply.matchedBy.name
            body["matchedValue"] = reply.matchedValue
        }
        var response = Self.json(reply.created ? 201 : 200, body)
        if reply.created { response.headers.append(("Location", "/v1/contacts/\(reply.contact.id)")) }
        return response
    }

    func searchRequest(_ call: Call) async throws(RPCError) -> SearchContactsRequest {
        let q = call.request.query
        var s = SearchContactsRequest()
        s.namePrefix = q["q"] ?? ""
        s.phone = q["phone"] ?? ""
        s.email = q["email"] ?? ""
        s.tag = q["tag"] ?? ""
        s.sourceChannel = q["source"] ?? ""
        s.cursor = q["cursor"] ?? ""
        for (key, assign) in [("createdFrom", { (v: Int64) in s.createdFromMilliseconds = v }), ("createdTo", { s.createdToMilliseconds = $0 })] {
            guard let text = q[key] else { continue }
            guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) else {
                throw .invalidArgument("\(key) must be an ISO 8601 time such as 2026-01-31T00:00:00Z", details: [FieldViolation(field: key, description: "is \"\(text)\"")])
            }
            assign(Int64(date.timeIntervalSince1970 * 1000))
        }
        if let limit = q["limit"] {
            guard let n = Int64(limit), String(n) == limit else {
                throw .invalidArgument("limit must be a whole number from 1 to 500", details: [FieldViolation(field: "limit", description: "is \"\(limit)\"")])
            }
            s.pageSize = n
        }
        s.visibility = try await visibility(call)
        return s
    }

    func search(_ call: Call) async throws(RPCError) -> HTTPResponse {
        let page = try await contacts.call(Contacts.search, try await searchRequest(call), options: call.options)
        var body: [String: Any] = ["items": page.contacts.map(ContactJSON.object)]
        if !page.nextCursor.isEmpty { body["nextCursor"] = page.nextCursor }
        return Self.json(200, body)
    }

    /// C6: a segment as CSV, every page of the search, up to `maxExportRows`.
    func export(_ call: Call) async throws(RPCError) -> HTTPResponse {
        var request = try await searchRequest(call)
        request.pageSize = 500
        let template = request
        return try await csv(
            file: "contacts.csv", header: ["id", "first_name", "last_name", "emails", "phones", "company", "tags", "source", "created_at"], what: "contacts"
        ) { cursor throws(RPCError) in
            var pageRequest = template
            pageRequest.cursor = cursor
            let page = try await contacts.call(Contacts.search, pageRequest, options: call.options)
            let rows = page.contacts.map { c in
                [String(c.id), c.firstName, c.lastName, c.emails.joined(separator: ";"), c.phones.map(\.number).joined(separator: ";"),
                 c.company, c.tags.joined(separator: ";"), c.source?.channel ?? "", ContactJSON.timestamp(c.createdAtMilliseconds)]
            }
            return (rows, page.nextCursor)
        }
    }

    /// A CSV download of every page `next` gives (from an empty cursor until it returns
    /// none), refused past `maxExportRows` so one request cannot take the whole database.
    func csv(
        file: String, header: [String], what: String, next: (String) async throws(RPCError) -> (rows: [[String]], cursor: String)
    ) async throws(RPCError) -> HTTPResponse {
        var csv = header.joined(separator: ",") + "\r\n"
        var count = 0
        var cursor = ""
        while true {
            let page = try await next(cursor)
            for row in page.rows { csv += row.map(Self.csvField).joined(separator: ",") + "\r\n" }
            count += page.rows.count
            guard !page.cursor.isEmpty else { break }
            guard count < configuration.maxExportRows else {
                throw RPCError(.resourceExhausted, "more than \(configuration.maxExportRows) \(what) match; narrow the filters")
            }
            cursor = page.cursor
        }
        return HTTPResponse(
            status: 200, headers: [("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", "attachment; filename=\"\(file)\"")],
            body: Array(csv.utf8))
    }

    /// RFC 4180 quoting; a leading =, +, - or @ is prefixed so spreadsheets do not run it.
    static func csvField(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@".contains(first) { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
