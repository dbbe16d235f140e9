import Foundation
import JSON
import Glibc

/// Writes the JSON the gateway sends. Foundation's JSONSerialization on Linux sorts keys
/// with locale-aware comparison and bridges every value: measured, it took 73% of the
/// gateway's time. This writes Swift dictionaries, arrays, strings, numbers, booleans
/// and NSNull directly, with keys sorted bytewise so output is stable.
public enum JSONWriter {
    public static func encode(_ value: Any) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(value, into: &out)
        return out
    }

    static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let raw as RawJSON: out.append(contentsOf: raw.bytes)
        case is JSONNull: out.append(contentsOf: "null".utf8)
        case let s as String: writeString(s, into: &out)
        case let b as Bool: out.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case let i as Int: out.append(contentsOf: String(i).utf8)
        case let i as Int64: out.append(contentsOf: String(i).utf8)
        case let d as Double: out.append(contentsOf: (d.isFinite ? String(d) : "null").utf8)
        case let a as [Any]:
            out.append(UInt8(ascii: "["))
            for (i, element) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let o as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (i, entry) in o.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(entry.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(entry.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        default:
            out.append(contentsOf: "null".utf8)
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copied whole.
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
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(contentsOf: Array(String(byte >> 4, radix: 16).utf8))
                out.append(contentsOf: Array(String(byte & 0xF, radix: 16).utf8))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `2026-11-23T01:26:26.846Z` for UTC milliseconds since 1970.
    public static func timestamp(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let ms = Int32(((milliseconds % 1000) + 1000) % 1000)
        // Digits written straight into 24 bytes: this runs twice for every contact sent.
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ n: Int32, _ width: Int, at start: Int) {
            var n = max(0, n)
            for i in stride(from: start + width - 1, through: start, by: -1) {
                bytes[i] = UInt8(48 + n % 10)
                n /= 10
            }
        }
        put(parts.tm_year + 1900, 4, at: 0)
        put(parts.tm_mon + 1, 2, at: 5)
        put(parts.tm_mday, 2, at: 8)
        put(parts.tm_hour, 2, at: 11)
        put(parts.tm_min, 2, at: 14)
        put(parts.tm_sec, 2, at: 17)
        put(ms, 3, at: 20)
        for (index, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")] as [(Int, Unicode.Scalar)] {
            bytes[index] = UInt8(ascii: separator)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// JSON already written (by ``JSONObjectWriter``), placed as it is wherever it stands
/// in a value ``JSONWriter`` writes.
public struct RawJSON: Sendable {
    public let bytes: [UInt8]
}

/// Writes one JSON object field by field, for the responses sent most (a contact),
/// without building a dictionary of `Any` first. Callers give keys in bytewise order,
/// as ``JSONWriter`` sorts them.
struct JSONObjectWriter {
    private var out: [UInt8] = [UInt8(ascii: "{")]

    private mutating func key(_ name: String) {
        if out.count > 1 { out.append(UInt8(ascii: ",")) }
        JSONWriter.writeString(name, into: &out)
        out.append(UInt8(ascii: ":"))
    }

    mutating func field(_ name: String, _ value: String) {
        key(name)
        JSONWriter.writeString(value, into: &out)
    }

    mutating func field(_ name: String, _ value: Int64) {
        key(name)
        out.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: String, _ value: Bool) {
        key(name)
        out.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    mutating func field(_ name: String, _ values: [String]) {
        key(name)
        out.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(value, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func field(_ name: String, _ value: RawJSON) {
        key(name)
        out.append(contentsOf: value.bytes)
    }

    mutating func field(_ name: String, objects: [RawJSON]) {
        key(name)
        out.append(UInt8(ascii: "["))
        for (i, value) in objects.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: value.bytes)
        }
        out.append(UInt8(ascii: "]"))
    }

    consuming func finish() -> RawJSON {
        out.append(UInt8(ascii: "}"))
        return RawJSON(bytes: out)
    }
}
