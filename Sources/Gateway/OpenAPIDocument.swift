import Contracts
import Foundation
import JSON

/// G1: the OpenAPI 3.1 description of the gateway, built from the route list and the
/// components generated from Protocols/Schemas: what the router serves is what the
/// document says, parameter by parameter and status by status.
enum OpenAPIDocument {
    /// The document as JSON bytes, built once.
    static let served: [UInt8] = JSONWriter.encode(build(routes: GatewayAPI.routeList))

    /// Statuses a secured route can always answer, with problem+json.
    static let securedErrors = [401, 403, 429, 503, 504]

    static func build(routes: [Route]) -> [String: Any] {
        // Parsed by our own parser: Foundation's on Linux turns the number 1 into true.
        let generated = (try? JSONParser.parse(Array(OpenAPIComponents.json.utf8)))?.plainValue as? [String: Any] ?? [:]
        var schemas = generated["schemas"] as? [String: Any] ?? [:]
        for (name, schema) in handWrittenSchemas { schemas[name] = schema }
        var paths: [String: [String: Any]] = [:]
        for route in routes where !CardDAVRoutes.undocumentedMethods.contains(route.method) {
            paths[route.path, default: [:]][route.method.lowercased()] = operation(route)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Switchboard", "version": "1",
                "description": """
                    The REST gateway of Switchboard, a CRM backend. Errors are problem+json (RFC 9457): 400 when a request does not \
                    match this document (each bad field named; a query parameter an operation does not declare \
                    included), 422 when it does but a service refuses its values (an unknown contact, \
                    a phone with too few digits), 409 when it conflicts with what is stored. Roles: reader (read), integration (read \
                    and write), admin (everything); a staff token acts as its member with the integration role and sees only its \
                    team's deals, tasks and clients (G3). Every POST that creates honours Idempotency-Key. Each staff member's \
                    contacts are also a read-only CardDAV address book under /dav/ (PROPFIND and REPORT, which OpenAPI cannot \
                    describe, are in the gateway's README; its GET routes are here).
                    """,
            ],
            "paths": paths,
            "components": [
                "schemas": schemas, "parameters": generated["parameters"] ?? [:],
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "An API key or a staff token"],
                    "basic": ["type": "http", "scheme": "basic", "description": "CardDAV: a staff token as the password, any user name"],
                    "session": [
                        "type": "apiKey", "in": "cookie", "name": SessionCookie.name,
                        "description": "A person's console session (POST /v1/session); every write also carries X-CSRF-Token (G6)",
                    ],
                ],
                "headers": [
                    "X-Request-Id": ["description": "The request's id, in every log line it causes", "schema": ["type": "string"]],
                    "Retry-After": ["description": "Seconds to wait before retrying", "schema": ["type": "integer"]],
                    "Location": ["description": "The path of what was created", "schema": ["type": "string"]],
                    "ETag": ["description": "The entity tag of what was answered (If-None-Match gets 304 while it holds)", "schema": ["type": "string"]],
                    "Set-Cookie": ["description": "The console's session cookie (HttpOnly, SameSite=Strict)", "schema": ["type": "string"]],
                ],
            ],
        ]
    }

    static func operation(_ route: Route) -> [String: Any] {
        var parameters: [[String: Any]] = []
        for segment in route.path.split(separator: "/") where segment.hasPrefix("{") {
            let name = String(segment.dropFirst().dropLast())
            switch route.pathParameters[name] {
            case let .choice(choices)?:
                parameters.append(["name": name, "in": "path", "required": true, "schema": ["type": "string", "enum": choices]])
                continue
            case let .text(pattern, description)?:
                parameters.append(["name": name, "in": "path", "required": true, "description": description, "schema": ["type": "string", "pattern": pattern]])
                continue
            case nil: break
            }
            parameters.append([
                "name": name, "in": "path", "required": true,
                "schema": ["type": "string", "pattern": "^[1-9][0-9]{0,18}$"], "description": "an id: a positive whole number written plainly (12, not 012 or 12.0)",
            ])
        }
        for reference in route.query { parameters.append(["$ref": "#/components/parameters/\(reference)"]) }
        for extra in route.extraQuery {
            let schema: [String: Any] = switch extra.kind {
            case .boolean: ["type": "boolean"]
            case .string: ["type": "string", "pattern": "^[^\\u0000]*$"]
            case .positiveInteger: ["type": "integer", "minimum": 1, "maximum": Int64.max]
            case .reason: ["type": "string", "minLength": 1, "maxLength": 1000, "pattern": TextRule.nonBlankPattern]
            case let .choice(names): ["type": "string", "enum": names]
            }
            parameters.append(["name": extra.name, "in": "query", "required": extra.required, "description": extra.description, "schema": schema])
        }
        if route.idempotencyKey {
            parameters.append([
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "A retry with the same key (and request) gets the first answer instead of doing the work again, for 24 hours",
                "schema": ["type": "string", "minLength": 8, "maxLength": 255, "pattern": "^[!-~]+$"],
            ])
        }
        var responses: [String: Any] = [:]
        for answer in route.answers {
            var response: [String: Any] = ["description": answer.description, "headers": headers(["X-Request-Id"] + answer.headers)]
            switch answer.content {
            case .none: break
            case let .schema(name): response["content"] = ["application/json": ["schema": ["$ref": "#/components/schemas/\(name)"]]]
            case .csv: response["content"] = ["text/csv": ["schema": ["type": "string"]]]
            case .calendar: response["content"] = ["text/calendar": ["schema": ["type": "string"]]]
            case .text: response["content"] = ["text/plain": ["schema": ["type": "string"]]]
            case .eventStream: response["content"] = ["text/event-stream": ["schema": ["type": "string"]]]
            case .html: response["content"] = ["text/html": ["schema": ["type": "string"]]]
            case .document: response["content"] = ["application/json": ["schema": ["type": "object"]]]
            case let .file(types): response["content"] = Dictionary(uniqueKeysWithValues: types.map { ($0, ["schema": ["type": "string"]]) })
            }
            if !route.links.isEmpty, answer.status == route.answers.first(where: { (200..<300).contains($0.status) })?.status {
                response["links"] = Dictionary(uniqueKeysWithValues: route.links.map { ($0.name, ["operationId": $0.operationID, "parameters": $0.parameters] as [String: Any]) })
            }
            responses["\(answer.status)"] = response
        }
        var errors = Set(route.errors)
        if route.access.minimum != nil { errors.formUnion(securedErrors) }
        if route.body != nil { errors.formUnion([400, 413, 415]) }
        if route.rawBody { errors.insert(413) }
        if !route.upload.isEmpty { errors.formUnion([413, 415]) }
        // A path parameter outside its pattern or choices names nothing (RouteBox).
        if !route.pathParameters.isEmpty { errors.insert(404) }
        if !route.query.isEmpty || !route.extraQuery.isEmpty || route.path.contains("{") { errors.insert(400) }
        if route.idempotencyKey { errors.formUnion([400, 409, 422]) }
        // A service may refuse the values of any request that carries some.
        if route.body != nil || !route.query.isEmpty || !route.extraQuery.isEmpty { errors.insert(422) }
        for status in errors.sorted() where responses["\(status)"] == nil {
            var response: [String: Any] = [
                "description": problemDescription(status), "headers": headers(status == 429 || status == 503 ? ["X-Request-Id", "Retry-After"] : ["X-Request-Id"]),
                "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]],
            ]
            if status == 401 { response["headers"] = headers(["X-Request-Id"]) }
            responses["\(status)"] = response
        }
        var o: [String: Any] = ["operationId": route.operationID, "summary": route.summary, "description": "Who may call: \(route.access.description)", "responses": responses]
        if !parameters.isEmpty { o["parameters"] = parameters }
        if let body = route.body {
            var media: [String: Any] = ["schema": ["$ref": "#/components/schemas/\(body)"]]
            if let example = route.example, let value = try? JSONParser.parse(Array(example.utf8)) { media["example"] = value.plainValue }
            o["requestBody"] = ["required": route.bodyRequired, "content": ["application/json": media]]
        }
        if route.rawBody {
            // Whatever the provider sends: JSON or a form, stored as the bytes that came.
            o["requestBody"] = ["required": true, "content": [
                "application/json": ["schema": [String: Any]()],
                "application/x-www-form-urlencoded": ["schema": ["type": "object"]],
            ]]
        }
        if !route.upload.isEmpty {
            // Any bytes are a file; what is wrong in them is the import's report, line by line.
            o["requestBody"] = ["required": route.bodyRequired, "content": Dictionary(uniqueKeysWithValues: route.upload.map { ($0, ["schema": [String: Any]()]) })]
        }
        if route.access == .member {
            o["security"] = [["basic": [String]()], ["bearer": [String]()]]
        } else if route.access.minimum != nil {
            o["security"] = [["bearer": [String]()], ["session": [String]()]]
        }
        return o
    }

    static func headers(_ names: [String]) -> [String: Any] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, ["$ref": "#/components/headers/\($0)"] as [String: Any]) })
    }

    static func problemDescription(_ status: Int) -> String {
        switch status {
        case 400: "the request does not match this document; errors names each field"
        case 401: "no key, or an unknown one"
        case 403: "the key's role may not do this"
        case 404: "no such thing, or one the caller may not see"
        case 409: "conflicts with what is stored (or an Idempotency-Key still running)"
        case 413: "the body is larger than the gateway takes"
        case 415: "the body is not in a media type this operation takes (application/json in UTF-8, unless it says otherwise)"
        case 422: "well formed, but the values are not acceptable; errors names each field"
        case 429: "over the key's rate limit, or too many failed authentications"
        case 503: "a service is unavailable; retry after Retry-After"
        case 504: "a service did not answer within the request's budget"
        default: "an error"
        }
    }

    /// Components that are not contract messages.
    static var handWrittenSchemas: [String: Any] {
        [
            "Problem": [
                "type": "object", "required": ["type", "title", "status", "detail", "requestId"],
                "properties": [
                    "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"],
                    "code": ["type": "string"], "requestId": ["type": "string"],
                    "errors": ["type": "array", "items": ["type": "object", "required": ["field", "detail"], "properties": ["field": ["type": "string"], "detail": ["type": "string"]]]],
                    "alternatives": ["type": "array", "description": "On a booking's clash (S2): the next free slots for the same request.", "items": ["$ref": "#/components/schemas/Slot"]],
                ],
            ],
            "MatchResult": [
                "type": "object", "required": ["matched", "contact"],
                "properties": [
                    "matched": ["type": "boolean"], "matchedBy": ["type": "string", "enum": ["email", "phone"]], "matchedValue": ["type": "string"],
                    "contact": ["$ref": "#/components/schemas/Contact"],
                ],
            ],
        ]
    }
}
