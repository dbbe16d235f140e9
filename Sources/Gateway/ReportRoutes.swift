import Contracts
import HTTP
import RPC
import Wire

/// D7's lead reports over a period, as JSON and as CSV (for a spreadsheet). They cover
/// every lead: a staff member who sees only their own deals (G3) gets none.
enum ReportRoutes {
    static let all: [Route] = [
        Route(
            method: "GET", path: "/v1/reports/leads", operationID: "leadReport", access: .role(.reader),
            summary: "Leads and conversion over report days, grouped by partner, operator, source, geography or product (D7)",
            query: LeadReportRequest.queryParameters,
            answers: [Route.answer(200, "one row per group and the total", LeadReport.self)], errors: [403]
        ) { ctx in
            Reply.json(200, try await report(ctx))
        },
        Route(
            method: "GET", path: "/v1/reports/leads.csv", operationID: "leadReportCSV", access: .role(.reader),
            summary: "The lead report (as GET /v1/reports/leads) as CSV: one line per group, then the total",
            query: LeadReportRequest.queryParameters,
            answers: [Route.Answer(status: 200, description: "CSV", content: .csv)], errors: [403]
        ) { ctx in
            let report = try await report(ctx)
            return try await csv(report, file: "leads-\(report.from)-\(report.to).csv")
        },
        Route(
            method: "GET", path: "/v1/reports/attribution", operationID: "attributionReport", access: .role(.reader),
            summary: """
                Which advertising brings calls, leads, deals and money (issue 26, 002): by channel, utm source, medium, campaign \
                or tracking number over report days, with conversion, first response, ad spend, cost per lead and won deal, return on spend
                """,
            query: AttributionRequest.queryParameters,
            answers: [Route.answer(200, "one row per group and the total", AttributionReport.self)], errors: [403, 422]
        ) { ctx in
            Reply.json(200, try await attribution(ctx))
        },
        Route(
            method: "GET", path: "/v1/reports/attribution.csv", operationID: "attributionReportCSV", access: .role(.reader),
            summary: "The attribution report (as GET /v1/reports/attribution) as CSV: one line per group, then the total",
            query: AttributionRequest.queryParameters,
            answers: [Route.Answer(status: 200, description: "CSV", content: .csv)], errors: [403, 422]
        ) { ctx in
            let report = try await attribution(ctx)
            return try await csv(report, file: "attribution-\(report.from)-\(report.to).csv")
        },
        Route(
            method: "GET", path: "/v1/reports/managers", operationID: "managerReport", access: .role(.reader),
            summary: """
                Each manager's period (issue 26, 000, 004): deals won and lost, conversion, revenue, calls made and answered, \
                talk time, tasks on time and overdue, leads and the median first response; a manager sees their team only (G3)
                """,
            query: ManagerReportRequest.queryParameters,
            answers: [Route.answer(200, "one row per staff member and the total", ManagerReport.self)], errors: [422]
        ) { ctx in
            Reply.json(200, try await managers(ctx))
        },
        Route(
            method: "GET", path: "/v1/reports/nps", operationID: "npsReport", access: .role(.reader),
            summary: """
                NPS of the deals won in a period (issue 26, 000) by pipeline, responsible, product or a custom field: the \
                scores' distribution, promoters − detractors, the comments; only the deals the caller sees (G3)
                """,
            query: NPSRequest.queryParameters,
            answers: [Route.answer(200, "one row per group and the total", NPSReport.self)], errors: [422]
        ) { ctx in
            var request = try ctx.query(NPSRequest.self)
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Deals.npsReport, request))
        },
        Route(
            method: "PUT", path: "/v1/ad-spend", operationID: "putAdSpend", access: .role(.admin),
            summary: "What a campaign (its utm_campaign) cost in a month (issue 26): replaced; 0 clears it",
            body: AdSpend.openAPIInputSchema, example: #"{"campaign":"winter-sale","month":"2027-01","currency":"RUB","amountMinor":15000000}"#,
            answers: [Route.answer(200, "as kept", AdSpend.self)], errors: [422]
        ) { ctx in
            Reply.json(200, try await ctx.call(Deals.putAdSpend, try ctx.body(AdSpend.self)))
        },
        Route(
            method: "POST", path: "/v1/ad-spend/import", operationID: "importAdSpend", access: .role(.admin),
            summary: "Ad spend from a spreadsheet (issue 26): {\"csv\": \"campaign,month,currency,amount\\n...\"}; all lines taken or none",
            body: AdSpendImport.openAPIInputSchema, example: #"{"csv":"campaign,month,currency,amount\nwinter-sale,2027-01,RUB,150000.00\n"}"#,
            answers: [Route.answer(200, "the entries as kept", AdSpendList.self)], errors: [422]
        ) { ctx in
            Reply.json(200, try await ctx.call(Deals.importAdSpend, try ctx.body(AdSpendImport.self)))
        },
        Route(
            method: "GET", path: "/v1/ad-spend", operationID: "listAdSpend", access: .role(.reader),
            summary: "Ad spend entered, by month and campaign (issue 26)", query: AdSpendRequest.queryParameters,
            answers: [Route.answer(200, "the entries", AdSpendList.self)], errors: [403]
        ) { ctx in
            try await requireEverything(ctx)
            return Reply.json(200, try await ctx.call(Deals.listAdSpend, try ctx.query(AdSpendRequest.self)))
        },
    ]

    /// Reports cover everyone's leads and money: a staff member who sees only their team's deals (G3) gets none.
    static func requireEverything(_ ctx: RequestContext) async throws {
        if let visibility = try await ctx.visibility(), visibility.restricted {
            throw RPCError(.permissionDenied, "reports cover every lead; this staff token sees only its own deals")
        }
    }

    static func report(_ ctx: RequestContext) async throws -> LeadReport {
        try await requireEverything(ctx)
        return try await ctx.call(Deals.leadReport, try ctx.query(LeadReportRequest.self))
    }

    /// The deals figures, with each member's calls from every telephony replica over the same
    /// period (G3 applied there too); a replica not answering leaves the calls out and says so.
    static func managers(_ ctx: RequestContext) async throws -> ManagerReport {
        var request = try ctx.query(ManagerReportRequest.self)
        request.visibility = try await ctx.visibility()
        var report = try await ctx.call(Deals.managerReport, request)
        guard let replicas = try? ctx.api.telephonyReplicas(), let from = CivilDate(parsing: report.from), let to = CivilDate(parsing: report.to) else {
            report.partial = true
            return report
        }
        let offset = report.utcOffsetMinutes * 60_000
        var calls = CallStatsRequest(fromMilliseconds: from.day * 86_400_000 - offset, toMilliseconds: (to.day + 1) * 86_400_000 - offset)
        calls.visibility = request.visibility
        guard let stats = try? await ctx.callEvery(Telephony.stats, calls, of: replicas).reduce(CallStats(), { $0.adding($1) }) else {
            report.partial = true
            return report
        }
        let visible = request.visibility.flatMap { $0.restricted ? Set($0.staffIDs) : nil }
        var rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.staffID, $0) })
        for load in stats.load where visible?.contains(load.staffID) ?? true {
            var r = rows[load.staffID] ?? ManagerFigures(staffID: load.staffID)
            (r.callsMade, r.callsAnswered, r.talkSeconds) = (load.made, load.answered, load.talkSeconds)
            rows[load.staffID] = r
            report.total.callsMade += load.made
            report.total.callsAnswered += load.answered
            report.total.talkSeconds += load.talkSeconds
        }
        report.rows = rows.values.sorted { $0.staffID < $1.staffID }
        return report
    }

    static func attribution(_ ctx: RequestContext) async throws -> AttributionReport {
        try await requireEverything(ctx)
        return try await ctx.call(Deals.attributionReport, try ctx.query(AttributionRequest.self))
    }

    /// A report as CSV: its table, one line per group, the total last.
    static func csv(_ report: some ReportTable, file: String) async throws -> HTTPResponse {
        try await CSVExport.response(file: file, header: report.tableHeader, what: "rows", limit: Int.max) { _ in
            (report.tableRows, "")
        }
    }
}
