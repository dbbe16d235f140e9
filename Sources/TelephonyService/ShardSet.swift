import Contracts
import Digest
import FoundationEssentials
import Glibc
import RPC
import ServiceKit
import Storage
import Synchronization
import Wire

/// The shards this replica owns (T12), each its own SQLite file under the data folder
/// (`shard-07.sqlite`), opened on first use. A request for a shard another replica owns
/// is refused with failed_precondition naming the owner, so a caller with a stale
/// replica list learns where to go.
///
/// Hand-off, when a replica is added: the new replica, started with the new list, asks
/// each shard's owner by the old list to hand it over (``handOff(_:to:)``): that owner
/// stops writing it (refusing, naming the new owner; recorded in its own file, so a
/// restart keeps it so), copies the file consistently, and the new replica fetches the
/// copy in chunks, checks its SHA-256 and SQLite's integrity, and takes the shard with
/// its history and its outbox (its relay goes on from the stored positions).
public final class ShardSet: Sendable {
    public let replica: String
    public let replicas: [String]
    public let shards: CallShard
    let folder: String
    let windowMilliseconds: Int64
    let clock: WallClock
    let control: Database?
    /// How this deployment reads a number (C1): the shard of a call is its number's.
    public let numbers: CallNumber
    private let open = Mutex<[Int: CallStore]>([:])
    private let tops = Mutex<[Int: QueueTop]>([:])
    /// Shards handed to another replica, by the replica they went to.
    private let handedOff = Mutex<[Int: String]>([:])
    /// The shards the replica list gives this replica: fixed for the process, and asked on
    /// every operator's next (rendezvous hashing them each time was 2% of the dialer's CPU).
    private let assigned: [Int]

    public init(
        replica: String, replicas: [String], shards: CallShard, folder: String, windowMilliseconds: Int64, clock: WallClock, control: Database? = nil,
        numbers: CallNumber = CallNumber(phones: .fallback)
    ) {
        self.numbers = numbers
        self.replica = replica
        self.replicas = replicas
        self.shards = shards
        self.folder = folder
        self.windowMilliseconds = windowMilliseconds
        self.clock = clock
        self.control = control
        assigned = shards.shards(ownedBy: replica, replicas: replicas)
    }

    /// The shards this replica owns (not those it handed over).
    public var owned: [Int] {
        let gone = handedOff.withLock { $0 }
        return gone.isEmpty ? assigned : assigned.filter { gone[$0] == nil }
    }

    func path(_ shard: Int) -> String { "\(folder)/shard-\(shard.zeroPadded(to: 2)).sqlite" }
    func copyPath(_ shard: Int) -> String { "\(folder)/shard-\(shard.zeroPadded(to: 2)).handoff.sqlite" }

    /// Opens every owned shard now (the host relays each one's outbox from the start).
    public func openOwned() throws -> [(shard: Int, database: Database)] {
        try owned.map { ($0, try store($0).database) }
    }

