/// G3: a token bucket per API key. Each key may make `rate` requests a second on
/// average and `burst` at once; beyond that the answer is 429 with Retry-After. A plain
/// value with time passed in, so it is tested without waiting.
public struct RateLimiter: Sendable {
    public let rate: Double
    public let burst: Double
    private var buckets: [String: (tokens: Double, updated: Double)] = [:]
    /// Buckets kept at most; the least recently used go first (a full bucket is the
    /// same as no bucket, so forgetting one never lets a caller exceed its limit by more
    /// than one burst).
    public static let maxBuckets = 10_000

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Whether `key` has a token at `now`, without taking it: nil when it has, else the
    /// whole seconds until it will.
    public func wait(key: String, now: Double) -> Int? {
        guard let bucket = buckets[key] else { return nil }
        let tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
        return tokens >= 1 ? nil : max(1, Int(((1 - tokens) / rate).rounded(.up)))
    }

    /// Takes one token for `key` at time `now` (seconds). Returns nil when allowed, else
    /// the whole seconds to wait.
    public mutating func take(key: String, now: Double) -> Int? {
        var bucket = buckets[key] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        defer {
            if buckets.count >= Self.maxBuckets && buckets[key] == nil,
                let oldest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key
            {
                buckets[oldest] = nil
            }
            buckets[key] = bucket
        }
        guard bucket.tokens >= 1 else {
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
        bucket.tokens -= 1
        return nil
    }
}
