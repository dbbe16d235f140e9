import Contracts
import Foundation
import HTTP
import RPC
import ServiceKit
import Wire

/// G7: `GET /v1/exports/account`, every entity of the account as import rows, a page at a
/// time from the service that keeps it, written as the client reads (memory stays flat).
/// The order is the one an import needs: what a row names comes before it.
enum AccountExport {
    static let order: [(kind: ImportKind, service: String)] = [
        (.staff, Contacts.service), (.contact, Contacts.service), (.pipeline, Deals.service), (.deal, Deals.service),
        (.task, Deals.service), (.note, Deals.service), (.activity, Deals.service),
    ]
    static let pageRows: Int64 = 500

    static func response(_ ctx: RequestContext) async throws -> HTTPResponse {
        let jobs = try ctx.api.importJobs()
        // Both services answer before a byte is sent: one that is down is a 503, not a cut file.
        let contacts = ctx.api.services.client(for: Contacts.service), deals = ctx.api.services.client(for: Deals.service)
        _ = try await contacts.call(Contacts.exportRecords, ExportRequest(kind: .staff, limit: 1), options: ctx.options)
        _ = try await deals.call(Deals.exportRecords, ExportRequest(kind: .pipeline, limit: 1), options: ctx.options)
        try await jobs.recordExport(by: SetupLog.Author(staffID: ctx.staffID, credentialID: ctx.credentialID), actor: ctx.actor)
        let logger = ctx.api.logger
        var response = HTTPResponse(status: 200, headers: [
            ("Content-Type", "application/x-ndjson"), ("Cache-Control", "no-store"),
            ("Content-Disposition", "attachment; filename=\"switchboard-account.ndjson\""),
        ])
        response.stream = { stream in
            defer { stream.finish() }
            for (kind, service) in order {
                var after: Int64 = 0
                repeat {
                    let request = ExportRequest(kind: kind, afterID: after, limit: pageRows)
                    let page: ExportPage
                    do {
                        let options = CallOptions(timeout: .seconds(30))
                        page = service == Contacts.service
                            ? try await contacts.call(Contacts.exportRecords, request, options: options)
                            : try await deals.call(Deals.exportRecords, request, options: options)
                    } catch {
                        // The client sees a file without its last line: no complete export ends this way.
                        logger.error("account export cut short", ["kind": kind.name, "error": "\(error)"])
                        return
                    }
                    var bytes: [UInt8] = []
                    for row in page.rows {
                        // Fields left empty are left out: the line is what an import file would have.
                        bytes += row.jsonBytes
                        bytes.append(UInt8(ascii: "\n"))
                    }
                    guard await stream.send(bytes) else { return }
                    after = page.lastID
                } while after > 0
            }
        }
        return response
    }
}