    /// The store of `shard`, refusing one this replica does not own.
    public func store(_ shard: Int) throws -> CallStore {
        guard (0..<shards.count).contains(shard) else { throw RPCError.notFound("there is no shard \(shard)") }
        if let to = handedOff.withLock({ $0[shard] }) {
            throw RPCError(.failedPrecondition, "shard \(shard) belongs to \(to) now: route by the replica list")
        }
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
            configuration.now = clock.now
            let database = try Database(path: path(shard), migrations: TelephonySchema.shardMigrations, configuration: configuration)
            let store = CallStore(shard: shard, database: database, windowMilliseconds: windowMilliseconds, clock: clock)
            stores[shard] = store
            return store
        }
    }

    /// The dialing queue of `shard` (T10), in the shard's file.
    public func queue(_ shard: Int) throws -> QueueStore {
        let calls = try store(shard)
        let top = tops.withLock { tops in
            if let top = tops[shard] { return top }
            let top = QueueTop()
            calls.database.onCommit { _ in top.committed() }
            tops[shard] = top
            return top
        }
        return QueueStore(shard: shard, database: calls.database, gate: calls.gate, clock: clock, top: top)
    }

    // MARK: Hand-off

    /// Reads which shards this replica handed over (before serving).
    public func loadHandOffs() async throws {
        guard let control else { return }
        let rows = try await control.read { c in try c.query("SELECT shard, to_replica FROM handed_off", []) { ($0.int("shard"), $0.string("to_replica")) } }
        handedOff.withLock { map in for (shard, to) in rows { map[shard] = to } }
    }

    /// Stops writing `shard` and copies it for `to`, which owns it once it is in the list.
    public func handOff(_ shard: Int, to: String) async throws -> ShardCopy {
        guard let control else { throw RPCError(.failedPrecondition, "this replica keeps no record of hand-offs") }
        guard to != replica, !replicas.contains(to) || shards.owner(of: shard, replicas: replicas).map({ replicas[$0] }) == to else {
            throw RPCError.invalidArgument("\(to) cannot take shard \(shard)", details: [FieldViolation(field: "toReplica", description: "is \(to)")])
        }
        // By the list with the new replica in it, the shard must be the new one's.
        let widened = replicas.contains(to) ? replicas : replicas + [to]
        guard shards.owner(of: shard, replicas: widened).map({ widened[$0] }) == to else {
            throw RPCError(.failedPrecondition, "shard \(shard) does not move to \(to): with it in the list, it stays where it is")
        }
        if let already = handedOff.withLock({ $0[shard] }) {
            guard already == to else { throw RPCError(.failedPrecondition, "shard \(shard) was handed to \(already)") }
            return try Self.describe(copyPath(shard), shard: shard)
        }
        let store = try store(shard)
        let now = clock.milliseconds
        _ = try await control.write { tx in
            try tx.run("INSERT OR REPLACE INTO handed_off (shard, to_replica, at) VALUES (?, ?, ?)", [.integer(Int64(shard)), .text(to), .integer(now)])
        }
        store.gate.close(handingTo: to)
        handedOff.withLock { $0[shard] = to }
        // Every write that got in before the gate closed is committed past this point.
        _ = try await store.database.write { _ in }
        try await store.database.backup(to: copyPath(shard))
        return try Self.describe(copyPath(shard), shard: shard)
    }

    static func describe(_ path: String, shard: Int) throws -> ShardCopy {
        guard let data = FileManager.default.contents(atPath: path) else { throw RPCError(.failedPrecondition, "the copy of shard \(shard) is gone") }
        return ShardCopy(shard: Int64(shard), sizeBytes: Int64(data.count), sha256: Digest.Hex.encode(Digest.SHA256.digest(Array(data))))
    }

    public static let maxChunk = 1 << 20

    /// Part of the copy of a handed-off shard.
    public func chunk(_ request: ShardChunkRequest) throws -> ShardChunk {
        let shard = Int(request.shard)
        guard request.offset >= 0, (1...Int64(Self.maxChunk)).contains(request.length) else {
            throw RPCError.invalidArgument("a chunk is 1 to \(Self.maxChunk) bytes from offset 0 or more")
        }
        guard handedOff.withLock({ $0[shard] }) != nil, let data = try ShardCopyFile.read(copyPath(shard), offset: request.offset, length: Int(request.length)) else {
            throw RPCError.notFound("shard \(shard) was not handed off from here")
        }
        return ShardChunk(data: data)
    }

    /// For each shard this replica owns but has no file of, fetches it from its owner by
    /// the old list (`previous`: those replicas' clients by name). Before serving.
    public func takeOver(from previous: [String: RPCClient]) async throws -> [Int] {
        let oldNames = replicas.filter { previous[$0] != nil }
        var taken: [Int] = []
        for shard in owned where !FileManager.default.fileExists(atPath: path(shard)) {
            guard let index = shards.owner(of: shard, replicas: oldNames), let client = previous[oldNames[index]] else { continue }
            let options = CallOptions(timeout: .seconds(60))
            let copy = try await client.call(Telephony.handOffShard, HandOffRequest(shard: Int64(shard), toReplica: replica), options: options)
            let part = path(shard) + ".part"
            let out = try ShardCopyFile(creating: part)
            var offset: Int64 = 0
            while offset < copy.sizeBytes {
                let length = min(Int64(Self.maxChunk), copy.sizeBytes - offset)
                let chunk = try await client.call(Telephony.readShardChunk, ShardChunkRequest(shard: Int64(shard), offset: offset, length: length), options: options)
                guard !chunk.data.isEmpty else { break }
                try out.append(chunk.data)
                offset += Int64(chunk.data.count)
            }
            try out.finish()
            let got = try Self.describe(part, shard: shard)
            guard got.sizeBytes == copy.sizeBytes, got.sha256 == copy.sha256 else {
                try? FileManager.default.removeItem(atPath: part)
                throw RPCError(.dataLoss, "shard \(shard) arrived as \(got.sizeBytes) bytes with SHA-256 \(got.sha256), not \(copy.sizeBytes) and \(copy.sha256)")
            }
            try FileManager.default.moveItem(atPath: part, toPath: path(shard))
            // SQLite's own check before the shard is served.
            let check = try await store(shard).database.read { c in try c.queryFirst("PRAGMA quick_check", []) { $0.string(0) } }
            guard check == "ok" else { throw RPCError(.dataLoss, "shard \(shard) failed SQLite's check: \(check ?? "no answer")") }
            taken.append(shard)
        }
        return taken
    }

    /// Checkpoints and closes the open shard files (the host closes those it publishes from itself).
    public func close() async {
        for store in open.withLock({ Array($0.values) }) { try? await store.database.close() }
    }
}
