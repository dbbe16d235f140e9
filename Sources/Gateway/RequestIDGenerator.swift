import Synchronization

/// Request ids the gateway makes up for requests that bring none: a random prefix per
/// process and a counter. Unique enough to follow a request through every log, and
/// without Foundation's UUID, which reads /dev/urandom on each call (measured: 4% of
/// the gateway's CPU).
public enum RequestIDGenerator {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 16)
    }()
    private static let counter = Atomic<UInt64>(0)

    public static func next() -> String {
        "\(prefix)-\(String(counter.wrappingAdd(1, ordering: .relaxed).newValue, radix: 16))"
    }
}
