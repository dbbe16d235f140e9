/// D7's time from a lead to its first call attempt, kept as a histogram per group and
/// day so a month's median and 90th percentile are read from a few thousand buckets, not
/// from every lead. Buckets are exact seconds under 10 minutes, whole minutes under a
/// day, whole hours beyond: a figure is the lower edge of its bucket.
public enum DelayHistogram {
    public static func bucket(_ seconds: Int64) -> Int64 {
        let s = max(0, seconds)
        if s < 600 { return s }
        if s < 86_400 { return s - s % 60 }
        return s - s % 3600
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
}
