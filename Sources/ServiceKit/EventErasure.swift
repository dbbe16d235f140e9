import Contracts
import Storage

/// C8: a person's data in the events a service keeps (its outbox, parked events and
/// timers, in every file it publishes from), erased as a person's erasure asks. It knows
/// the subscribers configured, so an event some subscriber still has to apply is left
/// until it has (``Database/eraseEvents(holding:aggregates:subscribers:)``).
public struct EventErasure: Sendable {
    let databases: @Sendable () -> [Database]
    let subscribers: [(name: String, types: Set<String>?)]

    /// None: for a service hosted without events (a unit test's).
    public static let none = EventErasure(databases: { [] }, subscribers: [])

    init(databases: @escaping @Sendable () -> [Database], subscribers: [(name: String, types: Set<String>?)]) {
        self.databases = databases
        self.subscribers = subscribers
    }

    /// Erases what holds any of `needles` or is about one of `aggregates`. Once nothing
    /// waits (the erasure's last attempt), folds the write-ahead log into each file, so no
    /// copy of the old bytes, the service's own erased rows' included, stays beside it; an
    /// attempt that will be repeated leaves that to the last. Returns the records erased and
    /// the events still waiting for a subscriber.
    public func erase(holding needles: [String], aggregates: [String]) async throws -> (erased: Int64, waiting: Int64) {
        var erased: Int64 = 0, waiting: Int64 = 0
        let all = databases()
        for database in all {
            let found = try await database.eraseEvents(holding: needles, aggregates: aggregates, subscribers: subscribers)
            erased += Int64(found.erased)
            waiting += Int64(found.waiting)
        }
        if waiting == 0 { for database in all { try await database.checkpoint() } }
        return (erased, waiting)
    }

    /// A service's erasure step ends here: its `counts`, and the events holding the
    /// request's phones and emails or about `aggregates` erased (counted as `events`).
    public func report(_ counts: [String: Int64], for request: ErasePersonRequest, aggregates: [String]) async throws -> ErasureReport {
        let found = try await erase(holding: request.needles, aggregates: aggregates)
        return ErasureReport(counts.merging(["events": found.erased]) { $0 + $1 }, waiting: found.waiting)
    }
}
