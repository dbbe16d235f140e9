import Foundation

/// An `application/x-www-form-urlencoded` body as name → value (`+` is a space, `%XX`
/// a byte). PHP-style names keep their brackets (`additional_call_data[dst]`): the
/// adapters look both ways. A name given twice keeps its last value.
enum FormBody {
    static func parse(_ body: [UInt8]) -> [String: String]? {
        pairs(body).map { Dictionary($0, uniquingKeysWith: { _, last in last }) }
    }

    /// Every name and value in order, repeated names included (`data[]=a&data[]=b`).
    static func pairs(_ body: [UInt8]) -> [(String, String)]? {
        guard let text = String(bytes: body, encoding: .utf8) else { return nil }
        var out: [(String, String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), !name.isEmpty else { return nil }
            guard let value = parts.count > 1 ? decode(parts[1]) : "" else { return nil }
            out.append((name, value))
        }
        return out
    }

    static func decode(_ s: Substring) -> String? {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
