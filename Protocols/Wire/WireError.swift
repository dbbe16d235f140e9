/// Why bytes could not be decoded as a frame or message. Every case names what was wrong
/// so the peer's error message can be acted on.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(needed: Int, available: Int)
    case varintTooLong
    case unknownWireType(UInt8)
    case fieldNumberZero
    case fieldNumberTooLarge(UInt64)
    case wrongWireType(field: UInt32, expected: WireType, found: WireType)
    case invalidUTF8(field: UInt32)
    case tooDeep(limit: Int)
    case tooManyElements(field: UInt32, limit: Int)
    case valueOutOfRange(field: UInt32)
    case frameTooLarge(length: Int, limit: Int)
    case frameTooShort(length: Int)
    case unsupportedVersion(UInt8)
    case unknownFrameKind(UInt8)
    case malformedBody(String)

    public var description: String {
        switch self {
        case let .truncated(needed, available):
            return "message truncated: needed \(needed) more bytes, \(available) available"
        case .varintTooLong: return "varint longer than 10 bytes"
        case let .unknownWireType(raw): return "unknown wire type \(raw)"
        case .fieldNumberZero: return "field number 0 is not allowed"
        case let .fieldNumberTooLarge(number): return "field number \(number) exceeds 2^29-1"
        case let .wrongWireType(field, expected, found):
            return "field \(field) has wire type \(found), expected \(expected)"
        case let .invalidUTF8(field): return "field \(field) is not valid UTF-8"
        case let .tooDeep(limit): return "messages nested deeper than \(limit) levels"
        case let .tooManyElements(field, limit):
            return "field \(field) repeats more than \(limit) times"
        case let .valueOutOfRange(field): return "field \(field) is out of range for its type"
        case let .frameTooLarge(length, limit):
            return "frame of \(length) bytes exceeds the limit of \(limit) bytes"
        case let .frameTooShort(length):
            return "frame length \(length) is shorter than the 8-byte frame header"
        case let .unsupportedVersion(version): return "unsupported protocol version \(version)"
        case let .unknownFrameKind(kind): return "unknown frame kind \(kind)"
        case let .malformedBody(why): return "malformed frame body: \(why)"
        }
    }
}
