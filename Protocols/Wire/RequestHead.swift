/// The head of a `request` frame: which method, how long the caller will wait, metadata.
public struct RequestHead: WireMessage, Equatable {
    /// Longest method name accepted (bytes).
    public static let maxMethodLength = 256
    /// Most metadata entries accepted on one request or response.
    public static let maxMetadataEntries = 64
    /// Largest encoded head accepted (bytes), metadata included.
    public static let maxEncodedLength = 16 * 1024

    /// `service/method`.
    public var method: String = ""
    /// The caller's remaining budget in microseconds when the frame was written; 0 means
    /// no deadline. Relative, so the peers' clocks need not agree.
    public var timeoutMicroseconds: UInt64 = 0
    public var metadata: [Metadata.Entry] = []

    public init() {}

    public init(method: String, timeoutMicroseconds: UInt64, metadata: [Metadata.Entry]) {
        self.method = method
        self.timeoutMicroseconds = timeoutMicroseconds
        self.metadata = metadata
    }

    public func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, method)
        encoder.encode(2, timeoutMicroseconds)
        encoder.encode(3, metadata)
    }

    public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: method = try decoder.string(key)
        case 2: timeoutMicroseconds = try decoder.uint64(key)
        case 3: try decoder.appendMetadataEntry(key, to: &metadata)
        default: try decoder.skip(key)
        }
    }
}

/// The head of a `response` frame: the call's status and optional metadata. A message
/// follows it only when the code is `ok`.
public struct ResponseTrailer: WireMessage, Equatable {
    public var code: Status.Code = .ok
    public var message: String = ""
    public var details: [FieldViolation] = []
    public var metadata: [Metadata.Entry] = []

    public init() {}

    /// An error's status; details past what fits the head limit (16 KiB, PROTOCOL.md 5)
    /// are left out, and the message says how many, so a long list of problems never
    /// turns into an answer the caller cannot read.
    public init(error: RPCError) {
        code = error.code
        message = error.message.utf8.count <= 4096 ? error.message : String(decoding: error.message.utf8.prefix(4096), as: UTF8.self)
        var size = message.utf8.count + 64
        for detail in error.details {
            let bytes = detail.wireBytes().count + 4
            guard size + bytes <= RequestHead.maxEncodedLength - 1024 else { break }
            size += bytes
            details.append(detail)
        }
        if details.count < error.details.count {
            message += " (\(error.details.count - details.count) more problems not listed)"
        }
    }

    public func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, code)
        encoder.encode(2, message)
        encoder.encode(3, details)
        encoder.encode(4, metadata)
    }

    public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: code = try decoder.enumeration(key)
        case 2: message = try decoder.string(key)
        case 3: try decoder.append(key, to: &details)
        case 4: try decoder.appendMetadataEntry(key, to: &metadata)
        default: try decoder.skip(key)
        }
    }
}

/// The body of a `goAway` frame: the server takes no new requests on this connection.
/// Requests with ids up to `lastRequestID` will still be answered; later ones were not
/// processed and may be sent again on a new connection.
public struct GoAway: WireMessage, Equatable {
    public var lastRequestID: UInt32 = 0
    public var code: Status.Code = .ok
    public var message: String = ""

    public init() {}

    public init(lastRequestID: UInt32, code: Status.Code, message: String) {
        self.lastRequestID = lastRequestID
        self.code = code
        self.message = message
    }

    public func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, lastRequestID)
        encoder.encode(2, code)
        encoder.encode(3, message)
    }

    public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: lastRequestID = try decoder.uint32(key)
        case 2: code = try decoder.enumeration(key)
        case 3: message = try decoder.string(key)
        default: try decoder.skip(key)
        }
    }
}

/// Splits the body of a `request` or `response` frame into its head and message.
public struct CallBody<Head: WireMessage>: Sendable {
    public let head: Head
    /// The frame body; the message occupies `messageRange` of it.
    public let bytes: [UInt8]
    public let messageRange: Range<Int>

    public init(frameBody: [UInt8], maxHeadLength: Int = RequestHead.maxEncodedLength, limits: WireLimits = .default)
        throws(WireError)
    {
        var decoder = WireDecoder(bytes: frameBody, limits: limits)
        let headLength = try decoder.readVarint()
        guard headLength <= UInt64(maxHeadLength) else {
            throw .malformedBody("head of \(headLength) bytes exceeds the limit of \(maxHeadLength)")
        }
        var headDecoder = decoder
        let range = try headDecoder.readLengthDelimited(prefixed: headLength)
        var inner = WireDecoder(bytes: frameBody, range: range, depth: 1, limits: limits)
        head = try Head(from: &inner)
        bytes = frameBody
        messageRange = range.upperBound..<frameBody.count
    }

    /// Decodes the message that follows the head.
    public func message<M: WireMessage>(as: M.Type, limits: WireLimits = .default) throws(WireError) -> M {
        var decoder = WireDecoder(bytes: bytes, range: messageRange, limits: limits)
        return try M(from: &decoder)
    }
}

extension WireDecoder {
    /// Appends a metadata entry, refusing more than ``RequestHead/maxMetadataEntries``.
    mutating func appendMetadataEntry(_ key: FieldKey, to entries: inout [Metadata.Entry]) throws(WireError) {
        guard entries.count < RequestHead.maxMetadataEntries else {
            throw .tooManyElements(field: key.number, limit: RequestHead.maxMetadataEntries)
        }
        entries.append(try message(key, as: Metadata.Entry.self))
    }

    /// The range of `length` bytes at the current position, after a length already read.
    mutating func readLengthDelimited(prefixed length: UInt64) throws(WireError) -> Range<Int> {
        guard length <= UInt64(remaining) else {
            throw .truncated(needed: Int(clamping: length), available: remaining)
        }
        let start = index
        try skipBytes(Int(length))
        return start..<(start + Int(length))
    }
}
