/// The kind of a frame (PROTOCOL.md, "Frame kinds").
public enum FrameKind: UInt8, Sendable {
    /// Client -> server: request head followed by the request message.
    case request = 1
    /// Server -> client: response trailer (status) followed by the response message.
    case response = 2
    /// Client -> server: the client no longer wants the answer to this request id.
    case cancel = 3
    /// Either way: liveness probe carrying 8 opaque bytes, answered by `pong`.
    case ping = 4
    /// Either way: the answer to a `ping`, echoing its 8 bytes.
    case pong = 5
    /// Server -> client: no new requests on this connection (body: ``GoAway``).
    case goAway = 6
}

/// One protocol frame: `length(4, BE) | version(1) | kind(1) | flags(2, BE) | requestID(4, BE) | body`.
public struct Frame: Sendable, Equatable {
    /// The only protocol version this code speaks.
    public static let version: UInt8 = 1
    /// Bytes after the length field that every frame has: version, kind, flags, request id.
    public static let headerLength = 8
    /// Bytes before the body: the length field and the header.
    public static let prefixLength = 12
    /// The default cap on a frame's length field (header + body): 4 MiB.
    public static let defaultMaxLength = 4 * 1024 * 1024

    public var kind: FrameKind
    /// Reserved; senders write 0 and receivers ignore bits they do not know.
    public var flags: UInt16
    /// Matches a response to its request; 0 for connection-level frames.
    public var requestID: UInt32
    public var body: [UInt8]

    public init(kind: FrameKind, flags: UInt16 = 0, requestID: UInt32, body: [UInt8] = []) {
        self.kind = kind
        self.flags = flags
        self.requestID = requestID
        self.body = body
    }

    /// Appends the encoded frame to `buffer`.
    public func encode(into buffer: inout [UInt8]) {
        Frame.writePrefix(into: &buffer, kind: kind, flags: flags, requestID: requestID, bodyLength: body.count)
        buffer.append(contentsOf: body)
    }

    public func encoded() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Frame.prefixLength + body.count)
        encode(into: &buffer)
        return buffer
    }

    /// Writes the 12-byte prefix for a body of `bodyLength` bytes that the caller appends.
    public static func writePrefix(
        into buffer: inout [UInt8], kind: FrameKind, flags: UInt16 = 0, requestID: UInt32, bodyLength: Int
    ) {
        let at = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: prefixLength))
        patchPrefix(&buffer, at: at, kind: kind, flags: flags, requestID: requestID, bodyLength: bodyLength)
    }

    private static func patchPrefix(
        _ buffer: inout [UInt8], at i: Int, kind: FrameKind, flags: UInt16, requestID: UInt32, bodyLength: Int
    ) {
        let length = UInt32(headerLength + bodyLength)
        buffer[i] = UInt8(truncatingIfNeeded: length >> 24)
        buffer[i + 1] = UInt8(truncatingIfNeeded: length >> 16)
        buffer[i + 2] = UInt8(truncatingIfNeeded: length >> 8)
        buffer[i + 3] = UInt8(truncatingIfNeeded: length)
        buffer[i + 4] = version
        buffer[i + 5] = kind.rawValue
        buffer[i + 6] = UInt8(truncatingIfNeeded: flags >> 8)
        buffer[i + 7] = UInt8(truncatingIfNeeded: flags)
        buffer[i + 8] = UInt8(truncatingIfNeeded: requestID >> 24)
        buffer[i + 9] = UInt8(truncatingIfNeeded: requestID >> 16)
        buffer[i + 10] = UInt8(truncatingIfNeeded: requestID >> 8)
        buffer[i + 11] = UInt8(truncatingIfNeeded: requestID)
    }

    /// Encodes a whole frame whose body is a length-prefixed head message followed by the
    /// message's own fields: the layout of `request` and `response` frames.
    public static func encodeCall<Head: WireMessage>(
        kind: FrameKind, requestID: UInt32, head: Head, message: (inout WireEncoder) -> Void
    ) -> [UInt8] {
        var encoder = WireEncoder(capacity: 128)
        encoder.bytes.append(contentsOf: repeatElement(0, count: prefixLength))
        encoder.writeLengthPrefixed { head.encode(to: &$0) }
        message(&encoder)
        patchPrefix(
            &encoder.bytes, at: 0, kind: kind, flags: 0, requestID: requestID,
            bodyLength: encoder.bytes.count - prefixLength)
        return encoder.bytes
    }
}
