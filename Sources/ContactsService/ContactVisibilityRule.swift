import Contracts

/// G3 on contacts: a restricted caller (a staff token) sees a contact its team is
/// responsible for, and the shared pool of contacts nobody is responsible for yet (new
/// callers, web leads) so that anyone can find and take a client; never a contact
/// another staff member is responsible for. (The gateway also lets a caller read the
/// contact of a deal it sees.) A hidden contact answers as a missing one.
extension Visibility {
    public func seesContact(responsibleID: Int64?) -> Bool {
        guard restricted, let responsibleID else { return true }
        return staffIDs.contains(responsibleID)
    }

    /// The same rule as an SQL condition on `column`, with its values.
    public func contactCondition(_ column: String) -> (sql: String, values: [Int64]) {
        guard restricted else { return ("1", []) }
        guard !staffIDs.isEmpty else { return ("\(column) IS NULL", []) }
        return ("(\(column) IS NULL OR \(column) IN (\(staffIDs.map { _ in "?" }.joined(separator: ","))))", staffIDs)
    }
}


extension Optional where Wrapped == Visibility {
    /// Absent: unrestricted (calls between services).
    var resolved: Visibility { self ?? Visibility() }
}
