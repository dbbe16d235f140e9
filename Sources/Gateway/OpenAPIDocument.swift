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
        let common = [400, 401, 403, 415, 429, 503, 504]
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
        let strings: [String: Any] = ["type": "array", "items": ["type": "string"]]
        func items(_ schema: [String: Any]) -> [String: Any] { ["type": "object", "properties": ["items": ["type": "array", "items": schema]]] }
        let plain: [String: Any] = ["description": "plain text", "content": ["text/plain": ["schema": ["type": "string"]]]]
        let customFields: [String: Any] = ["type": "object", "additionalProperties": ["type": "string"]]
        let int: [String: Any] = ["type": "integer"]
        let str: [String: Any] = ["type": "string"]
        let time: [String: Any] = ["type": ["string", "null"], "format": "date-time"]
        let nullableInt: [String: Any] = ["type": ["integer", "null"]]
        // Limits the services enforce (issue 9: every string has a documented maximum).
        func text(_ max: Int) -> [String: Any] { ["type": "string", "maxLength": max] }
        func list(_ items: Int, _ length: Int) -> [String: Any] { ["type": "array", "maxItems": items, "items": text(length)] }
        let id: [String: Any] = ["type": "integer", "minimum": 1]
        let limitedFields: [String: Any] = ["type": "object", "maxProperties": 100, "propertyNames": ["maxLength": 200], "additionalProperties": text(4000)]
        let currency: [String: Any] = ["type": "string", "pattern": "^([A-Z]{3})?$", "description": "ISO 4217; required when amountMinor > 0"]
        let dealInput: [String: Any] = [
            "title": ["type": "string", "minLength": 1, "maxLength": 300], "contactId": id, "pipelineId": id, "stageId": id,
            "amountMinor": ["type": "integer", "minimum": 0, "description": "minor units (kopecks, cents)"], "currency": currency,
            "responsibleId": id, "source": text(50), "customFields": limitedFields, "scheduledAt": ["type": "string", "format": "date-time"],
        ]
        let paths: [String: Any] = [
            "/healthz": ["get": op("Liveness", ["200": plain], secured: false)],
            "/readyz": ["get": op("Readiness: the services the gateway needs answer Health", ["200": plain, "503": plain], secured: false)],
            "/metrics": ["get": op("Prometheus metrics; needs an admin key (GATEWAY_METRICS_AUTH)", ["200": plain].merging(errors([401, 403, 429])) { a, _ in a })],
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
                "get": op("Staff members (C4), by id, cursor paging",
                    ["200": json(["type": "object", "properties": ["items": ["type": "array", "items": ref("StaffMember")], "nextCursor": str]], "staff")].merging(errors(common)) { a, _ in a },
                    parameters: [query("role", "string", "operator, manager, senior_manager, engineer, teacher or admin"),
                                 query("limit", "integer", "1-500, default 100"), query("cursor", "string", "from nextCursor")]),
                "post": op("Add a staff member (C4)", ["201": json(ref("StaffMember"), "created")].merging(errors(common + [409, 413])) { a, _ in a }, body: ref("StaffMember")),
            ],
            "/v1/staff/{id}": ["get": op("A staff member", ["200": json(ref("StaffMember"), "the member")].merging(errors(common + [404])) { a, _ in a }, parameters: [idParameter])],
            "/v1/pipelines": [
                "get": op("Pipelines with their stages (D1)", ["200": json(items(ref("Pipeline")), "pipelines")].merging(errors(common)) { a, _ in a }),
                "post": op("Create a pipeline (D1): at least one in_progress, one won and one lost stage",
                    ["201": json(ref("Pipeline"), "created")].merging(errors(common + [409, 413])) { a, _ in a }, body: ref("PipelineInput")),
            ],
            "/v1/deals": [
                "get": op("Deals the caller may see (G3), filtered, cursor paging", ["200": json(ref("DealPage"), "a page")].merging(errors(common)) { a, _ in a },
                    parameters: [query("pipelineId", "integer", "pipeline"), query("stageId", "integer", "stage"), query("status", "string", "open, won or lost"),
                                 query("contactId", "integer", "contact"), query("responsibleId", "integer", "responsible staff member"),
                                 query("limit", "integer", "1-500, default 50"), query("cursor", "string", "from nextCursor")]),
                "post": op("Open a deal (D2); pipelineId 0 or absent: the default pipeline", ["201": json(ref("Deal"), "created")].merging(errors(common + [413])) { a, _ in a },
                    body: ref("DealInput")),
            ],
            "/v1/deals/export.csv": ["get": op("The deals the caller sees (G3), filtered as GET /v1/deals, as CSV",
                ["200": ["description": "CSV", "content": ["text/csv": ["schema": ["type": "string"]]]]].merging(errors(common)) { a, _ in a },
                parameters: [query("pipelineId", "integer", "pipeline"), query("stageId", "integer", "stage"), query("status", "string", "open, won or lost"),
                             query("contactId", "integer", "contact"), query("responsibleId", "integer", "responsible staff member")])],
            "/v1/deals/problems": ["get": op("Open deals with an overdue task, over the stage SLA, or no next task (D4)",
                ["200": json(items(["type": "object", "properties": ["deal": ref("Deal"), "reasons": strings]]), "problem deals")].merging(errors(common)) { a, _ in a },
                parameters: [query("limit", "integer", "1-1000, default 100")])],
            "/v1/deals/{id}": [
                "get": op("A deal", ["200": json(ref("Deal"), "the deal")].merging(errors(common + [404])) { a, _ in a }, parameters: [idParameter]),
                "patch": op("Change some fields of a deal (D2); null clears responsibleId or scheduledAt",
                    ["200": json(ref("Deal"), "the deal as it is now")].merging(errors(common + [404, 413])) { a, _ in a },
                    body: ["type": "object", "additionalProperties": false, "properties": dealInput.filter { ["title", "amountMinor", "currency", "responsibleId", "source", "customFields", "scheduledAt"].contains($0.key) }],
                    parameters: [idParameter]),
            ],
            "/v1/deals/{id}/stage": ["post": op("Move a deal to a stage (D1, D6); a lost stage needs lossReason",
                ["200": json(ref("Deal"), "the deal as it is now")].merging(errors(common + [404, 409, 413])) { a, _ in a },
                body: ["type": "object", "required": ["stageId"], "properties": ["stageId": ["type": "integer"], "lossReason": ["type": "string"]]], parameters: [idParameter])],
            "/v1/deals/{id}/timeline": ["get": op("A deal's timeline, newest first (D5)", ["200": json(ref("Timeline"), "entries")].merging(errors(common + [404])) { a, _ in a },
                parameters: [idParameter, query("limit", "integer", "1-500, default 50"), query("before", "integer", "entries after this entry id")])],
            "/v1/contacts/{id}/timeline": ["get": op("A contact's timeline, newest first (D5)", ["200": json(ref("Timeline"), "entries")].merging(errors(common)) { a, _ in a },
                parameters: [idParameter, query("limit", "integer", "1-500, default 50"), query("before", "integer", "entries after this entry id")])],
            "/v1/leads": ["post": op("Lead intake (D3): 201 when processed (or kept as low quality), 202 when stored for processing later",
                ["201": json(ref("LeadReceipt"), "processed"), "202": json(ref("LeadReceipt"), "stored; read it back later")].merging(errors(common + [413])) { a, _ in a },
                body: ref("Lead"))],
            "/v1/leads/{id}": ["get": op("What became of a lead", ["200": json(ref("LeadReceipt"), "the receipt")].merging(errors(common + [404])) { a, _ in a }, parameters: [idParameter])],
            "/v1/tasks": [
                "get": op("Tasks (D4): mine=true (staff token), overdue=true, assigneeId, dealId, status; open by default",
                    ["200": json(items(ref("Task")), "tasks")].merging(errors(common)) { a, _ in a },
                    parameters: [query("mine", "boolean", "the caller's tasks (staff token)"), query("overdue", "boolean", "past their due time"),
                                 query("assigneeId", "integer", "assignee"), query("dealId", "integer", "deal"), query("status", "string", "open, done or cancelled"),
                                 query("limit", "integer", "1-1000, default 100")]),
                "post": op("Create a task (D4); 200 with the open task of the same kind already on the deal",
                    ["201": json(ref("TaskResult"), "created"), "200": json(ref("TaskResult"), "existing")].merging(errors(common + [404, 409, 413])) { a, _ in a },
                    body: ref("TaskInput")),
            ],
            "/v1/tasks/{id}/complete": ["post": op("Mark a task done or cancelled",
                ["200": json(ref("Task"), "the task")].merging(errors(common + [404, 409])) { a, _ in a },
                body: ["type": "object", "properties": ["status": ["type": "string", "enum": ["done", "cancelled"]]]], parameters: [idParameter])],
        ]
        let source: [String: Any] = ["type": "object", "additionalProperties": false, "properties": [
            "channel": text(50), "trackingNumber": text(50), "utmSource": text(200), "utmMedium": text(200), "utmCampaign": text(200)]]
        let draftProperties: [String: Any] = [
            "firstName": text(200), "lastName": text(200), "emails": list(20, 254), "phones": list(20, 50), "company": text(200),
            "tags": list(50, 100), "source": source, "responsibleId": id, "customFields": limitedFields,
        ]
        let dealSchemas: [String: Any] = [
            "PipelineInput": ["type": "object", "required": ["name", "stages"], "additionalProperties": false, "properties": [
                "name": ["type": "string", "minLength": 1, "maxLength": 100], "channels": list(20, 50), "isDefault": ["type": "boolean"],
                "stages": ["type": "array", "minItems": 1, "maxItems": 50, "items": ["type": "object", "additionalProperties": false, "required": ["name"], "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 100], "slaMinutes": ["type": "integer", "minimum": 0, "maximum": 525_600],
                    "outcome": ["type": "string", "enum": ["in_progress", "won", "lost"]]]]]]],
            "Pipeline": ["type": "object", "properties": [
                "id": int, "name": str, "channels": strings, "isDefault": ["type": "boolean"],
                "stages": ["type": "array", "items": ["type": "object", "properties": [
                    "id": int, "name": str, "position": int, "slaMinutes": int, "outcome": ["type": "string", "enum": ["in_progress", "won", "lost"]]]]]]],
            "DealInput": ["type": "object", "required": ["title", "contactId"], "additionalProperties": false, "properties": dealInput],
            "Deal": ["type": "object", "properties": dealInput.merging([
                "id": int, "status": ["type": "string", "enum": ["open", "won", "lost"]], "responsibleId": nullableInt, "scheduledAt": time,
                "lossReason": str, "createdAt": time, "closedAt": time, "stageEnteredAt": time, "leadId": nullableInt]) { _, b in b }],
            "DealPage": ["type": "object", "properties": ["items": ["type": "array", "items": ref("Deal")], "nextCursor": str]],
            "Lead": ["type": "object", "required": ["channel"], "additionalProperties": false, "properties": [
                "channel": ["type": "string", "minLength": 1, "maxLength": 50], "partner": text(100), "externalId": text(200), "firstName": text(200),
                "lastName": text(200), "phone": text(50), "email": text(320), "comment": text(5000), "utmSource": text(200), "utmMedium": text(200),
                "utmCampaign": text(200), "title": text(300), "amountMinor": ["type": "integer", "minimum": 0], "currency": currency]],
            "LeadReceipt": ["type": "object", "properties": [
                "id": int, "status": ["type": "string", "enum": ["pending", "processed", "rejected"]], "lowQuality": ["type": "boolean"],
                "reason": str, "contactId": nullableInt, "dealId": nullableInt, "attachedToExistingDeal": ["type": "boolean"],
                "receivedAt": time, "processedAt": time, "channel": str, "partner": str, "externalId": str]],
            "TaskInput": ["type": "object", "required": ["kind"], "additionalProperties": false, "properties": [
                "kind": ["type": "string", "enum": ["call_back", "follow_up", "meeting", "custom"]], "title": text(500), "dealId": id,
                "contactId": id, "assigneeId": id, "dueAt": ["type": "string", "format": "date-time"]]],
            "Task": ["type": "object", "properties": [
                "id": int, "kind": str, "title": str, "dealId": nullableInt, "contactId": nullableInt, "assigneeId": nullableInt,
                "dueAt": time, "status": ["type": "string", "enum": ["open", "done", "cancelled"]], "createdAt": time, "completedAt": time]],
            "TaskResult": ["type": "object", "properties": ["task": ref("Task"), "existing": ["type": "boolean"]]],
            "Timeline": ["type": "object", "properties": [
                "items": ["type": "array", "items": ["type": "object", "properties": [
                    "id": int, "at": time, "kind": str, "dealId": nullableInt, "contactId": int, "summary": str, "actorId": nullableInt]]],
                "next": str]],
        ]
        let schemas: [String: Any] = dealSchemas.merging([
            "Problem": ["type": "object", "properties": [
                "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"],
                "code": ["type": "string"], "requestId": ["type": "string"],
                "errors": ["type": "array", "items": ["type": "object", "properties": ["field": ["type": "string"], "detail": ["type": "string"]]]]]],
            "ContactDraft": ["type": "object", "additionalProperties": false, "properties": draftProperties.merging(["requireNameMatch": ["type": "boolean"]]) { a, _ in a }],
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
                "id": ["type": "integer"], "firstName": text(200), "lastName": text(200),
                "role": ["type": "string", "enum": ["operator", "manager", "senior_manager", "engineer", "teacher", "admin"]],
                "email": text(254), "extensions": list(20, 6), "mobiles": list(20, 50), "supervisorId": id,
                "skills": list(50, 100), "zone": text(100)]],
        ]) { a, _ in a }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Switchboard", "version": "1", "description": "The REST gateway of Switchboard, a CRM backend."],
            "paths": paths,
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }
}
