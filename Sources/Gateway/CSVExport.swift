import Foundation
import HTTP
import Wire

/// A CSV download (C6, G3 exports): every page a list gives, refused past a limit so
/// one request cannot take the whole database.
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
            for row in page.rows { csv += row.map(field).joined(separator: ",") + "\r\n" }
            count += page.rows.count
            guard !page.cursor.isEmpty else { break }
            guard count < limit else { throw RPCError(.resourceExhausted, "more than \(limit) \(what) match; narrow the filters") }
            cursor = page.cursor
        }
        return HTTPResponse(
            status: 200, headers: [("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", "attachment; filename=\"\(file)\"")],
            body: Array(csv.utf8))
    }

    /// RFC 4180 quoting; a leading =, +, -, @, TAB or CR is prefixed so spreadsheets do
    /// not run it (OWASP's CSV injection list: Excel skips a leading TAB or CR and reads the
    /// formula behind it); a plain negative amount such as -2300.00 is a number, left as it is.
    static func field(_ value: String) -> String {
        var v = value
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isNegativeNumber(v) { v = "'" + v }
        // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard v.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func isNegativeNumber(_ v: String) -> Bool {
        let parts = v.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        return v.hasPrefix("-") && (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }
    }
}
