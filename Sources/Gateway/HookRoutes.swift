import Contracts
import WebhookHub
import Foundation
import HTTP
import RPC
import ServiceKit
import Wire

/// G2: webhooks in (authenticated per integration, stored before the 2xx), the admin's
/// integrations and stored hooks, and pulls from a provider (C5's resync).
enum HookRoutes {
    static let integrationName = Route.PathParameter.text(pattern: "^[a-z0-9]+(-[a-z0-9]+)*$", description: "the integration's name")
    static let token = Route.PathParameter.text(pattern: "^[!-~]{1,200}$", description: "the integration's URL token (providers that sign nothing)")

    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/hooks/{integration}", pathParameters: ["integration": integrationName], operationID: "receiveSignedHook",
            access: .open,
            summary: "A webhook from a provider that signs (Timepad X-Hub-Signature, CloudPayments Content-HMAC, WhatsApp X-Hub-Signature-256); stored before the answer",
            extraQuery: [Route.QueryParameter(name: "type", kind: .choice(CloudPaymentsAdapter.types), description: "CloudPayments: which notification the URL was set up for")],
            rawBody: true,
            answers: [Route.Answer(status: 200, description: "stored; the body is what the provider expects (CloudPayments: {\"code\":0})", content: .text)],
            errors: [401, 404, 429, 503]
        ) { ctx in
            try await receive(ctx, token: nil)
        },
        Route(
            method: "GET", path: "/v1/hooks/{integration}", pathParameters: ["integration": integrationName], operationID: "verifyHook",
            access: .open,
            summary: "Meta's webhook verification for a WhatsApp integration: `hub.challenge` echoed when `hub.verify_token` is the integration's",
            extraQuery: [
                Route.QueryParameter(name: "hub.mode", kind: .choice(["subscribe"]), description: "subscribe", required: true),
                Route.QueryParameter(name: "hub.verify_token", kind: .string, description: "the verifyToken the integration was made with", required: true),
                Route.QueryParameter(name: "hub.challenge", kind: .string, description: "what to echo", required: true),
            ],
            answers: [Route.Answer(status: 200, description: "the challenge, as sent", content: .text)], errors: [403, 404, 429]
        ) { ctx in
            let desk = try ctx.api.webhookDesk()
            let name = ctx.parameters["integration"] ?? ""
            let address = ctx.request.remoteAddress
            if let refusal = ctx.api.lockedOut(address, requestID: ctx.requestID) { return refusal }
            guard let integration = desk.integrations.entry(named: name), integration.kind == .whatsapp else {
                throw RPCError.notFound("no WhatsApp integration is named \(name) (or it was revoked)")
            }
            let challenge = ctx.request.query["hub.challenge"] ?? ""
            guard ctx.request.query["hub.mode"] == "subscribe", !challenge.isEmpty, challenge.utf8.count <= 200,
                HookAuthentication.verifiesHandshake(integration, token: ctx.request.query["hub.verify_token"] ?? "")
            else {
                ctx.api.authenticationFailed(address)
                return Problem.response(status: 403, title: "Forbidden", detail: "the verify token is not this integration's", requestID: ctx.requestID)
            }
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")], body: Array(challenge.utf8))
        },
        Route(
            method: "POST", path: "/v1/hooks/{integration}/{token}", pathParameters: ["integration": integrationName, "token": token],
            operationID: "receiveTokenHook", access: .open,
            summary: "A webhook from a provider that signs nothing (Ringostat, amoCRM, Bitrix24): the URL's token is its credential",
            rawBody: true,
            answers: [Route.Answer(status: 200, description: "stored (Ringostat: an empty body)", content: .text)],
            errors: [401, 404, 429, 503]
        ) { ctx in
            try await receive(ctx, token: ctx.parameters["token"])
        },
        Route(
            method: "POST", path: "/v1/admin/integrations", operationID: "createIntegration", access: .role(.admin),
            summary: "Configure a provider that sends webhooks; for those that sign nothing the answer has the URL token, once",
            body: CreateIntegrationRequest.openAPIInputSchema, example: #"{"name":"timepad-main","kind":"timepad","secret":"the hook secret from Timepad"}"#,
            answers: [Route.answer(201, "configured; hookPath is the URL to give the provider", Integration.self, headers: ["Location"])],
            errors: [409, 422, 503],
            links: [Route.Link(name: "ReconcileIntegration", operationID: "reconcileIntegration", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            let desk = try ctx.api.webhookDesk()
            let request = try ctx.body(CreateIntegrationRequest.self)
            let made = try await ctx.judgingValues { try await desk.integrations.create(request, by: "api:\(ctx.role?.rawValue ?? "")") }
            return Reply.created(made, at: "/v1/admin/integrations/\(made.id)", secret: true)
        },
        Route(
            method: "GET", path: "/v1/admin/integrations", operationID: "listIntegrations", access: .role(.admin),
            summary: "The integrations (revoked ones with when); never their secrets",
            answers: [Route.answer(200, "the integrations", IntegrationList.self)], errors: [503]
        ) { ctx in
            Reply.json(200, IntegrationList(integrations: try await ctx.api.webhookDesk().integrations.list()))
        },
        Route(
            method: "PUT", path: "/v1/admin/integrations/{id}", operationID: "changeIntegration", access: .role(.admin),
            summary: """
                Change an integration (issue 26): a new signing secret, a new URL token (shown once), its API token or base URL; \
                the old secret or URL is refused from the next hook on; each change is in its history
                """,
            body: IntegrationChange.openAPIInputSchema, example: #"{"secret":"the new hook secret from Timepad"}"#,
            answers: [Route.answer(200, "the integration; secret and hookPath when a new URL token was made", Integration.self)], errors: [404, 422, 503]
        ) { ctx in
            let desk = try ctx.api.webhookDesk()
            let change = try ctx.body(IntegrationChange.self)
            let id = try ctx.id()
            let author = SetupLog.Author(staffID: ctx.staffID, credentialID: ctx.credentialID)
            let changed = try await ctx.judgingValues { try await desk.integrations.change(id, change, by: author) }
            return change.newToken ? Reply.json(200, changed, secret: true) : Reply.json(200, changed)
        },
        Route(
            method: "GET", path: "/v1/admin/integrations/{id}/history", operationID: "integrationHistory", access: .role(.admin),
            summary: "Every change to an integration, with who made it and when (issue 26); secrets only as replaced",
            answers: [Route.answer(200, "the changes, oldest first", SetupHistory.self)], errors: [404, 503]
        ) { ctx in
            Reply.json(200, try await ctx.api.webhookDesk().integrations.history(try ctx.id()))
        },
        Route(
            method: "DELETE", path: "/v1/admin/integrations/{id}", operationID: "revokeIntegration", access: .role(.admin),
            summary: "Revoke an integration: its hooks are refused from the next one on; those stored stay",
            answers: [Route.answer(200, "revoked", Integration.self)], errors: [404, 503]
        ) { ctx in
            Reply.json(200, try await ctx.api.webhookDesk().integrations.revoke(try ctx.id()))
        },
        Route(
            method: "POST", path: "/v1/admin/integrations/{id}/reconcile", operationID: "reconcileIntegration", access: .role(.admin),
            summary: "Pull the provider's log for a period (default: the last 48 hours; Timepad: its events and their orders) and feed every record the webhooks' way",
            query: ReconcileRequest.queryParameters, bodyRequired: false,
            answers: [Route.answer(200, "what was fetched and stored", ResyncOutcome.self)], errors: [404, 422, 502, 503]
        ) { ctx in
            try await reconcile(ctx)
        },
        Route(
            method: "GET", path: "/v1/admin/hooks", operationID: "listHooks", access: .role(.admin),
            summary: "Stored webhooks, oldest first: pending, delivered, or failed with the reason",
            query: ListHooksRequest.queryParameters,
            answers: [Route.answer(200, "a page of hooks", HookList.self)], errors: [422, 503],
            links: [
                Route.Link(name: "GetFirstHook", operationID: "getHook", parameters: ["id": "$response.body#/items/0/id"]),
                Route.Link(name: "ReplayFirstHook", operationID: "replayHook", parameters: ["id": "$response.body#/items/0/id"]),
            ]
        ) { ctx in
            let request = try ctx.query(ListHooksRequest.self)
            let desk = try ctx.api.webhookDesk()
            return Reply.json(200, try await ctx.judgingValues { try await desk.hooks.list(request) })
        },
        Route(
            method: "GET", path: "/v1/admin/hooks/{id}", operationID: "getHook", access: .role(.admin),
            summary: "One stored webhook as it arrived, and what became of it",
            answers: [Route.answer(200, "the hook", Hook.self)], errors: [404, 503]
        ) { ctx in
            let id = try ctx.id()
            guard let hook = try await ctx.api.webhookDesk().hooks.get(id) else { throw RPCError.notFound("hook \(id) does not exist") }
            return Reply.json(200, hook)
        },
        Route(
            method: "POST", path: "/v1/admin/hooks/{id}/replay", operationID: "replayHook", access: .role(.admin),
            summary: "Hand a stored webhook to its service again (after a fix); the service ignores what it already has",
            bodyRequired: false,
            answers: [Route.answer(200, "back in line", Hook.self)], errors: [404, 503]
        ) { ctx in
            let desk = try ctx.api.webhookDesk()
            let hook = try await desk.hooks.replay(try ctx.id())
            desk.wakeRelay()
            return Reply.json(200, hook)
        },
        Route(
            method: "POST", path: "/v1/admin/hooks/{id}/discard", operationID: "discardHook", access: .role(.admin),
            summary: "Give up on a failed webhook (a kind no service takes): kept with who, when and why, out of the failed list; a replay still brings it back",
            body: DiscardHookRequest.openAPIInputSchema, bodyRequired: false, example: #"{"reason":"amoCRM hooks are not used here"}"#,
            answers: [Route.answer(200, "discarded", Hook.self)], errors: [400, 404, 409, 503]
        ) { ctx in
            let desk = try ctx.api.webhookDesk()
            let id = try ctx.id()
            let request = ctx.request.body.isEmpty ? DiscardHookRequest() : try ctx.body(DiscardHookRequest.self)
            let hook = try await desk.hooks.discard(id, by: ctx.actor, reason: request.reason)
            ctx.api.logger.info("hook discarded", ["hook": "\(id)", "integration": hook.integration, "by": ctx.actor, "reason": request.reason, "request_id": ctx.requestID])
            return Reply.json(200, hook)
        },
        Route(
            method: "POST", path: "/v1/events/{eventId}/resync",
            pathParameters: ["eventId": .text(pattern: "^[0-9A-Za-z_-]{1,64}$", description: "the event's id at the platform")],
            operationID: "resyncEvent", access: .role(.admin),
            summary: "C5: pull one event's orders from its platform (Timepad) and feed every ticket the webhooks' way; a repeat changes nothing",
            extraQuery: [Route.QueryParameter(name: "integration", kind: .string, description: "the timepad integration to pull with (needed when there are several)")],
            bodyRequired: false,
            answers: [Route.answer(200, "what was fetched and stored", ResyncOutcome.self)], errors: [404, 422, 502, 503]
        ) { ctx in
            try await resync(ctx)
        },
    ]

    static func receive(_ ctx: RequestContext, token: String?) async throws -> HTTPResponse {
        let desk = try ctx.api.webhookDesk()
        let name = ctx.parameters["integration"] ?? ""
        let address = ctx.request.remoteAddress
        if let refusal = ctx.api.lockedOut(address, requestID: ctx.requestID) { return refusal }
        guard let integration = desk.integrations.entry(named: name) else {
            throw RPCError.notFound("no integration is named \(name) (or it was revoked)")
        }
        guard ctx.request.body.count <= integration.maxBodyBytes else {
            return Problem.response(
                status: 413, title: "Content Too Large",
                detail: "\(name) takes hooks of at most \(integration.maxBodyBytes) bytes; this one has \(ctx.request.body.count)", requestID: ctx.requestID)
        }
        guard HookAuthentication.verify(integration, header: { ctx.request.header($0) }, body: ctx.request.body, pathToken: token) else {
            desk.rejected.add(1, ordering: .relaxed)
            ctx.api.authenticationFailed(address)
            ctx.api.logger.warn("hook refused: bad signature or token", ["integration": name, "address": address, "request_id": ctx.requestID])
            return Problem.response(
                status: 401, title: "Unauthorized",
                detail: token == nil ? "the signature does not match this integration's secret" : "the token does not match this integration's",
                requestID: ctx.requestID)
        }
        var origin = "webhook"
        if let type = ctx.request.query["type"], integration.kind == .cloudpayments {
            guard CloudPaymentsAdapter.types.contains(type) else {
                throw RPCError.invalidArgument("type is check, pay, fail, refund or recurrent", details: [FieldViolation(field: "type", description: "\"\(type.prefix(50))\" is not a CloudPayments notification")])
            }
            origin = "webhook:\(type)"
        }
        let id = try await storeDurably(desk, integration, ctx, origin: origin)
        let answer = HookAuthentication.acceptance(integration.kind)
        return HTTPResponse(status: 200, headers: [("Content-Type", answer.contentType), ("X-Hook-Id", "\(id)")], body: answer.body)
    }

    static func storeDurably(_ desk: Webhooks, _ integration: IntegrationEntry, _ ctx: RequestContext, origin: String = "webhook") async throws -> Int64 {
        do {
            return try await desk.store(
                integration, contentType: ctx.request.header("Content-Type") ?? "", headers: ctx.request.headers, body: ctx.request.body, origin: origin)
        } catch {
            ctx.api.logger.error("hook not stored", ["integration": integration.name, "error": "\(error)", "request_id": ctx.requestID])
            throw RPCError(.unavailable, "the hook could not be stored; send it again")
        }
    }

    static func resync(_ ctx: RequestContext) async throws -> HTTPResponse {
        let desk = try ctx.api.webhookDesk()
        let eventID = ctx.parameters["eventId"] ?? ""
        let wanted = ctx.request.query["integration"]
        let candidates = desk.integrations.entries.filter { $0.kind == .timepad && (wanted == nil || $0.name == wanted) }
        guard candidates.count == 1, let integration = candidates.first else {
            let names = desk.integrations.entries.filter { $0.kind == .timepad }.map(\.name).sorted()
            throw UnacceptableValues(error: .invalidArgument(
                names.isEmpty ? "no timepad integration is configured" : wanted == nil ? "name the integration: one of \(names.joined(separator: ", "))" : "no timepad integration is named \(wanted!)",
                details: [FieldViolation(field: "integration", description: "must name one of: \(names.joined(separator: ", "))")]))
        }
        guard !integration.apiBaseURL.isEmpty else {
            throw UnacceptableValues(error: .invalidArgument(
                "\(integration.name) has no apiBaseUrl to pull from", details: [FieldViolation(field: "integration", description: "has no apiBaseUrl")]))
        }
        return try await pulling(ctx) { try await Reconciliation(webhooks: desk).resync(integration, eventID: eventID) }
    }

    static func reconcile(_ ctx: RequestContext) async throws -> HTTPResponse {
        let desk = try ctx.api.webhookDesk()
        let id = try ctx.id()
        guard let integration = desk.integrations.entry(id: id) else { throw RPCError.notFound("integration \(id) does not exist (or was revoked)") }
        let period = try ctx.query(ReconcileRequest.self)
        let to = period.toMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? Date()
        let from = period.fromMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? to.addingTimeInterval(-Reconciliation.defaultWindow)
        guard from < to, to.timeIntervalSince(from) <= Reconciliation.maxWindow else {
            throw UnacceptableValues(error: .invalidArgument(
                "the period must run forwards and span at most 31 days", details: [FieldViolation(field: "from", description: "must be before to, at most 31 days earlier")]))
        }
        guard Reconciliation.pulls(integration.kind), !integration.apiBaseURL.isEmpty else {
            throw UnacceptableValues(error: .invalidArgument(
                "\(integration.name) has no log to pull (timepad and ringostat integrations with an apiBaseUrl have)",
                details: [FieldViolation(field: "id", description: "is a \(integration.kind.name) integration\(integration.apiBaseURL.isEmpty ? " without an apiBaseUrl" : "")")]))
        }
        return try await pulling(ctx) { try await Reconciliation(webhooks: desk).reconcile(integration, from: from, to: to) }
    }

    /// A pull's outcome; a provider that fails is a 502 with its reason.
    static func pulling(_ ctx: RequestContext, _ work: () async throws -> ResyncOutcome) async throws -> HTTPResponse {
        do {
            return Reply.json(200, try await work())
        } catch let refusal as HookRefusal {
            return Problem.response(status: 502, title: "Bad Gateway", detail: refusal.description, requestID: ctx.requestID)
        }
    }
}

extension GatewayAPI {
    func webhookDesk() throws(RPCError) -> Webhooks {
        guard let webhooks else { throw RPCError(.unavailable, "this gateway takes no webhooks (it runs without a data folder)") }
        return webhooks
    }
}
