import Contracts
import Foundation
import HTTP
import JSON
import RPC
import Wire

extension GatewayAPI {
    /// The deals routes (D1–D5, G3): /v1/pipelines, /v1/deals, /v1/leads, /v1/tasks and
    /// the timelines.
    static func addDealRoutes(_ r: inout Router, _ api: GatewayAPI) {
        r.add("GET", "/v1/pipelines", api.endpoint(.reader) { call throws(RPCError) in
            let list = try await api.deals.call(Deals.listPipelines, Empty(), options: call.options)
            return json(200, ["items": list.pipelines.map(DealJSON.object)])
        })
        r.add("POST", "/v1/pipelines", api.endpoint(.admin) { call throws(RPCError) in
            let pipeline = try DealJSON.pipeline(try body(call)).get()
            return json(201, DealJSON.object(try await api.deals.call(Deals.createPipeline, pipeline, options: call.options)))
        })
        r.add("GET", "/v1/deals", api.endpoint(.reader) { call throws(RPCError) in
            let request = try await api.dealsRequest(call)
            let page = try await api.deals.call(Deals.listDeals, request, options: call.options)
            var body: [String: Any] = ["items": page.deals.map(DealJSON.object)]
            if !page.nextCursor.isEmpty { body["nextCursor"] = page.nextCursor }
            return json(200, body)
        })
        r.add("POST", "/v1/deals", api.endpoint(.integration) { call throws(RPCError) in
            var input = try DealJSON.deal(try body(call)).get()
            input.visibility = try await api.visibility(call)
            let deal = try await api.deals.call(Deals.createDeal, input, options: call.options)
            var response = json(201, DealJSON.object(deal))
            response.headers.append(("Location", "/v1/deals/\(deal.id)"))
            return response
        })
        r.add("GET", "/v1/deals/export.csv", api.endpoint(.reader) { call throws(RPCError) in try await api.exportDeals(call) })
        r.add("GET", "/v1/deals/problems", api.endpoint(.reader) { call throws(RPCError) in
            var request = ProblemDealsRequest()
            request.pageSize = try integer(call.request.query, "limit") ?? 0
            request.visibility = try await api.visibility(call)
            let list = try await api.deals.call(Deals.problemDeals, request, options: call.options)
            return json(200, ["items": list.items.map { ["deal": DealJSON.object($0.deal), "reasons": $0.reasons] }])
        })
        r.add("GET", "/v1/deals/{id}", api.endpoint(.reader) { call throws(RPCError) in
            var request = GetDealRequest()
            request.id = try id(call)
            request.visibility = try await api.visibility(call)
            return json(200, DealJSON.object(try await api.deals.call(Deals.getDeal, request, options: call.options)))
        })
        r.add("PATCH", "/v1/deals/{id}", api.endpoint(.integration) { call throws(RPCError) in
            var request = try DealJSON.update(try body(call)).get()
            request.dealID = try id(call)
            request.actorID = call.staffID
            request.visibility = try await api.visibility(call)
            return json(200, DealJSON.object(try await api.deals.call(Deals.updateDeal, request, options: call.options)))
        })
        r.add("POST", "/v1/deals/{id}/stage", api.endpoint(.integration) { call throws(RPCError) in
            var reader = JSONFieldReader(try body(call))
            var request = ChangeStageRequest()
            request.dealID = try id(call)
            request.stageID = reader.requiredID("stageId", "the id of the stage to move the deal to") ?? 0
            request.lossReason = reader.string("lossReason") ?? ""
            reader.refuseUnknown(["stageId", "lossReason"])
            if let error = reader.failure() { throw error }
            request.actorID = call.staffID
            request.visibility = try await api.visibility(call)
            return json(200, DealJSON.object(try await api.deals.call(Deals.changeStage, request, options: call.options)))
        })
        r.add("GET", "/v1/deals/{id}/timeline", api.endpoint(.reader) { call throws(RPCError) in
            var request = try timelineRequest(call)
            request.dealID = try id(call)
            request.visibility = try await api.visibility(call)
            return try await api.timeline(request, call)
        })
        r.add("GET", "/v1/contacts/{id}/timeline", api.endpoint(.reader) { call throws(RPCError) in
            var request = try timelineRequest(call)
            request.contactID = try id(call)
            // The contact itself first: one the caller may not see answers 404 like a missing one.
            request.visibility = try await api.visibility(call)
            if request.visibility != nil { _ = try await api.visibleContact(request.contactID!, call) }
            return try await api.timeline(request, call)
        })
        r.add("POST", "/v1/leads", api.endpoint(.integration) { call throws(RPCError) in
            var lead = try DealJSON.lead(try body(call)).get()
            lead.actorID = call.staffID
            lead.visibility = try await api.visibility(call)
            let receipt = try await api.deals.call(Deals.submitLead, lead, options: call.options)
            // 202: stored, to be processed when the contacts service is back.
            var response = json(receipt.status == .pending ? 202 : 201, DealJSON.object(receipt))
            response.headers.append(("Location", "/v1/leads/\(receipt.id)"))
            return response
        })
        r.add("GET", "/v1/leads/{id}", api.endpoint(.integration) { call throws(RPCError) in
            var request = GetLeadRequest()
            request.id = try id(call)
            request.visibility = try await api.visibility(call)
            return json(200, DealJSON.object(try await api.deals.call(Deals.getLead, request, options: call.options)))
        })
        r.add("GET", "/v1/tasks", api.endpoint(.reader) { call throws(RPCError) in
            let q = call.request.query
            var request = ListTasksRequest()
            request.assigneeID = try integer(q, "assigneeId")
            if q["mine"] == "true" {
                guard let staffID = call.staffID else {
                    throw .invalidArgument("mine=true needs a staff token; an API key is nobody's", details: [FieldViolation(field: "mine", description: "needs a staff token")])
                }
                request.assigneeID = staffID
            }
            request.dealID = try integer(q, "dealId")
            request.overdueOnly = q["overdue"] == "true"
            request.pageSize = try integer(q, "limit") ?? 0
            if let status = q["status"] {
                guard let s = TaskStatus.allCases.first(where: { $0.name == status && $0 != .unspecified }) else {
                    throw .invalidArgument("status must be open, done or cancelled", details: [FieldViolation(field: "status", description: "is \"\(status)\"")])
                }
                request.status = s
            }
            request.visibility = try await api.visibility(call)
            let list = try await api.deals.call(Deals.listTasks, request, options: call.options)
            return json(200, ["items": list.tasks.map(DealJSON.object)])
        })
        r.add("POST", "/v1/tasks", api.endpoint(.integration) { call throws(RPCError) in
            var task = try DealJSON.task(try body(call)).get()
            if task.assigneeID == nil, let staffID = call.staffID, task.dealID == nil { task.assigneeID = staffID }
            task.visibility = try await api.visibility(call)
            let reply = try await api.deals.call(Deals.createTask, task, options: call.options)
            // 200 with the open task already there: the rule "one open task of a kind" (D4).
            var response = json(reply.existing ? 200 : 201, ["task": DealJSON.object(reply.task), "existing": reply.existing])
            response.headers.append(("Location", "/v1/tasks/\(reply.task.id)"))
            return response
        })
        r.add("POST", "/v1/tasks/{id}/complete", api.endpoint(.integration) { call throws(RPCError) in
            var reader = JSONFieldReader(call.request.body.isEmpty ? JSONObject() : try body(call))
            if reader.isNull("status") { reader.fail("status", "must be done or cancelled, not null (leave it out for done)") }
            let status = reader.choice("status", [("done", TaskStatus.done), ("cancelled", .cancelled)])
            reader.refuseUnknown(["status"])
            if let error = reader.failure() { throw error }
            var request = CompleteTaskRequest()
            request.id = try id(call)
            request.status = status ?? .done
            request.visibility = try await api.visibility(call)
            return json(200, DealJSON.object(try await api.deals.call(Deals.completeTask, request, options: call.options)))
        })
    }

