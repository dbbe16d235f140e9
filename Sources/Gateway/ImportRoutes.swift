import Contracts
import Foundation
import HTTP
import RPC
import Wire

/// G7 (issue 28): moving in and out. An admin sends a file of import rows (NDJSON, or CSV
/// of one kind), in parts when it is large; the gateway keeps it and imports it in the
/// background, and `GET /v1/imports/{id}` says how far it got. `GET /v1/exports/account`
/// writes everything back in the same rows.
enum ImportRoutes {
    static let mediaTypes = ["application/x-ndjson", "text/csv"]

    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/imports", operationID: "startImport", access: .role(.admin),
            summary: """
                Imports a file of rows from the system a business leaves (G7): NDJSON, one ImportRow a line, or CSV of one `kind` \
                with a header naming the row's fields. Rows are kept by (source, externalId): importing again updates. Contacts go \
                through match-or-create (C2). Up to 8 MiB a request (none: an empty start): with `more`, send the rest to \
                POST /v1/imports/{id}/parts. \
                The import runs in the background; follow it at GET /v1/imports/{id}
                """,
            query: NewImport.queryParameters, bodyRequired: false, upload: mediaTypes,
            answers: [Route.answer(202, "the import, queued (or receiving, with more)", ImportJob.self, headers: ["Location"])],
            errors: [413, 422, 503], idempotencyKey: true
        ) { ctx in
            let jobs = try ctx.api.importJobs()
            let request = try ctx.query(NewImport.self)
            guard let format = format(ctx) else { return unsupported(ctx) }
            if format == .csv && request.kind == .unspecified {
                throw UnacceptableValues(error: .invalidArgument("a CSV import says what its rows are", details: [FieldViolation(field: "kind", description: "is required for CSV")]))
            }
            let job = try await jobs.create(request, format: format, by: ctx.actor, firstPart: ctx.request.body)
            if job.state == .queued { ctx.api.importRunner?.wake() }
            var response = Reply.json(202, job)
            response.headers.append(("Location", "/v1/imports/\(job.id)"))
            return response
        },
        Route(
            method: "POST", path: "/v1/imports/{id}/parts", operationID: "addImportPart", access: .role(.admin),
            summary: """
                The next part of an import's file (G7), in the media type of its first; the last part (without `more`) starts it. \
                409 when the import has its whole file already
                """,
            query: ImportPart.queryParameters, bodyRequired: false, upload: mediaTypes,
            answers: [Route.answer(202, "the import", ImportJob.self)], errors: [404, 409, 413, 503]
        ) { ctx in
            let jobs = try ctx.api.importJobs()
            let more = try ctx.query(ImportPart.self).more
            guard let existing = try await jobs.get(try ctx.id()) else { throw RPCError.notFound("import \(try ctx.id()) does not exist") }
            guard let format = format(ctx) else { return unsupported(ctx) }
            guard format == existing.format else {
                throw RPCError(.failedPrecondition, "import \(existing.id) is \(existing.format.name): send its parts as such")
            }
            guard existing.bytesReceived + Int64(ctx.request.body.count) <= ImportJobs.maximumFileBytes else {
                return Problem.response(
                    status: 413, title: "Content Too Large", detail: "an import's file is at most \(ImportJobs.maximumFileBytes) bytes", requestID: ctx.requestID)
            }
            let job = try await jobs.append(existing.id, ctx.request.body, more: more)
            if job.state == .queued { ctx.api.importRunner?.wake() }
            return Reply.json(202, job)
        },
        Route(
            method: "GET", path: "/v1/imports/{id}", operationID: "getImport", access: .role(.admin),
            summary: "An import and how far it got (G7): rows read, created, updated, matched and refused, with the first refused rows' lines and fields",
            answers: [Route.answer(200, "the import", ImportJob.self)], errors: [404, 503]
        ) { ctx in
            guard let job = try await ctx.api.importJobs().get(try ctx.id()) else { throw RPCError.notFound("import \(try ctx.id()) does not exist") }
            return Reply.json(200, job)
        },
        Route(
            method: "GET", path: "/v1/imports", operationID: "listImports", access: .role(.admin),
            summary: "The latest 50 imports, newest first (G7)",
            answers: [Route.answer(200, "the imports", ImportJobList.self)], errors: [503]
        ) { ctx in
            Reply.json(200, ImportJobList(imports: try await ctx.api.importJobs().list()))
        },
        Route(
            method: "POST", path: "/v1/imports/{id}/cancel", operationID: "cancelImport", access: .role(.admin),
            summary: "Stops an import that has not finished (G7); what it kept stays. 409 when it is done or cancelled already",
            answers: [Route.answer(200, "the import, cancelled", ImportJob.self)], errors: [404, 409, 503]
        ) { ctx in
            Reply.json(200, try await ctx.api.importJobs().cancel(try ctx.id()))
        },
        Route(
            method: "GET", path: "/v1/exports/account", operationID: "exportAccount", access: .role(.admin),
            summary: """
                Everything the account holds as import rows (G7), NDJSON, streamed: staff, contacts, pipelines, deals, tasks, \
                notes and timeline entries, keyed by their ids here (source `switchboard`); imported into an empty system it gives \
                the same data. Each export is recorded with who asked
                """,
            answers: [Route.Answer(status: 200, description: "NDJSON, one ImportRow a line", content: .file(["application/x-ndjson"]))], errors: [503]
        ) { ctx in
            try await AccountExport.response(ctx)
        },
    ]

    /// The file's format from its media type (none said: NDJSON, the import's own); nil for any other.
    static func format(_ ctx: RequestContext) -> ImportFormat? {
        guard let header = ctx.request.header("Content-Type") else { return .ndjson }
        let type = header.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "application/x-ndjson": return .ndjson
        case "text/csv": return .csv
        default: return nil
        }
    }

    static func unsupported(_ ctx: RequestContext) -> HTTPResponse {
        Problem.response(
            status: 415, title: "Unsupported Media Type",
            detail: "send the file as Content-Type: \(mediaTypes.joined(separator: " or ")), not \(ctx.request.header("Content-Type").map { "\"\($0.prefix(100))\"" } ?? "none")",
            requestID: ctx.requestID, headers: [("Accept", mediaTypes.joined(separator: ", "))])
    }
}

extension GatewayAPI {
    func importJobs() throws(RPCError) -> ImportJobs {
        guard let imports else { throw RPCError(.unavailable, "this gateway takes no imports (it runs without a data folder)") }
        return imports
    }
}
