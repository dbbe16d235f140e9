import FoundationEssentials

/// A position in the list of calls of every replica: newest first by start time, then
/// shard, then the shard's sequence. A total order across shards, so one cursor pages
/// correctly through a merge of any number of replicas' lists.
public struct CallCursor: Sendable, Equatable, Comparable {
    public let startedAt: Int64
    public let shard: Int
    public let seq: Int64

    public init(startedAt: Int64, shard: Int, seq: Int64) {
        self.startedAt = startedAt
        self.shard = shard
        self.seq = seq
    }

    /// Later (first in the list) compares greater.
    public static func < (a: CallCursor, b: CallCursor) -> Bool {
        (a.startedAt, a.shard, a.seq) < (b.startedAt, b.shard, b.seq)
    }

    public var encoded: String { Data("c:\(startedAt):\(shard):\(seq)".utf8).base64EncodedString() }

    public init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 4, parts[0] == "c", let t = Int64(parts[1]), let s = Int(parts[2]), let q = Int64(parts[3]), s >= 0, q >= 0 else { return nil }
        self.init(startedAt: t, shard: s, seq: q)
    }

    /// The position of a session (its id is `<shard>-<seq>`).
    public init?(session: CallSession) {
        let parts = session.id.split(separator: "-")
        guard parts.count == 2, let shard = Int(parts[0]), let seq = Int64(parts[1]) else { return nil }
        self.init(startedAt: session.startedAtMilliseconds, shard: shard, seq: seq)
    }

    /// For `shard`, the (start, seq below) bound that keeps only what comes after this
    /// cursor in the list.
    public func bound(for shard: Int) -> (startedAt: Int64, seq: Int64) {
        if shard < self.shard { return (startedAt, Int64.max) }  // same start: still after
        if shard == self.shard { return (startedAt, seq) }
        return (startedAt, 0)  // same start: before the cursor already
    }
}
