import Wire

/// A diagnostic contract every switchboard-echo server answers: it returns what it is
/// sent. Used to measure the protocol's own cost (benchmarks) and to test the runtime.
public enum Echo {
    public static let service = "switchboard.diagnostics.Echo"

    /// Returns the request unchanged.
    public static let echo = MethodDescriptor<EchoMessage, EchoMessage>(
        service: service, method: "Echo", isIdempotent: true)
    /// Waits `delayMilliseconds`, then returns the request; ends early if cancelled.
    public static let delayedEcho = MethodDescriptor<EchoMessage, EchoMessage>(
        service: service, method: "DelayedEcho", isIdempotent: true)
}

/// The message `Echo` methods take and return.
public struct EchoMessage: WireMessage, Equatable {
    public var id: Int64 = 0
    public var text: String = ""
    /// Only `DelayedEcho` reads it.
    public var delayMilliseconds: Int64 = 0

    public init() {}

    public init(id: Int64, text: String, delayMilliseconds: Int64 = 0) {
        self.id = id
        self.text = text
        self.delayMilliseconds = delayMilliseconds
    }

    public func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, id)
        encoder.encode(2, text)
        encoder.encode(3, delayMilliseconds)
    }

    public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try decoder.int64(key)
        case 2: text = try decoder.string(key)
        case 3: delayMilliseconds = try decoder.int64(key)
        default: try decoder.skip(key)
        }
    }
}