    /// The filters of GET /v1/deals and its CSV export, with the caller's visibility.
    func dealsRequest(_ call: Call) async throws(RPCError) -> ListDealsRequest {
        let q = call.request.query
        var request = ListDealsRequest()
        request.pipelineID = try Self.integer(q, "pipelineId")
        request.stageID = try Self.integer(q, "stageId")
        request.contactID = try Self.integer(q, "contactId")
        request.responsibleID = try Self.integer(q, "responsibleId")
        request.pageSize = try Self.integer(q, "limit") ?? 0
        request.cursor = q["cursor"] ?? ""
        if let status = q["status"] {
            guard let s = DealStatus.allCases.first(where: { $0.name == status && $0 != .unspecified }) else {
                throw .invalidArgument("status must be open, won or lost", details: [FieldViolation(field: "status", description: "is \"\(status)\"")])
            }
            request.status = s
        }
        request.visibility = try await visibility(call)
        return request
    }

    /// The deals the caller sees (G3) with the filters, as CSV, up to `maxExportRows`.
    func exportDeals(_ call: Call) async throws(RPCError) -> HTTPResponse {
        var request = try await dealsRequest(call)
        request.pageSize = 500
        let template = request
        let header = ["id", "title", "contact_id", "pipeline_id", "stage_id", "status", "amount_minor", "currency", "responsible_id", "source", "loss_reason", "created_at", "closed_at"]
        return try await csv(file: "deals.csv", header: header, what: "deals") { cursor throws(RPCError) in
            var pageRequest = template
            pageRequest.cursor = cursor
            let page = try await deals.call(Deals.listDeals, pageRequest, options: call.options)
            let rows = page.deals.map { d in
                [String(d.id), d.title, String(d.contactID), String(d.pipelineID), String(d.stageID), d.status.name, String(d.amountMinor),
                 d.currency, d.responsibleID.map(String.init) ?? "", d.source, d.lossReason, JSONWriter.timestamp(milliseconds: d.createdAtMilliseconds),
                 d.closedAtMilliseconds.map { JSONWriter.timestamp(milliseconds: $0) } ?? ""]
            }
            return (rows, page.nextCursor)
        }
    }

