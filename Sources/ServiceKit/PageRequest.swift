import Wire

/// The one page-size rule for every list a service answers: a size of 0 takes the
/// list's default, anything else must be 1...maximum; the cursor is a ``PageCursor``.
/// Errors name the gateway's query parameters (`limit`, `cursor`), which a person sent.
public struct PageRequest: Sendable, Equatable {
    public let limit: Int
    /// Ids after this one (0: from the start).
    public let afterID: Int64

    public init(size: Int64, cursor: String = "", default defaultSize: Int, maximum: Int) throws(RPCError) {
        let limit = size == 0 ? defaultSize : Int(clamping: size)
        guard (1...maximum).contains(limit) else {
            throw .invalidArgument("limit must be 1 to \(maximum)", details: [FieldViolation(field: "limit", description: "is \(size); must be 1 to \(maximum)")])
        }
        var after: Int64 = 0
        if !cursor.isEmpty {
            guard let id = PageCursor.decode(cursor) else {
                throw .invalidArgument("cursor was not issued by this service", details: [FieldViolation(field: "cursor", description: "is not a cursor this list gave")])
            }
            after = id
        }
        self.limit = limit
        self.afterID = after
    }

    /// Of `fetched` (asked for `limit + 1`), the page and the cursor to the next one.
    public func page<Item>(_ fetched: [Item], id: (Item) -> Int64) -> (items: [Item], nextCursor: String) {
        let items = Array(fetched.prefix(limit))
        guard fetched.count > limit, let last = items.last else { return (items, "") }
        return (items, PageCursor.encode(afterID: id(last)))
    }
}
