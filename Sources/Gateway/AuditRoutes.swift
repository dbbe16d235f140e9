import Contracts
import HTTP
import JSON
import RPC
import ServiceKit
import Wire

/// P5 (issue 29): the audit log, for admins: who changed or exported what, and who was
/// refused, filtered by who, what and when; as CSV; and the check of its hash chain.
enum AuditRoutes {
    static let all: [Route] = [
        Route(
            method: "GET", path: "/v1/admin/audit", operationID: "listAudit", access: .role(.admin),
            summary: "Audit entries, newest first (P5): changes, exports and refusals, filtered by who, what and when",
            query: AuditQuery.queryParameters, answers: [Route.answer(200, "a page", AuditPage.self)], errors: [422, 503]
        ) { ctx in
            Reply.json(200, try await ctx.api.auditLog().page(try ctx.query(AuditQuery.self)))
        },
        Route(
            method: "GET", path: "/v1/admin/audit.csv", operationID: "exportAudit", access: .role(.admin),
            summary: "The audit entries the filters of GET /v1/admin/audit pick, every page, as CSV (formulas defused)",
            query: AuditQuery.queryParameters.filter { !$0.hasSuffix(".limit") && !$0.hasSuffix(".cursor") },
            answers: [Route.Answer(status: 200, description: "CSV", content: .csv)], errors: [422, 503]
        ) { ctx in
            let log = try ctx.api.auditLog()
            var template = try ctx.query(AuditQuery.self)
            template.pageSize = 500
            let header = ["id", "at", "action", "credential_id", "role", "staff_id", "address", "method", "route", "path", "entity", "entity_id", "status",
                          "request_id", "before", "after", "hash"]
            return try await CSVExport.response(file: "audit.csv", header: header, what: "entries", limit: Int.max) { cursor in
                var query = template
                query.cursor = cursor
                let page = try await log.page(query)
                let rows = page.entries.map { e -> [String] in
                    [String(e.id), RFC3339.format(milliseconds: e.atMilliseconds), e.action.name, e.credentialID.map { String($0) } ?? "", e.role,
                     e.staffID.map { String($0) } ?? "", e.address, e.method, e.route, e.path, e.entity, e.entityID, String(e.status), e.requestID,
                     e.before, e.after, e.hash]
                }
                return (rows, page.nextCursor)
            }
        },
        Route(
            method: "GET", path: "/v1/admin/audit/verification", operationID: "verifyAudit", access: .role(.admin),
            summary: "Checks the audit log's hash chain from the oldest entry kept: intact, or the first entry that does not hold",
            answers: [Route.answer(200, "the check", AuditVerification.self)], errors: [503]
        ) { ctx in
            Reply.json(200, try await ctx.api.auditLog().verify())
        },
    ]
}

extension GatewayAPI {
    func auditLog() throws(RPCError) -> AuditLog {
        guard let audit else { throw RPCError(.unavailable, "this gateway keeps no audit log (it runs without a data folder)") }
        return audit
    }
}
