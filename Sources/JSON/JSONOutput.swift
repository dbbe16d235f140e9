import Glibc

/// Writes JSON straight into bytes, for the answers the gateway sends most: generated
/// writers call it field by field, without a dictionary of `Any` in between. Commas are
/// placed by the writer, so a field left out leaves no stray separator.
public struct JSONOutput: Sendable {
    public private(set) var bytes: [UInt8]
    /// A value was written at this level: the next key or element needs a comma.
    private var needsComma = false

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = false
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member name; its value follows.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// A member name known only at run time (custom field names).
    public mutating func key(dynamic name: String) {
        separate()
        Self.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ value: String) {
        separate()
        Self.appendString(value, to: &bytes)
        needsComma = true
    }

    public mutating func int(_ value: Int64) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    /// A ratio or rate (never money: B1 keeps amounts in integer minor units). JSON has
    /// no NaN or infinity: those are written as null.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        separate()
        bytes.append(contentsOf: (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)).utf8)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// JSON another writer made, placed as one value.
    public mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    /// Milliseconds since 1970 as an RFC 3339 UTC time with milliseconds.
    public mutating func timestamp(_ milliseconds: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: RFC3339.format(milliseconds: milliseconds).utf8)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    public mutating func ints(_ values: [Int64]) {
        beginArray()
        for value in values { int(value) }
        endArray()
    }

    /// A string in quotes with JSON's escapes; most need none and are copied whole.
    /// A parsed value written back (numbers as they were written, keys in their order).
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case let .bool(b): bool(b)
        case let .number(n): raw(Array(n.text.utf8))
        case let .string(s): string(s)
        case let .array(items):
            beginArray()
            for item in items { value(item) }
            endArray()
        case let .object(o):
            beginObject()
            for (k, item) in o.members {
                key(dynamic: k)
                value(item)
            }
            endObject()
        }
    }

    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        guard s.utf8.contains(where: { $0 < 32 || $0 == 34 || $0 == 92 }) else {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, 110])
            case 13: out.append(contentsOf: [92, 114])
            case 9: out.append(contentsOf: [92, 116])
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// A value the generated code can write as JSON.
public protocol JSONWritable {
    func writeJSON(to out: inout JSONOutput)
}

extension JSONWritable {
    /// The value alone as JSON bytes.
    public var jsonBytes: [UInt8] {
        var out = JSONOutput()
        writeJSON(to: &out)
        return out.bytes
    }
}
