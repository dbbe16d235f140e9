/// Reads fields of the tag-based message format from a byte range, enforcing
/// ``WireLimits``. Unknown fields are skipped by wire type with ``skip(_:)``.
public struct WireDecoder: Sendable {
    public let bytes: [UInt8]
    public private(set) var index: Int
    public let end: Int
    public let depth: Int
    public let limits: WireLimits

    public init(bytes: [UInt8], limits: WireLimits = .default) {
        self.init(bytes: bytes, range: 0..<bytes.count, depth: 0, limits: limits)
    }

    public init(bytes: [UInt8], range: Range<Int>, depth: Int = 0, limits: WireLimits = .default) {
        self.bytes = bytes
        self.index = range.lowerBound
        self.end = range.upperBound
        self.depth = depth
        self.limits = limits
    }

    public var isAtEnd: Bool { index >= end }
    public var remaining: Int { end - index }

    // MARK: Primitives

    @inline(__always)
    public mutating func readVarint() throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = index
        while true {
            guard i < end else { throw .truncated(needed: 1, available: 0) }
            let byte = bytes[i]
            i += 1
            if shift == 63 && byte > 1 { throw .varintTooLong }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
            if shift > 63 { throw .varintTooLong }
        }
        index = i
        return result
    }

    /// The next field's key, or nil at the end of the message.
    public mutating func nextField() throws(WireError) -> FieldKey? {
        guard index < end else { return nil }
        let raw = try readVarint()
        guard let type = WireType(rawValue: UInt8(raw & 7)) else {
            throw .unknownWireType(UInt8(raw & 7))
        }
        let number = raw >> 3
        guard number != 0 else { throw .fieldNumberZero }
        guard number <= 0x1FFF_FFFF else { throw .fieldNumberTooLarge(number) }
        return FieldKey(number: UInt32(number), wireType: type)
    }

    /// Skips a field this reader does not know; this is what makes old readers tolerate
    /// new fields.
    public mutating func skip(_ key: FieldKey) throws(WireError) {
        switch key.wireType {
        case .varint: _ = try readVarint()
        case .fixed64: try skipBytes(8)
        case .fixed32: try skipBytes(4)
        case .lengthDelimited:
            let range = try readLengthDelimited()
            index = range.upperBound
        }
    }

    mutating func skipBytes(_ count: Int) throws(WireError) {
        guard remaining >= count else { throw .truncated(needed: count, available: remaining) }
        index += count
    }

    /// Reads a length prefix and returns the range of the bytes it covers.
    public mutating func readLengthDelimited() throws(WireError) -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(remaining) else {
            throw .truncated(needed: Int(clamping: length), available: remaining)
        }
        let start = index
        index += Int(length)
        return start..<index
    }

    @inline(__always)
    private func expect(_ key: FieldKey, _ type: WireType) throws(WireError) {
        guard key.wireType == type else {
            throw .wrongWireType(field: key.number, expected: type, found: key.wireType)
        }
    }

    // MARK: Typed values

    public mutating func uint64(_ key: FieldKey) throws(WireError) -> UInt64 {
        try expect(key, .varint)
        return try readVarint()
    }

    public mutating func uint32(_ key: FieldKey) throws(WireError) -> UInt32 {
        let value = try uint64(key)
        guard let narrowed = UInt32(exactly: value) else { throw .valueOutOfRange(field: key.number) }
        return narrowed
    }

    public mutating func int64(_ key: FieldKey) throws(WireError) -> Int64 {
        try expect(key, .varint)
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    public mutating func int(_ key: FieldKey) throws(WireError) -> Int {
        Int(try int64(key))
    }

    public mutating func int32(_ key: FieldKey) throws(WireError) -> Int32 {
        let value = try int64(key)
        guard let narrowed = Int32(exactly: value) else { throw .valueOutOfRange(field: key.number) }
        return narrowed
    }

    public mutating func bool(_ key: FieldKey) throws(WireError) -> Bool {
        try uint64(key) != 0
    }

    public mutating func double(_ key: FieldKey) throws(WireError) -> Double {
        try expect(key, .fixed64)
        guard remaining >= 8 else { throw .truncated(needed: 8, available: remaining) }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[index + i]) << (8 * UInt64(i)) }
        index += 8
        return Double(bitPattern: bits)
    }

    public mutating func string(_ key: FieldKey) throws(WireError) -> String {
        try expect(key, .lengthDelimited)
        let range = try readLengthDelimited()
        let decoded: String? = bytes.withUnsafeBufferPointer { buffer in
            String(validating: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        }
        guard let decoded else { throw .invalidUTF8(field: key.number) }
        return decoded
    }

    public mutating func bytes(_ key: FieldKey) throws(WireError) -> [UInt8] {
        try expect(key, .lengthDelimited)
        return Array(bytes[try readLengthDelimited()])
    }

    public mutating func enumeration<E: WireEnum>(_ key: FieldKey, as: E.Type = E.self) throws(WireError) -> E {
        let raw = try uint64(key)
        guard let small = Int(exactly: raw), let value = E(rawValue: small) else {
            return E.unrecognized
        }
        return value
    }

    /// Decodes a nested message, one level deeper.
    public mutating func message<M: WireMessage>(_ key: FieldKey, as: M.Type = M.self) throws(WireError) -> M {
        try expect(key, .lengthDelimited)
        let range = try readLengthDelimited()
        guard depth + 1 <= limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth) }
        var nested = WireDecoder(bytes: bytes, range: range, depth: depth + 1, limits: limits)
        return try M(from: &nested)
    }

    /// Appends one element of a repeated field, refusing more than `limits.maxElements`.
    public mutating func append<T>(
        _ key: FieldKey, to array: inout [T],
        _ read: (inout WireDecoder, FieldKey) throws(WireError) -> T
    ) throws(WireError) {
        guard array.count < limits.maxElements else {
            throw .tooManyElements(field: key.number, limit: limits.maxElements)
        }
        array.append(try read(&self, key))
    }

    public mutating func append<M: WireMessage>(_ key: FieldKey, to array: inout [M]) throws(WireError) {
        try append(key, to: &array) { (d: inout WireDecoder, k: FieldKey) throws(WireError) in try d.message(k, as: M.self) }
    }

    public mutating func append(_ key: FieldKey, to array: inout [String]) throws(WireError) {
        try append(key, to: &array) { (d: inout WireDecoder, k: FieldKey) throws(WireError) in try d.string(k) }
    }

    public mutating func append(_ key: FieldKey, to array: inout [Int64]) throws(WireError) {
        try append(key, to: &array) { (d: inout WireDecoder, k: FieldKey) throws(WireError) in try d.int64(k) }
    }
}
