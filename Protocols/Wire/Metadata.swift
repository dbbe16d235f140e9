/// Key/value strings that travel with a call: request id, trace id, caller,
/// authorization, idempotency key, and anything else a hop wants to pass along.
/// Keys are lower-case ASCII; order is kept; a key may repeat.
public struct Metadata: Sendable, Equatable, Sequence {
    public struct Entry: WireMessage, Equatable {
        public var key: String = ""
        public var value: String = ""

        public init() {}
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }

        public func encode(to encoder: inout WireEncoder) {
            encoder.encode(1, key)
            encoder.encode(2, value)
        }

        public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
            switch key.number {
            case 1: self.key = try decoder.string(key)
            case 2: value = try decoder.string(key)
            default: try decoder.skip(key)
            }
        }
    }

    /// Well-known keys (PROTOCOL.md, "Metadata").
    public enum Key {
        public static let requestID = "request-id"
        /// A W3C `traceparent` (``TraceContext``): the trace and the span that made the call.
        public static let traceparent = "traceparent"
        public static let caller = "caller"
        public static let authorization = "authorization"
        public static let idempotencyKey = "idempotency-key"
    }

    public private(set) var entries: [Entry]

    public init(_ pairs: [(String, String)] = []) {
        entries = pairs.map { Entry(key: $0.0, value: $0.1) }
    }

    public init(entries: [Entry]) {
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// The first value for `key`; setting replaces every value of `key` (nil removes).
    public subscript(key: String) -> String? {
        get { entries.first { $0.key == key }?.value }
        set {
            entries.removeAll { $0.key == key }
            if let newValue { entries.append(Entry(key: key, value: newValue)) }
        }
    }

    public mutating func append(_ key: String, _ value: String) {
        entries.append(Entry(key: key, value: value))
    }

    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}
