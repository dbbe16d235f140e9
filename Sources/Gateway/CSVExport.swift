import Contracts
import Foundation
import HTTP
import Wire

/// A CSV download (C6, G3 exports): every page a list gives, refused past a limit so
/// one request cannot take the whole database; its lines are ``CSVText``'s.
enum CSVExport {
    /// `next(cursor)` gives a page of rows and the cursor after it ("" on the last).
    static func response(
        file: String, header: [String], what: String, limit: Int, next: (String) async throws -> (rows: [[String]], cursor: String)
    ) async throws -> HTTPResponse {
        var csv = header.joined(separator: ",") + "\r\n"
        var count = 0
        var cursor = ""
        while true {
            let page = try await next(cursor)
            for row in page.rows { csv += CSVText.line(row) }
            count += page.rows.count
            guard !page.cursor.isEmpty else { break }
            guard count < limit else { throw RPCError(.resourceExhausted, "more than \(limit) \(what) match; narrow the filters") }
            cursor = page.cursor
        }
        return HTTPResponse(
            status: 200, headers: [("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", "attachment; filename=\"\(file)\"")],
            body: Array(csv.utf8))
    }
}