    static func integer(_ query: [String: String], _ name: String) throws(RPCError) -> Int64? {
        guard let text = query[name] else { return nil }
        guard let value = Int64(text), value >= 0, String(value) == text else {
            throw .invalidArgument("\(name) must be a whole number", details: [FieldViolation(field: name, description: "is \"\(text)\"")])
        }
        return value
    }

    static func timelineRequest(_ call: Call) throws(RPCError) -> TimelineRequest {
        var request = TimelineRequest()
        request.pageSize = try integer(call.request.query, "limit") ?? 0
        request.beforeID = try integer(call.request.query, "before")
        return request
    }

    func timeline(_ request: TimelineRequest, _ call: Call) async throws(RPCError) -> HTTPResponse {
        let timeline = try await deals.call(Deals.timeline, request, options: call.options)
        var body: [String: Any] = ["items": timeline.entries.map(DealJSON.object)]
        if timeline.entries.count == Int(request.pageSize == 0 ? 50 : request.pageSize), let last = timeline.entries.last {
            body["next"] = "?before=\(last.id)"
        }
        return Self.json(200, body)
    }

    /// G3: what a caller sees of deals and tasks. API keys (integrations) see all; a
    /// staff token sees its member's team as contacts keeps the org chart (cached a few
    /// seconds).
    func visibility(_ call: Call) async throws(RPCError) -> Visibility? {
        guard let staffID = call.staffID else { return nil }
        if let cached = staffScopes.lookup(staffID) { return cached }
        let team: StaffTeam
        do throws(RPCError) {
            team = try await contacts.call(Contacts.team, GetStaffRequest(id: staffID), options: call.options)
        } catch where error.code == .notFound {
            throw RPCError(.permissionDenied, "this token's staff member \(staffID) does not exist")
        }
        var visibility: Visibility?
        if !team.everyone {
            var restricted = Visibility()
            restricted.restricted = true
            restricted.staffIDs = team.memberIDs
            visibility = restricted
        }
        staffScopes.store(visibility, for: staffID)
        return visibility
    }
}
