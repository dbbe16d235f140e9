/// A W3C Trace Context (`traceparent`, https://www.w3.org/TR/trace-context/): the trace a
/// piece of work belongs to and the span that is doing it. The gateway takes one from a
/// request's `traceparent` header or starts one; every call and event carries the span
/// that made it, so each hop's logs and spans name the same trace (P5).
public struct TraceContext: Sendable, Equatable {
    /// 32 lower-case hex digits, not all zero.
    public let traceID: String
    /// 16 lower-case hex digits, not all zero: the span this context names.
    public let spanID: String
    /// The caller asked for this trace to be recorded (flag 01).
    public let sampled: Bool

    public init?(traceID: String, spanID: String, sampled: Bool) {
        guard Self.isID(traceID, length: 32), Self.isID(spanID, length: 16) else { return nil }
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// Reads a `traceparent` value: version 00 exactly as the spec writes it; a later
    /// version by its first four fields (the spec's rule for versions it does not know).
    /// Nil for anything else, which the receiver then treats as absent.
    public init?(header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, let version = UInt8(parts[0], radix: 16), version != 0xff,
            Self.isHex(parts[0]), parts[3].count == 2, Self.isHex(parts[3]), let flags = UInt8(parts[3], radix: 16),
            version != 0 || parts.count == 4
        else { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]), sampled: flags & 1 == 1)
    }

    /// A new trace with its first span.
    public static func start(sampled: Bool) -> TraceContext {
        TraceContext(traceID: randomHex(16), spanID: randomHex(8), sampled: sampled)!
    }

    /// A new span of the same trace, started by this one.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.randomHex(8), sampled: sampled)!
    }

    /// The `traceparent` value naming this span.
    public var header: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    private static func isID(_ text: String, length: Int) -> Bool {
        text.utf8.count == length && isHex(Substring(text)) && text.contains { $0 != "0" }
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Ids need only be unique, not secret: the system generator (getrandom), 8 bytes a
    /// call, written with a table (every request starts a trace: this is on its path).
    private static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        while true {
            var out: [UInt8] = []
            out.reserveCapacity(bytes * 2)
            var left = bytes
            while left > 0 {
                var word = generator.next()
                for _ in 0..<min(8, left) {
                    out.append(digits[Int(word >> 4 & 15)])
                    out.append(digits[Int(word & 15)])
                    word >>= 8
                }
                left -= 8
            }
            if out.contains(where: { $0 != 48 }) { return String(decoding: out, as: UTF8.self) }
        }
    }
}
