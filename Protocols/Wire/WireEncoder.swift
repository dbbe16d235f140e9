/// Appends fields in the tag-based message format (PROTOCOL.md, "Message codec").
///
/// Plain values equal to their default (0, false, "", empty) are omitted, so an absent
/// field and a default field read back the same. Optional values are written whenever
/// they are non-nil, which lets a reader tell "0" from "not set".
public struct WireEncoder: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Primitives

    @inline(__always)
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always)
    public mutating func writeKey(_ number: UInt32, _ type: WireType) {
        writeVarint(UInt64(number) << 3 | UInt64(type.rawValue))
    }

    @inline(__always)
    public static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// Number of bytes `value` takes as a varint.
    public static func varintSize(_ value: UInt64) -> Int {
        var v = value
        var n = 1
        while v >= 0x80 {
            v >>= 7
            n += 1
        }
        return n
    }

    // MARK: Scalars (omitted when default)

    public mutating func encode(_ field: UInt32, _ value: UInt64) {
        guard value != 0 else { return }
        writeKey(field, .varint)
        writeVarint(value)
    }

    public mutating func encode(_ field: UInt32, _ value: UInt32) { encode(field, UInt64(value)) }

    public mutating func encode(_ field: UInt32, _ value: Int64) {
        guard value != 0 else { return }
        writeKey(field, .varint)
        writeVarint(Self.zigzag(value))
    }

    public mutating func encode(_ field: UInt32, _ value: Int) { encode(field, Int64(value)) }

    public mutating func encode(_ field: UInt32, _ value: Int32) { encode(field, Int64(value)) }

    public mutating func encode(_ field: UInt32, _ value: Bool) {
        guard value else { return }
        writeKey(field, .varint)
        bytes.append(1)
    }

    public mutating func encode(_ field: UInt32, _ value: Double) {
        guard value.bitPattern != 0 else { return }
        writeDouble(field, value)
    }

    public mutating func encode(_ field: UInt32, _ value: String) {
        guard !value.isEmpty else { return }
        writeString(field, value)
    }

    public mutating func encodeBytes(_ field: UInt32, _ value: [UInt8]) {
        guard !value.isEmpty else { return }
        writeKey(field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func encode<E: WireEnum>(_ field: UInt32, _ value: E) {
        encode(field, UInt64(value.rawValue))
    }

    // MARK: Optionals (written whenever present)

    public mutating func encode(_ field: UInt32, _ value: UInt64?) {
        guard let value else { return }
        writeKey(field, .varint)
        writeVarint(value)
    }

    public mutating func encode(_ field: UInt32, _ value: Int64?) {
        guard let value else { return }
        writeKey(field, .varint)
        writeVarint(Self.zigzag(value))
    }

    public mutating func encode(_ field: UInt32, _ value: Int?) {
        encode(field, value.map { Int64($0) })
    }

    public mutating func encode(_ field: UInt32, _ value: Bool?) {
        guard let value else { return }
        writeKey(field, .varint)
        bytes.append(value ? 1 : 0)
    }

    public mutating func encode(_ field: UInt32, _ value: Double?) {
        guard let value else { return }
        writeDouble(field, value)
    }

    public mutating func encode(_ field: UInt32, _ value: String?) {
        guard let value else { return }
        writeString(field, value)
    }

    // MARK: Messages and repeated fields

    /// Writes a nested message. Absent (nil) messages are omitted; present ones are
    /// written even when empty so the reader sees them as set.
    public mutating func encode<M: WireMessage>(_ field: UInt32, _ message: M?) {
        guard let message else { return }
        writeKey(field, .lengthDelimited)
        writeLengthPrefixed { message.encode(to: &$0) }
    }

    public mutating func encode<M: WireMessage>(_ field: UInt32, _ messages: [M]) {
        for message in messages {
            writeKey(field, .lengthDelimited)
            writeLengthPrefixed { message.encode(to: &$0) }
        }
    }

    /// Repeated strings: one field per element, empty strings included.
    public mutating func encode(_ field: UInt32, _ values: [String]) {
        for value in values { writeString(field, value) }
    }

    /// Repeated signed integers: one field per element, zeros included.
    public mutating func encode(_ field: UInt32, _ values: [Int64]) {
        for value in values {
            writeKey(field, .varint)
            writeVarint(Self.zigzag(value))
        }
    }

    // MARK: Internals

    private mutating func writeString(_ field: UInt32, _ value: String) {
        writeKey(field, .lengthDelimited)
        var value = value
        value.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    private mutating func writeDouble(_ field: UInt32, _ value: Double) {
        writeKey(field, .fixed64)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    /// Writes a length prefix followed by what `body` appends, without a temporary buffer:
    /// one byte is reserved for the length and the body shifted only if it needs more.
    public mutating func writeLengthPrefixed(_ body: (inout WireEncoder) -> Void) {
        let lengthAt = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthAt - 1
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
            return
        }
        var prefix = WireEncoder(capacity: 10)
        prefix.writeVarint(UInt64(length))
        bytes.replaceSubrange(lengthAt..<(lengthAt + 1), with: prefix.bytes)
    }
}
