/// Turns a byte stream into frames. Feed it whatever a read returned (a partial frame,
/// many frames, a frame split anywhere) and take the complete frames out.
///
/// The length field is checked against `maxLength` as soon as its four bytes arrive,
/// before any of the body is buffered, so an oversized frame costs no memory.
public struct FrameDecoder: Sendable {
    public let maxLength: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(maxLength: Int = Frame.defaultMaxLength) {
        self.maxLength = maxLength
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfUseful()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete frame, nil if more bytes are needed. Throws on a frame that
    /// breaks the protocol; the connection must then be closed, as the stream can no
    /// longer be trusted to be in sync.
    public mutating func next() throws(WireError) -> Frame? {
        let available = buffer.count - readIndex
        guard available >= 4 else { return nil }
        let length = buffer.withUnsafeBufferPointer { b -> Int in
            Int(b[readIndex]) << 24 | Int(b[readIndex + 1]) << 16 | Int(b[readIndex + 2]) << 8 | Int(b[readIndex + 3])
        }
        guard length <= maxLength else { throw .frameTooLarge(length: length, limit: maxLength) }
        guard length >= Frame.headerLength else { throw .frameTooShort(length: length) }
        guard available >= 4 + length else { return nil }
        let h = readIndex + 4
        let version = buffer[h]
        guard version == Frame.version else { throw .unsupportedVersion(version) }
        guard let kind = FrameKind(rawValue: buffer[h + 1]) else { throw .unknownFrameKind(buffer[h + 1]) }
        let flags = UInt16(buffer[h + 2]) << 8 | UInt16(buffer[h + 3])
        let requestID = UInt32(buffer[h + 4]) << 24 | UInt32(buffer[h + 5]) << 16
            | UInt32(buffer[h + 6]) << 8 | UInt32(buffer[h + 7])
        let bodyStart = h + Frame.headerLength
        let bodyEnd = readIndex + 4 + length
        let body = Array(buffer[bodyStart..<bodyEnd])
        readIndex = bodyEnd
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 256 * 1024)
            readIndex = 0
        }
        return Frame(kind: kind, flags: flags, requestID: requestID, body: body)
    }

    /// Drops consumed bytes once they are the larger part of the buffer, so a long-lived
    /// connection does not grow its buffer without bound.
    private mutating func compactIfUseful() {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
