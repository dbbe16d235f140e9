import Wire

/// A read of many things by id (`Deals.GetDeals`, `Contacts.GetContacts`): how many one
/// call may ask for, declared once for the services that answer and the callers that
/// split their lists to fit.
public enum BatchRead {
    /// Most ids one call takes (invalid_argument beyond).
    public static let limit = 500

    /// The ids a batch reads: each once, in the order asked; more than ``limit`` is
    /// refused naming `ids`, as `what` ("deals") says.
    public static func ids(_ ids: [Int64], of what: String) throws(RPCError) -> [Int64] {
        guard ids.count <= limit else {
            throw RPCError.invalidArgument("ask for at most \(limit) \(what) at once", details: [FieldViolation(field: "ids", description: "has \(ids.count) entries")])
        }
        var seen = Set<Int64>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// `ids`, each once and sorted, in calls of at most ``limit``.
    public static func calls(_ ids: [Int64]) -> [[Int64]] {
        let unique = Array(Set(ids)).sorted()
        return stride(from: 0, to: unique.count, by: limit).map { Array(unique[$0..<min($0 + limit, unique.count)]) }
    }
}
