import Wire

/// T12: where a number's calls live. A number maps to one of `count` logical shards
/// (fixed for a deployment), a shard to the replica that wins it by rendezvous hashing
/// of `shard-<n>` over the replica names (PROTOCOL.md §8): the gateway, deals and every
/// replica compute the same owner, and adding a replica moves only the shards it wins.
public struct CallShard: Sendable, Equatable {
    public static let defaultCount = 16

    public let count: Int

    public init(count: Int = defaultCount) {
        precondition(count > 0)
        self.count = count
    }

    /// The shard of a normalized number: FNV-1a 64 of its bytes, modulo the count.
    public func of(_ number: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in number.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }

    /// The index in `replicas` of the shard's owner.
    public func owner(of shard: Int, replicas: [String]) -> Int? {
        RendezvousHash.pick(key: "shard-\(shard)", names: replicas)
    }

    /// The shards `replica` owns among `replicas`.
    public func shards(ownedBy replica: String, replicas: [String]) -> [Int] {
        (0..<count).filter { owner(of: $0, replicas: replicas).map { replicas[$0] } == replica }
    }
}
