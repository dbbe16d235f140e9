/// CSV as every export and emailed report writes it, declared once: RFC 4180 lines
/// ending in CRLF, fields quoted when they must be, and a leading =, +, -, @, TAB or CR
/// prefixed so spreadsheets do not run it (OWASP's CSV injection list: Excel skips a
/// leading TAB or CR and reads the formula behind it); a plain negative amount such as
/// -2300.00 is a number, left as it is.
public enum CSVText {
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// The header line (written as given) and the rows.
    public static func document(header: [String], rows: [[String]]) -> String {
        header.joined(separator: ",") + "\r\n" + rows.map(line).joined()
    }

    public static func field(_ value: String) -> String {
        var v = value
        if let first = v.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isNegativeNumber(v) { v = "'" + v }
        // By scalar: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard v.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacing("\"", with: "\"\"") + "\""
    }

    static func isNegativeNumber(_ v: String) -> Bool {
        let parts = v.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        return v.hasPrefix("-") && (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }
    }
}
