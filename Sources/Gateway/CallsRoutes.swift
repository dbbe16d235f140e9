import Contracts
import WebhookHub
import HTTP
import RPC
import Wire

/// Calls (T1, T11, T12) for any PBX: one leg or a whole call in, sessions out, through
/// the replica that owns the number; lists and statistics across every replica.
enum CallsRoutes {
    static let callID = Route.PathParameter.text(pattern: "^(0|[1-9][0-9]{0,3})-[1-9][0-9]{0,18}$", description: "a call's id: `<shard>-<sequence>`")

    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/calls", operationID: "recordCall", access: .keys(.integration),
            summary: "Report a call, one leg or the whole of it, as often as the PBX likes: legs and repeats make one session (T1)",
            body: CallReport.openAPIInputSchema,
            example: #"{"provider":"mypbx","providerCallId":"c-1","direction":"inbound","clientNumber":"+79161234567","trackingNumber":"+74951112233","legs":[{"destination":"201","disposition":"answered","startedAt":"2026-12-01T10:00:00Z","durationSeconds":60,"talkSeconds":50}],"ended":true}"#,
            answers: [Route.answer(201, "a new call", RecordCallResponse.self), Route.answer(200, "merged into the call it belongs to", RecordCallResponse.self)],
            errors: [422, 503]
        ) { ctx in
            let replicas = try ctx.api.telephonyReplicas()
            let report = try ctx.body(CallReport.self)
            guard let number = replicas.numbers.normalize(report.clientNumber) else {
                throw UnacceptableValues(error: .invalidArgument(
                    "clientNumber is not a phone number or extension", details: [FieldViolation(field: "clientNumber", description: "is \"\(report.clientNumber)\"")]))
            }
            let owner = replicas.owner(ofNumber: number)
            let answer = try await ctx.call(Telephony.recordCall, report, replica: owner, of: replicas)
            return Reply.json(answer.created ? 201 : 200, answer)
        },
        Route(
            method: "GET", path: "/v1/calls", operationID: "listCalls", access: .role(.reader),
            summary: "Calls, newest first, from every replica; staff tokens see the calls that rang their team (G3)",
            query: ListCallsRequest.queryParameters, answers: [Route.answer(200, "a page of calls", CallPage.self)], errors: [422, 503]
        ) { ctx in
            var request = try ctx.query(ListCallsRequest.self)
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await list(ctx, request))
        },
        Route(
            method: "GET", path: "/v1/calls/stats", operationID: "callStats", access: .role(.reader),
            summary: """
                T11 over a period: missed calls and how many were called back and how fast, load per employee, calls by weekday \
                and hour in the business's time zone (SWITCHBOARD_TIME_ZONE) or the one named
                """,
            query: CallStatsRequest.queryParameters, answers: [Route.answer(200, "the figures", CallStats.self)], errors: [422, 503]
        ) { ctx in
            let replicas = try ctx.api.telephonyReplicas()
            var request = try ctx.query(CallStatsRequest.self)
            request.visibility = try await ctx.visibility()
            if request.timeZone.isEmpty { request.timeZone = ctx.api.configuration.timeZone }
            let total = try await ctx.callEvery(Telephony.stats, request, of: replicas).reduce(CallStats()) { $0.adding($1) }
            return Reply.json(200, total)
        },
        Route(
            method: "GET", path: "/v1/calls/route", operationID: "routeCall", access: .keys(.integration),
            summary: "T9: where the PBX should connect a caller (the responsible, else the administrator, then the managers by load); at once, a fallback when anything is down",
            query: RouteRequest.queryParameters, answers: [Route.answer(200, "the destination", RouteAnswer.self)], errors: [422]
        ) { ctx in
            Reply.json(200, await route(ctx, try ctx.query(RouteRequest.self)))
        },
        Route(
            method: "GET", path: "/v1/hooks/{integration}/{token}/route",
            pathParameters: ["integration": HookRoutes.integrationName, "token": HookRoutes.token], operationID: "ringostatNumberWebhook", access: .open,
            summary: "Ringostat's number webhook (T9): the destination alone in the body, for the integration's URL token",
            query: RouteRequest.queryParameters, answers: [Route.Answer(status: 200, description: "the extension, number or SIP login to connect", content: .text)],
            errors: [401, 404, 429]
        ) { ctx in
            let desk = try ctx.api.webhookDesk()
            let name = ctx.parameters["integration"] ?? ""
            guard let integration = desk.integrations.entry(named: name), integration.kind == .ringostat else {
                throw RPCError.notFound("no ringostat integration is named \(name)")
            }
            guard HookAuthentication.verify(integration, header: { ctx.request.header($0) }, body: [], pathToken: ctx.parameters["token"]) else {
                ctx.api.authenticationFailed(ctx.request.remoteAddress)
                return Problem.response(status: 401, title: "Unauthorized", detail: "the token does not match this integration's", requestID: ctx.requestID)
            }
            let answer = await route(ctx, try ctx.query(RouteRequest.self))
            return HTTPResponse(status: 200, contentType: "text/plain", body: answer.destination)
        },
        Route(
            method: "GET", path: "/v1/calls/{id}", pathParameters: ["id": callID], operationID: "getCall", access: .role(.reader),
            summary: "One call with every leg, who answered, the recording and the tracking source",
            answers: [Route.answer(200, "the call", CallSession.self)], errors: [404, 503]
        ) { ctx in
            let replicas = try ctx.api.telephonyReplicas()
            let id = ctx.parameters["id"] ?? ""
            guard let shard = id.split(separator: "-").first.flatMap({ Int($0) }), shard < replicas.shards.count else {
                throw RPCError.notFound("call \(id) does not exist")
            }
            let owner = replicas.owner(ofShard: shard)
            return Reply.json(200, try await ctx.call(Telephony.getCall, GetCallRequest(id: id, visibility: try await ctx.visibility()), replica: owner, of: replicas))
        },
    ]

    /// Asks the replica owning the caller's number; anything down or slow is the fallback, at once.
    static func route(_ ctx: RequestContext, _ request: RouteRequest) async -> RouteAnswer {
        let fallback = RouteAnswer(destination: ctx.api.configuration.routeFallback, reason: "fallback")
        guard let replicas = try? ctx.api.telephonyReplicas() else { return fallback }
        let owner = replicas.numbers.normalize(request.clientNumber).map(replicas.owner(ofNumber:)) ?? 0
        guard !replicas.isDown(owner) else { return fallback }
        let options = CallOptions(timeout: ctx.api.configuration.routeTimeout, metadata: ctx.options.metadata, retry: RetryPolicy.none)
        do {
            return try await replicas.client(owner).call(Telephony.route, request, options: options)
        } catch {
            if [.unavailable, .deadlineExceeded].contains(error.code) { replicas.markDown(owner) }
            return fallback
        }
    }

    /// Every replica's page after the cursor, merged newest first: the cursor orders
    /// calls across shards, so the next page continues exactly where this one stops.
    static func list(_ ctx: RequestContext, _ request: ListCallsRequest) async throws -> CallPage {
        let replicas = try ctx.api.telephonyReplicas()
        let limit = request.pageSize == 0 ? 50 : Int(request.pageSize)
        var found: [(CallCursor, CallSession)] = []
        var more = false
        var asked = request
        if !request.clientNumber.isEmpty, let number = replicas.numbers.normalize(request.clientNumber) {
            // One number lives on one replica.
            let owner = replicas.owner(ofNumber: number)
            let page = try await ctx.call(Telephony.listCalls, asked, replica: owner, of: replicas)
            return page
        }
        asked.pageSize = Int64(limit)
        for page in try await ctx.callEvery(Telephony.listCalls, asked, of: replicas) {
            found += page.calls.compactMap { s in CallCursor(session: s).map { ($0, s) } }
            if !page.nextCursor.isEmpty { more = true }
        }
        found.sort { $0.0 > $1.0 }
        let shown = Array(found.prefix(limit))
        var out = CallPage(calls: shown.map(\.1))
        if (more || found.count > limit), let last = shown.last { out.nextCursor = last.0.encoded }
        return out
    }
}

extension GatewayAPI {
    func telephonyReplicas() throws(RPCError) -> TelephonyReplicas {
        guard let telephony else { throw RPCError(.unavailable, "this gateway has no telephony replicas configured (GATEWAY_TELEPHONY)") }
        return telephony
    }
}
