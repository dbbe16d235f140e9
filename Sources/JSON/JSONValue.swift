/// A parsed JSON document as values, for reading request bodies strictly: numbers keep
/// the text they were written with (so 2.0, 1e18 and integers past Int64 are told apart
/// from whole numbers instead of being rounded), objects keep their keys in order, and
/// true/false are never numbers.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// What the value is, in words for an error message ("a string", "an array").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case let .number(n): n.isInteger ? "a whole number" : "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON number as written, read by its exact decimal value: 2, 2.0 and 20e-1 are all
/// the whole number 2 (JSON and JSON Schema do not tell them apart), 2.5 is not a whole
/// number, and an integer past Int64 is never rounded into range.
public struct JSONNumber: Sendable, Equatable {
    public let text: String

    public init(text: String) {
        self.text = text
    }

    /// The digits without leading zeros and the power of ten they are scaled by, trailing
    /// zeros folded into the exponent; nil exponent for an exponent too large to matter.
    private var decimal: (negative: Bool, digits: [UInt8], exponent: Int) {
        let b = Array(text.utf8)
        var i = 0
        let negative = b.first == UInt8(ascii: "-")
        if negative { i += 1 }
        var digits: [UInt8] = []
        var exponent = 0
        while i < b.count, (48...57).contains(b[i]) { digits.append(b[i] - 48); i += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, (48...57).contains(b[i]) { digits.append(b[i] - 48); exponent -= 1; i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var sign = 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                if b[i] == UInt8(ascii: "-") { sign = -1 }
                i += 1
            }
            var e = 0
            while i < b.count, (48...57).contains(b[i]) {
                e = min(e * 10 + Int(b[i] - 48), 1_000_000)
                i += 1
            }
            exponent += sign * e
        }
        while let first = digits.first, first == 0 { digits.removeFirst() }
        while let last = digits.last, last == 0, exponent < 0 {
            digits.removeLast()
            exponent += 1
        }
        return (negative, digits, exponent)
    }

    /// True when the value is a whole number (of any size).
    public var isInteger: Bool {
        let d = decimal
        return d.digits.isEmpty || d.exponent >= 0
    }

    /// The value when it is a whole number within Int64; nil otherwise.
    public var int64: Int64? {
        let d = decimal
        if d.digits.isEmpty { return 0 }
        guard d.exponent >= 0, d.digits.count + d.exponent <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for digit in d.digits + [UInt8](repeating: 0, count: d.exponent) {
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            magnitude = plus
        }
        if d.negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    public var double: Double? { Double(text) }
}

/// A JSON object's members in the order they were written (keys are unique: the
/// parser refuses duplicates).
public struct JSONObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    public subscript(key: String) -> JSONValue? {
        members.first { $0.key == key }?.value
    }

    public var keys: [String] { members.map(\.key) }
    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key, value))
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONValue {
    /// The value as plain Swift values (`String`, `Int64`, `Double`, `Bool`, `[Any]`,
    /// `[String: Any]`, and `NSNull`-free `Optional<Any>.none` for null), for code that
    /// assembles documents as dictionaries. Unlike JSONSerialization on Linux, a number
    /// never turns into a boolean on the way.
    public var plainValue: Any {
        switch self {
        case .null: return JSONNull()
        case let .bool(b): return b
        case let .number(n): return n.int64.map { $0 as Any } ?? (n.double ?? 0)
        case let .string(s): return s
        case let .array(items): return items.map(\.plainValue)
        case let .object(o): return Dictionary(o.members.map { ($0.key, $0.value.plainValue) }, uniquingKeysWith: { a, _ in a })
        }
    }
}

/// JSON null among plain values.
public struct JSONNull: Sendable, Equatable {
    public init() {}
}
