import Contracts

/// G3 on the deals side: a restricted caller sees only deals and tasks whose
/// responsible or assignee is one of its staff ids; nobody's (nil) is visible only to
/// unrestricted callers.
extension Visibility {
    public static func only(_ staffIDs: [Int64]) -> Visibility {
        var v = Visibility()
        v.restricted = true
        v.staffIDs = staffIDs
        return v
    }

    public func allows(_ staffID: Int64?) -> Bool {
        guard restricted else { return true }
        guard let staffID else { return false }
        return staffIDs.contains(staffID)
    }

    /// An SQL condition on `column` (and its values) that keeps only visible rows.
    func sqlCondition(_ column: String) -> (sql: String, values: [Int64]) {
        guard restricted else { return ("1", []) }
        guard !staffIDs.isEmpty else { return ("0", []) }
        return ("\(column) IN (\(staffIDs.map { _ in "?" }.joined(separator: ",")))", staffIDs)
    }
}

extension Optional where Wrapped == Visibility {
    /// An absent visibility is unrestricted: calls between services see everything.
    var resolved: Visibility { self ?? .everything }
}
