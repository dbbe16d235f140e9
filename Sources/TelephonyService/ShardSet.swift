import Contracts
import Foundation
import ServiceKit
import Storage
import Synchronization
import Wire

/// The shards this replica owns (T12), each its own SQLite file under the data folder
/// (`shard-07.sqlite`), opened on first use. A request for a shard another replica owns
/// is refused with failed_precondition naming the owner, so a caller with a stale
/// replica list learns where to go.
public final class ShardSet: BackgroundService {
    public let replica: String
    public let replicas: [String]
    public let shards: CallShard
    let folder: String
    let windowMilliseconds: Int64
    let clock: WallClock
    private let open = Mutex<[Int: CallStore]>([:])

    public init(replica: String, replicas: [String], shards: CallShard, folder: String, windowMilliseconds: Int64, clock: WallClock) {
        self.replica = replica
        self.replicas = replicas
        self.shards = shards
        self.folder = folder
        self.windowMilliseconds = windowMilliseconds
        self.clock = clock
    }

    /// The shards this replica owns.
    public var owned: [Int] { shards.shards(ownedBy: replica, replicas: replicas) }

    /// Opens every owned shard now (the host relays each one's outbox from the start).
    public func openOwned() throws -> [(shard: Int, database: Database)] {
        try owned.map { ($0, try store($0).database) }
    }

    /// The store of `shard`, refusing one this replica does not own.
    public func store(_ shard: Int) throws -> CallStore {
        guard (0..<shards.count).contains(shard) else { throw RPCError.notFound("there is no shard \(shard)") }
        let owner = shards.owner(of: shard, replicas: replicas).map { replicas[$0] } ?? ""
        guard owner == replica else {
            throw RPCError(.failedPrecondition, "shard \(shard) belongs to \(owner), not \(replica): route by the replica list")
        }
        return try open.withLock { stores in
            if let store = stores[shard] { return store }
            var configuration = Database.Configuration()
            configuration.readers = 1
            // Many files: a small page cache each keeps a replica's memory down (T12).
            configuration.cacheKibibytes = 256
            let database = try Database(
                path: "\(folder)/shard-\(String(format: "%02d", shard)).sqlite", migrations: TelephonySchema.shardMigrations, configuration: configuration)
            let store = CallStore(shard: shard, database: database, windowMilliseconds: windowMilliseconds, clock: clock)
            stores[shard] = store
            return store
        }
    }

    public func start() {}

    /// Checkpoints and closes the open shard files; the host calls it after the last call.
    public func stop() async {
        for store in open.withLock({ Array($0.values) }) { try? await store.database.close() }
    }
}
