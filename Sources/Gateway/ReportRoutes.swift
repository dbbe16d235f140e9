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
            let header = [
                report.groupBy.name, "leads", "low_quality", "low_quality_share", "attempted", "offers", "won", "offer_rate", "won_rate",
                "first_attempt_median_seconds", "first_attempt_p90_seconds", "claims", "active_hours", "claims_per_hour", "talk_seconds",
                "no_answer", "busy", "callbacks", "offers_made", "refused", "invalid",
            ]
            var total = report.total
            total.value = "total"
            return try await CSVExport.response(file: "leads-\(report.from)-\(report.to).csv", header: header, what: "rows", limit: Int.max) { _ in
                (report.rows.map(line) + [line(total)], "")
            }
        },
    ]

    static func report(_ ctx: RequestContext) async throws -> LeadReport {
        if let visibility = try await ctx.visibility(), visibility.restricted {
            throw RPCError(.permissionDenied, "reports cover every lead; this staff token sees only its own deals")
        }
        return try await ctx.call(Deals.leadReport, try ctx.query(LeadReportRequest.self))
    }

    static func line(_ r: LeadReportRow) -> [String] {
        [r.value, String(r.leads), String(r.lowQuality), String(r.lowQualityShare), String(r.attempted), String(r.offers), String(r.won),
         String(r.offerRate), String(r.wonRate), r.firstAttemptMedianSeconds.map(String.init) ?? "", r.firstAttemptP90Seconds.map(String.init) ?? "",
         String(r.claims), String(r.activeHours), String(r.claimsPerHour), String(r.talkSeconds), String(r.noAnswer), String(r.busy),
         String(r.callbacks), String(r.offersMade), String(r.refused), String(r.invalid)]
    }
}
