/// G1: the OpenAPI 3.1 description of the gateway, served at /v1/openapi.json. A test
/// checks that it lists exactly the routes the router serves.
enum OpenAPIDocument {
    static func build() -> [String: Any] {
        let bearer: [[String: [String]]] = [["bearer": []]]
        func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
        func json(_ schema: [String: Any], _ description: String) -> [String: Any] {
            ["description": description, "content": ["application/json": ["schema": schema]]]
        }
        let problem: [String: Any] = ["description": "An error (RFC 9457)", "content": ["application/problem+json": ["schema": ref("Problem")]]]
        func errors(_ codes: [Int]) -> [String: Any] {
            Dictionary(uniqueKeysWithValues: codes.map { ("\($0)", problem as Any) })
        }
        let common = [400, 401, 403, 429, 503, 504]
        let idParameter: [String: Any] = ["name": "id", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 1]]
        func query(_ name: String, _ type: String, _ description: String) -> [String: Any] {
            ["name": name, "in": "query", "required": false, "description": description, "schema": ["type": type]]
        }
        let filters = [
            query("q", "string", "first or last name prefix"), query("phone", "string", "any phone format"),
            query("email", "string", "email"), query("tag", "string", "tag"), query("source", "string", "source channel"),
            query("createdFrom", "string", "ISO 8601, inclusive"), query("createdTo", "string", "ISO 8601, exclusive"),
        ]
        func op(_ summary: String, _ responses: [String: Any], body: [String: Any]? = nil, parameters: [[String: Any]] = [], secured: Bool = true) -> [String: Any] {
            var o: [String: Any] = ["summary": summary, "responses": responses]
            if let body { o["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]] }
            if !parameters.isEmpty { o["parameters"] = parameters }
            if secured { o["security"] = bearer }
            return o
        }
        let text: [String: Any] = ["description": "plain text", "content": ["text/plain": ["schema": ["type": "string"]]]]
        let paths: [String: Any] = [
            "/healthz": ["get": op("Liveness", ["200": text], secured: false)],
            "/readyz": ["get": op("Readiness: the services the gateway needs answer Health", ["200": text, "503": text], secured: false)],
            "/metrics": ["get": op("Prometheus metrics", ["200": text], secured: false)],
            "/v1/openapi.json": ["get": op("This document", ["200": json(["type": "object"], "OpenAPI 3.1")], secured: false)],
            "/v1/contacts": [
                "post": op(
                    "Match-or-create a contact (C2). Honors Idempotency-Key.",
                    ["201": json(ref("MatchResult"), "created"), "200": json(ref("MatchResult"), "matched an existing contact")].merging(errors(common + [409, 413, 422])) { a, _ in a },
                    body: ref("ContactDraft"),
                    parameters: [["name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string", "maxLength": 255]]]),
                "get": op(
                    "Search contacts (C6), cursor paging", ["200": json(ref("ContactPage"), "a page")].merging(errors(common)) { a, _ in a },
                    parameters: filters + [query("limit", "integer", "1-500, default 50"), query("cursor", "string", "from nextCursor")]),
            ],
            "/v1/contacts/duplicates": ["get": op("Groups of contacts sharing an email or phone (C3)",
                ["200": json(["type": "object", "properties": ["groups": ["type": "array", "items": ref("DuplicateGroup")]]], "groups")].merging(errors(common)) { a, _ in a })],
            "/v1/contacts/export.csv": ["get": op("A segment as CSV (C6)",
                ["200": ["description": "CSV", "content": ["text/csv": ["schema": ["type": "string"]]]]].merging(errors(common)) { a, _ in a }, parameters: filters)],
            "/v1/contacts/{id}": [
                "get": op("A contact; a merged one shows mergedInto", ["200": json(ref("Contact"), "the contact")].merging(errors(common + [404])) { a, _ in a }, parameters: [idParameter]),
                "patch": op("Change some fields; lists given are replaced", ["200": json(ref("Contact"), "the contact")].merging(errors(common + [404, 409, 413])) { a, _ in a },
                    body: ref("ContactPatch"), parameters: [idParameter]),
                "delete": op("Soft delete", ["204": ["description": "deleted"]].merging(errors(common + [404])) { a, _ in a }, parameters: [idParameter]),
            ],
            "/v1/contacts/{id}/merge": ["post": op("Merge contact `from` into this one (C3)",
                ["200": json(["type": "object", "properties": ["contact": ref("Contact"), "mergeId": ["type": "integer"], "fieldsTaken": ["type": "array", "items": ["type": "string"]]]], "merged")].merging(errors(common + [404, 409])) { a, _ in a },
                body: ["type": "object", "required": ["from"], "properties": ["from": ["type": "integer", "minimum": 1]]], parameters: [idParameter])],
            "/v1/staff": [
                "get": op("Staff members (C4)", ["200": json(["type": "object", "properties": ["items": ["type": "array", "items": ref("StaffMember")]]], "staff")].merging(errors(common)) { a, _ in a }),
                "post": op("Add a staff member (C4)", ["201": json(ref("StaffMember"), "created")].merging(errors(common + [409, 413])) { a, _ in a }, body: ref("StaffMember")),
            ],
            "/v1/staff/{id}": ["get": op("A staff member", ["200": json(ref("StaffMember"), "the member")].merging(errors(common + [404])) { a, _ in a }, parameters: [idParameter])],
        ]
        let strings: [String: Any] = ["type": "array", "items": ["type": "string"]]
        let source: [String: Any] = ["type": "object", "properties": [
            "channel": ["type": "string"], "trackingNumber": ["type": "string"], "utmSource": ["type": "string"],
            "utmMedium": ["type": "string"], "utmCampaign": ["type": "string"]]]
        let customFields: [String: Any] = ["type": "object", "additionalProperties": ["type": "string"]]
        let draftProperties: [String: Any] = [
            "firstName": ["type": "string", "maxLength": 200], "lastName": ["type": "string", "maxLength": 200],
            "emails": strings, "phones": strings, "company": ["type": "string"], "tags": strings, "source": source,
            "responsibleId": ["type": "integer"], "customFields": customFields,
        ]
        let schemas: [String: Any] = [
            "Problem": ["type": "object", "properties": [
                "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"],
                "code": ["type": "string"], "requestId": ["type": "string"],
                "errors": ["type": "array", "items": ["type": "object", "properties": ["field": ["type": "string"], "detail": ["type": "string"]]]]]],
            "ContactDraft": ["type": "object", "properties": draftProperties.merging(["requireNameMatch": ["type": "boolean"]]) { a, _ in a }],
            "ContactPatch": ["type": "object", "additionalProperties": false, "properties": draftProperties],
            "Contact": ["type": "object", "properties": draftProperties.merging([
                "id": ["type": "integer"], "phones": ["type": "array", "items": ["type": "object", "properties": ["number": ["type": "string"], "extension": ["type": "string"]]]],
                "createdAt": ["type": "string", "format": "date-time"], "updatedAt": ["type": "string", "format": "date-time"],
                "mergedInto": ["type": "integer"], "deleted": ["type": "boolean"]]) { _, b in b }],
            "MatchResult": ["type": "object", "properties": ["matched": ["type": "boolean"], "matchedBy": ["type": "string", "enum": ["email", "phone"]],
                "matchedValue": ["type": "string"], "contact": ref("Contact")]],
            "ContactPage": ["type": "object", "properties": ["items": ["type": "array", "items": ref("Contact")], "nextCursor": ["type": "string"]]],
            "DuplicateGroup": ["type": "object", "properties": ["contactIds": ["type": "array", "items": ["type": "integer"]], "sharedKeys": strings]],
            "StaffMember": ["type": "object", "properties": [
                "id": ["type": "integer"], "firstName": ["type": "string"], "lastName": ["type": "string"],
                "role": ["type": "string", "enum": ["operator", "manager", "senior_manager", "engineer", "teacher", "admin"]],
                "email": ["type": "string"], "extensions": strings, "mobiles": strings, "supervisorId": ["type": "integer"],
                "skills": strings, "zone": ["type": "string"]]],
        ]
        return [
            "openapi": "3.1.0",
            "info": ["title": "Switchboard", "version": "1", "description": "The REST gateway of Switchboard, a CRM backend."],
            "paths": paths,
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }
}
