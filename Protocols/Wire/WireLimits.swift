/// Bounds the message decoder enforces so hostile input costs bounded time and memory.
public struct WireLimits: Sendable, Equatable {
    /// How deeply messages may nest inside each other.
    public var maxDepth: Int
    /// How many elements a single repeated field may hold.
    public var maxElements: Int

    public init(maxDepth: Int = 32, maxElements: Int = 65_536) {
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }

    public static let `default` = WireLimits()
}
