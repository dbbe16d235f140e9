/// How a client retries calls that failed with a retryable status: at most
/// `maxAttempts` in all, full-jitter exponential backoff between them, never past the
/// call's deadline, and only while the ``RetryBudget`` allows.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var multiplier: Double

    public init(
        maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(50), maxBackoff: Duration = .seconds(2),
        multiplier: Double = 2
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// Full jitter: a uniform delay between zero and the exponential cap for `attempt`
    /// (1 = before the second try).
    public func backoff(beforeAttempt attempt: Int, random: () -> Double = { Double.random(in: 0..<1) }) -> Duration {
        var cap = initialBackoff
        for _ in 1..<max(attempt, 1) { cap = min(cap * multiplier, maxBackoff) }
        return cap * random()
    }
}

/// gRPC's retry throttle: a token bucket that failures drain and successes refill, so
/// retries stop when most calls fail (retrying then only adds load to a sick server).
public struct RetryBudget: Sendable, Equatable {
    public let maxTokens: Double
    public let tokenRatio: Double
    public private(set) var tokens: Double

    public init(maxTokens: Double = 10, tokenRatio: Double = 0.1) {
        self.maxTokens = maxTokens
        self.tokenRatio = tokenRatio
        self.tokens = maxTokens
    }

    public var allowsRetry: Bool { tokens > maxTokens / 2 }

    public mutating func recordFailure() { tokens = max(0, tokens - 1) }
    public mutating func recordSuccess() { tokens = min(maxTokens, tokens + tokenRatio) }
}
