import Contracts
import HTTP
import JSON
import RPC
import Wire

/// The deals service's face (D1–D5, G3): pipelines, deals, leads, tasks, timelines.
enum DealsRoutes {
    /// A field's declaration from the body; it must name the field the path names.
    static func fieldBody(_ ctx: RequestContext) throws -> CustomFieldDefinition {
        var definition = try ctx.body(CustomFieldDefinition.self)
        let name = ctx.parameters["name"] ?? ""
        guard definition.name == name else {
            throw UnacceptableValues(error: .invalidArgument("the body names another field", details: [FieldViolation(field: "name", description: "is not \(name), the field in the path")]))
        }
        definition.entity = ""
        return definition
    }

    static let fieldName = Route.PathParameter.text(pattern: "^[a-z][a-z0-9_]{0,63}$", description: "the field's name: lower-case letters, digits, _")

    static let all: [Route] = [
        Route(
            method: "GET", path: "/v1/pipelines", operationID: "listPipelines", access: .role(.reader),
            summary: "Pipelines with their stages (D1)", answers: [Route.answer(200, "the pipelines", PipelineList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Deals.listPipelines, Empty()))
        },
        Route(
            method: "POST", path: "/v1/pipelines", operationID: "createPipeline", access: .role(.admin),
            summary: "Create a pipeline (D1): at least one in_progress, one won and one lost stage; a stage without an outcome is in_progress",
            body: Pipeline.openAPIInputSchema, example: #"{"name":"Trial lessons","stages":[{"name":"Booked"},{"name":"Came","outcome":"won"},{"name":"No show","outcome":"lost"}]}"#, answers: [Route.answer(201, "created", Pipeline.self)], errors: [409, 422], idempotencyKey: true
        ) { ctx in
            Reply.json(201, try await ctx.call(Deals.createPipeline, try ctx.body(Pipeline.self)))
        },
        Route(
            method: "PUT", path: "/v1/pipelines/{id}", operationID: "updatePipeline", access: .role(.admin),
            summary: """
                Change a pipeline (D1, issue 26): stages with an id are kept (renamed, reordered, SLA changed), without one are \
                new; a current stage left out is retired, and the open deals in it move to the stage its move names
                """,
            body: PipelineEdit.openAPIInputSchema,
            example: #"{"name":"Sales","stages":[{"id":1,"name":"New lead"},{"name":"Measuring"},{"id":4,"name":"Won"},{"id":5,"name":"Lost"}],"moves":[{"fromStageId":2,"toStage":"Measuring"}]}"#,
            answers: [Route.answer(200, "the pipeline as it is now", Pipeline.self)], errors: [404, 409, 422]
        ) { ctx in
            var edit = try ctx.body(PipelineEdit.self)
            edit.pipelineID = try ctx.id()
            return Reply.json(200, try await ctx.call(Deals.updatePipeline, edit))
        },
        Route(
            method: "GET", path: "/v1/pipelines/{id}/history", operationID: "pipelineHistory", access: .role(.admin),
            summary: "Every change to a pipeline, with who made it and when (issue 26)",
            answers: [Route.answer(200, "the changes, oldest first", SetupHistory.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Deals.pipelineHistory, SetupHistoryRequest(id: try ctx.id())))
        },
        Route(
            method: "GET", path: "/v1/custom-fields", operationID: "listCustomFields", access: .role(.reader),
            summary: "The custom fields declared for deals and contacts, with their types (issue 26): what customFields accepts, checked on every write",
            answers: [Route.answer(200, "the declarations, deals' then contacts'", CustomFieldDefinitionList.self)]
        ) { ctx in
            let deals = try await ctx.call(Deals.listFields, Empty()).fields
            return Reply.json(200, CustomFieldDefinitionList(fields: deals + (try await ctx.call(Contacts.listFields, Empty()).fields)))
        },
        Route(
            method: "PUT", path: "/v1/custom-fields/contact/{name}", pathParameters: ["name": fieldName], operationID: "putContactField", access: .role(.admin),
            summary: """
                Declare a contact field or change its declaration (issue 26): its type, options and whether a person must fill \
                it; a new type must accept the values contacts hold
                """,
            body: CustomFieldDefinition.openAPIInputSchema, example: #"{"name":"birthday","label":"Birthday","type":"date"}"#,
            answers: [Route.answer(200, "the declaration", CustomFieldDefinition.self)], errors: [422]
        ) { ctx in
            let definition = try fieldBody(ctx)
            return Reply.json(200, try await ctx.call(Contacts.putField, definition))
        },
        Route(
            method: "PUT", path: "/v1/custom-fields/deal/{name}", pathParameters: ["name": fieldName], operationID: "putDealField", access: .role(.admin),
            summary: """
                Declare a deal field or change its declaration (issue 26): its type (text, number, money, date, date_time, boolean, one_of, \
                many_of, staff, url), options, whether it is required and in which pipelines; a new type must accept the values deals hold
                """,
            body: CustomFieldDefinition.openAPIInputSchema, example: #"{"name":"window_count","label":"Windows","type":"number","required":true}"#,
            answers: [Route.answer(200, "the declaration", CustomFieldDefinition.self)], errors: [422]
        ) { ctx in
            Reply.json(200, try await ctx.call(Deals.putField, try fieldBody(ctx)))
        },
        Route(
            method: "GET", path: "/v1/deals", operationID: "listDeals", access: .role(.reader),
            summary: "Deals the caller may see (G3), filtered, cursor paging", query: ListDealsRequest.queryParameters,
            answers: [Route.answer(200, "a page", DealPage.self)]
        ) { ctx in
            var request = try ctx.query(ListDealsRequest.self)
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.listDeals, request))
        },
        Route(
            method: "POST", path: "/v1/deals", operationID: "createDeal", access: .role(.integration),
            summary: "Open a deal (D2) for a contact; pipelineId absent: the default pipeline, stageId absent: its first working stage",
            body: Deal.openAPIInputSchema, example: #"{"title":"Windows for the dacha","contactId":1,"amountMinor":1500000,"currency":"RUB"}"#, answers: [Route.answer(201, "created", Deal.self, headers: ["Location"])], errors: [422],
            idempotencyKey: true, links: [Route.Link(name: "GetDeal", operationID: "getDeal", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            var input = try ctx.body(Deal.self)
            input.visibility = try await ctx.visibility()
            let deal = try await ctx.call(Deals.createDeal, input)
            return Reply.created(deal, at: "/v1/deals/\(deal.id)")
        },
        Route(
            method: "GET", path: "/v1/deals/export.csv", operationID: "exportDeals", access: .role(.reader),
            summary: "The deals the caller sees (G3), filtered as GET /v1/deals, as CSV",
            query: ListDealsRequest.queryParameters.filter { !$0.hasSuffix(".limit") && !$0.hasSuffix(".cursor") },
            answers: [Route.Answer(status: 200, description: "CSV", content: .csv)]
        ) { ctx in
            var template = try ctx.query(ListDealsRequest.self)
            template.visibility = try await ctx.visibility()
            template.pageSize = 500
            // Issue 26: a column per declared field, after the deal's own.
            let fields = try await ctx.call(Deals.listFields, Empty()).fields.filter { !$0.archived }.map(\.name)
            let header = ["id", "title", "contact_id", "pipeline_id", "stage_id", "status", "amount_minor", "currency", "responsible_id", "source", "loss_reason", "created_at", "closed_at"]
                + fields.map { "field_\($0)" }
            return try await CSVExport.response(file: "deals.csv", header: header, what: "deals", limit: ctx.api.configuration.maxExportRows) { cursor in
                var request = template
                request.cursor = cursor
                let page = try await ctx.call(Deals.listDeals, request)
                let rows = page.deals.map { d -> [String] in
                    let values = Dictionary(d.customFields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                    let own: [String] = [String(d.id), d.title, String(d.contactID), String(d.pipelineID), String(d.stageID), d.status.name, String(d.amountMinor)]
                    let more: [String] = [d.currency, d.responsibleID.map(String.init) ?? "", d.source, d.lossReason, RFC3339.format(milliseconds: d.createdAtMilliseconds),
                                          d.closedAtMilliseconds.map { RFC3339.format(milliseconds: $0) } ?? ""]
                    return own + more + fields.map { values[$0] ?? "" }
                }
                return (rows, page.nextCursor)
            }
        },
        Route(
            method: "GET", path: "/v1/deals/problems", operationID: "listProblemDeals", access: .role(.reader),
            summary: "Open deals with an overdue task, over the stage SLA, or no next task (D4)", query: ProblemDealsRequest.queryParameters,
            answers: [Route.answer(200, "problem deals", ProblemDealList.self)]
        ) { ctx in
            var request = try ctx.query(ProblemDealsRequest.self)
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.problemDeals, request))
        },
        Route(
            method: "GET", path: "/v1/deals/{id}", operationID: "getDeal", access: .role(.reader),
            summary: "A deal", answers: [Route.answer(200, "the deal", Deal.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Deals.getDeal, GetDealRequest(id: try ctx.id(), visibility: try await ctx.visibility())))
        },
        Route(
            method: "PATCH", path: "/v1/deals/{id}", operationID: "updateDeal", access: .role(.integration),
            summary: "Change some fields of a deal (D2); null clears responsibleId or scheduledAt; stages move with POST .../stage",
            body: UpdateDealRequest.openAPIInputSchema, example: #"{"title":"Windows, three rooms","amountMinor":1800000,"currency":"RUB"}"#, answers: [Route.answer(200, "the deal as it is now", Deal.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.body(UpdateDealRequest.self)
            request.dealID = try ctx.id()
            request.actorID = ctx.staffID
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.updateDeal, request))
        },
        Route(
            method: "POST", path: "/v1/deals/{id}/stage", operationID: "changeDealStage", access: .role(.integration),
            summary: "Move a deal to a stage of its pipeline (D1, D6); a lost stage needs lossReason",
            body: ChangeStageRequest.openAPIInputSchema, example: #"{"stageId":2}"#, answers: [Route.answer(200, "the deal as it is now", Deal.self)], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(ChangeStageRequest.self)
            request.dealID = try ctx.id()
            request.actorID = ctx.staffID
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.changeStage, request))
        },
        Route(
            method: "GET", path: "/v1/deals/{id}/timeline", operationID: "dealTimeline", access: .role(.reader),
            summary: "A deal's timeline, newest first (D5); nextBefore continues", query: TimelineRequest.queryParameters,
            answers: [Route.answer(200, "entries", Timeline.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.query(TimelineRequest.self)
            request.dealID = try ctx.id()
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.timeline, request))
        },
        Route(
            method: "GET", path: "/v1/contacts/{id}/timeline", operationID: "contactTimeline", access: .role(.reader),
            summary: "A contact's timeline, newest first (D5); nextBefore continues", query: TimelineRequest.queryParameters,
            answers: [Route.answer(200, "entries", Timeline.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.query(TimelineRequest.self)
            request.contactID = try ctx.id()
            request.visibility = try await ctx.visibility()
            // The contact itself first: a missing, deleted or hidden one answers 404.
            _ = try await ctx.api.visibleContact(request.contactID!, ctx)
            return Reply.json(200, try await ctx.call(Deals.timeline, request))
        },
        Route(
            method: "POST", path: "/v1/leads", operationID: "submitLead", access: .role(.integration),
            summary: "Lead intake (D3): 201 when processed (or kept as low quality with a reason), 202 when stored to be processed once contacts is back",
            body: Lead.openAPIInputSchema, example: #"{"channel":"web","phone":"+79161112233","firstName":"Olga","comment":"wants a quote"}"#,
            answers: [Route.answer(201, "processed", LeadReceipt.self, headers: ["Location"]), Route.answer(202, "stored; read it back later", LeadReceipt.self, headers: ["Location"])],
            errors: [422], idempotencyKey: true,
            links: [Route.Link(name: "GetLead", operationID: "getLead", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            var lead = try ctx.body(Lead.self)
            lead.actorID = ctx.staffID
            lead.visibility = try await ctx.visibility()
            var receipt = try await ctx.call(Deals.submitLead, lead)
            if lead.telegramLink, let deal = receipt.dealID {
                // The lead is kept whatever happens here: a link that cannot be made is left out
                // (POST /v1/deals/{id}/telegram-link says why).
                do {
                    receipt.telegramLink = try await ctx.call(Notifications.startLink, StartLinkRequest(dealID: deal)).url
                } catch {
                    ctx.api.logger.warn("no Telegram link for a lead", ["lead": "\(receipt.id)", "error": "\(error)", "request_id": ctx.requestID])
                }
            }
            var response = Reply.json(receipt.status == .pending ? 202 : 201, receipt)
            response.headers.append(("Location", "/v1/leads/\(receipt.id)"))
            return response
        },
        Route(
            method: "GET", path: "/v1/leads/{id}", operationID: "getLead", access: .role(.integration),
            summary: "What became of a lead", answers: [Route.answer(200, "the receipt", LeadReceipt.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Deals.getLead, GetLeadRequest(id: try ctx.id(), visibility: try await ctx.visibility())))
        },
        Route(
            method: "GET", path: "/v1/tasks", operationID: "listTasks", access: .role(.reader),
            summary: "Tasks (D4): open ones unless status says otherwise; mine=true for a staff token's own",
            query: ListTasksRequest.queryParameters,
            extraQuery: [Route.QueryParameter(name: "mine", kind: .boolean, description: "only the caller's tasks (needs a staff token)")],
            answers: [Route.answer(200, "tasks", TaskList.self)]
        ) { ctx in
            var request = try ctx.query(ListTasksRequest.self)
            var q = QueryReader(ctx.request.query)
            if q.bool("mine") == true {
                guard let staffID = ctx.staffID else {
                    throw UnacceptableValues(error: .invalidArgument("mine=true needs a staff token; an API key is nobody's", details: [FieldViolation(field: "mine", description: "needs a staff token")]))
                }
                request.assigneeID = staffID
            }
            if let error = q.failure() { throw error }
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.listTasks, request))
        },
        Route(
            method: "POST", path: "/v1/tasks", operationID: "createTask", access: .role(.integration),
            summary: "Create a task (D4) on a deal or a contact; 200 with the open task of the same kind already on the deal",
            body: DealTask.openAPIInputSchema, example: #"{"kind":"follow_up","dealId":1,"dueAt":"2026-12-24T09:00:00Z"}"#,
            answers: [Route.answer(201, "created", CreateTaskResponse.self, headers: ["Location"]), Route.answer(200, "the one already open", CreateTaskResponse.self)],
            errors: [404, 409, 422], idempotencyKey: true
        ) { ctx in
            var task = try ctx.body(DealTask.self)
            if task.assigneeID == nil, let staffID = ctx.staffID, task.dealID == nil { task.assigneeID = staffID }
            task.visibility = try await ctx.visibility()
            let reply = try await ctx.call(Deals.createTask, task)
            var response = Reply.json(reply.existing ? 200 : 201, reply)
            response.headers.append(("Location", "/v1/tasks/\(reply.task.id)"))
            return response
        },
        Route(
            method: "POST", path: "/v1/tasks/{id}/complete", operationID: "completeTask", access: .role(.integration),
            summary: "Mark a task done (the default) or cancelled", body: CompleteTaskRequest.openAPIInputSchema, bodyRequired: false, example: #"{"status":"done"}"#,
            answers: [Route.answer(200, "the task", DealTask.self)], errors: [404, 409]
        ) { ctx in
            var request = try ctx.optionalBody(CompleteTaskRequest.self)
            request.id = try ctx.id()
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.completeTask, request))
        },
        Route(
            method: "POST", path: "/v1/tasks/{id}/reschedule", operationID: "rescheduleTask", access: .role(.integration),
            summary: "Move an open task to a new due time (D4, issue 26); the earlier one stays in its reschedules with who moved it and why",
            body: RescheduleTaskRequest.openAPIInputSchema, example: #"{"dueAt":"2027-01-20T09:00:00Z","reason":"the client is away"}"#,
            answers: [Route.answer(200, "the task", DealTask.self)], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(RescheduleTaskRequest.self)
            request.id = try ctx.id()
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.rescheduleTask, request))
        },
    ]
}
