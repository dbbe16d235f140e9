import Storage
import Synchronization

/// A database whose outbox the host relays to the service's subscribers (P2). The
/// service's own database is the first, named `main`; a service that keeps more files
/// (telephony's shards, T12) adds each, so an event still commits with its change.
public struct EventSource: Sendable {
    public let name: String
    public let database: Database
    /// Its relays, one per subscriber.
    public let relays: [OutboxRelay]

    /// Parked-event ids as the admin sees them: the source's index in the high bits, so
    /// ids from different files never collide and `main`'s stay as they are.
    static let idBits: Int64 = 40

    static func globalID(source: Int, local: Int64) -> Int64 { Int64(source) << idBits | local }

    static func split(_ id: Int64) -> (source: Int, local: Int64) {
        (Int(id >> idBits), id & ((1 << idBits) - 1))
    }
}

/// The extra databases a service's setup asks the host to publish events from.
final class EventSourceList: Sendable {
    private let entries = Mutex<[(name: String, database: Database)]>([])

    func add(_ name: String, _ database: Database) { entries.withLock { $0.append((name, database)) } }

    var all: [(name: String, database: Database)] { entries.withLock { $0 } }
}
