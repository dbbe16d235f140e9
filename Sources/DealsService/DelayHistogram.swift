/// D7's time from a lead to its first call attempt, kept as a histogram per group and
/// day so a month's median and 90th percentile come from a few thousand small histograms,
/// not from every lead. Buckets: whole seconds under a minute, 10 seconds under 10
/// minutes, a minute under an hour, 10 minutes under a day, an hour beyond; a figure is
/// the lower edge of its bucket.
public enum DelayHistogram {
    public static func bucket(_ seconds: Int64) -> Int64 {
        let s = max(0, seconds)
        let width: Int64 = s < 60 ? 1 : s < 600 ? 10 : s < 3600 ? 60 : s < 86_400 ? 600 : 3600
        return s - s % width
    }

    /// The nearest-rank percentile (`p` in 1...100): the smallest value with at least p% of
    /// the values at or below it. nil for no values.
    public static func percentile(_ p: Int64, of counts: [(bucket: Int64, count: Int64)]) -> Int64? {
        let sorted = counts.filter { $0.count > 0 }.sorted { $0.bucket < $1.bucket }
        let total = sorted.reduce(0) { $0 + $1.count }
        guard total > 0 else { return nil }
        let rank = (p * total + 99) / 100
        var seen: Int64 = 0
        for (bucket, count) in sorted {
            seen += count
            if seen >= rank { return bucket }
        }
        return sorted.last?.bucket
    }

    /// A stored histogram: (bucket, count) pairs in bucket order, each two little-endian
    /// 64-bit integers.
    public static func decode(_ bytes: [UInt8]) -> [(bucket: Int64, count: Int64)] {
        var out: [(Int64, Int64)] = []
        out.reserveCapacity(bytes.count / 16)
        var i = 0
        func int(_ at: Int) -> Int64 {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[at + k]) << (8 * UInt64(k)) }
            return Int64(bitPattern: v)
        }
        while i + 16 <= bytes.count {
            out.append((int(i), int(i + 8)))
            i += 16
        }
        return out
    }

    public static func encode(_ counts: [(bucket: Int64, count: Int64)]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(counts.count * 16)
        for (bucket, count) in counts.sorted(by: { $0.bucket < $1.bucket }) where count != 0 {
            for v in [bucket, count] {
                let u = UInt64(bitPattern: v)
                for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(k)))) }
            }
        }
        return bytes
    }

    /// `stored` with `changes` (bucket: +n or −n) applied; empty buckets dropped.
    public static func adding(_ changes: [Int64: Int64], to stored: [UInt8]) -> [UInt8] {
        var merged = Dictionary(decode(stored).map { ($0.bucket, $0.count) }, uniquingKeysWith: +)
        for (bucket, n) in changes { merged[bucket, default: 0] += n }
        return encode(merged.map { ($0.key, $0.value) })
    }
}
