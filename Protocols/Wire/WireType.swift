/// How a field's value is laid out on the wire; the low three bits of every field key.
public enum WireType: UInt8, Sendable {
    /// LEB128 varint: unsigned integers, zigzag signed integers, booleans, enums.
    case varint = 0
    /// Eight bytes little-endian: doubles.
    case fixed64 = 1
    /// A varint byte count followed by that many bytes: strings, bytes, nested messages.
    case lengthDelimited = 2
    /// Four bytes little-endian: reserved for fixed-width 32-bit values.
    case fixed32 = 5
}

/// A decoded field key: the field's number and its wire type.
public struct FieldKey: Sendable, Equatable {
    public let number: UInt32
    public let wireType: WireType

    public init(number: UInt32, wireType: WireType) {
        self.number = number
        self.wireType = wireType
    }

    /// The key as written on the wire: `number << 3 | wireType`.
    public var rawValue: UInt64 { UInt64(number) << 3 | UInt64(wireType.rawValue) }
}
