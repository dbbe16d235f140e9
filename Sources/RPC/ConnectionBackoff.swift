/// When to try connecting again after a failure: gRPC's numbers (1 s, x1.6, at most
/// 120 s, ±20 % jitter), shortened by configuration in tests. A plain value with the
/// randomness injected, so it is tested without sleeping.
public struct ConnectionBackoff: Sendable, Equatable {
    public var initial: Duration
    public var multiplier: Double
    public var maximum: Duration
    /// Fraction of the delay to spread up or down at random.
    public var jitter: Double

    private var current: Duration? = nil

    public init(
        initial: Duration = .seconds(1), multiplier: Double = 1.6, maximum: Duration = .seconds(120),
        jitter: Double = 0.2
    ) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before the next attempt; each call grows the base delay.
    /// `random` returns a value in 0..<1.
    public mutating func next(random: () -> Double = { Double.random(in: 0..<1) }) -> Duration {
        let base = current ?? initial
        current = min(base * multiplier, maximum)
        let spread = 1 + jitter * (2 * random() - 1)
        return base * spread
    }

    /// After a successful connection the next failure starts from `initial` again.
    public mutating func reset() {
        current = nil
    }
}
