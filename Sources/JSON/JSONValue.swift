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

/// A JSON number as written. `isInteger` is true only for an integer literal: no
/// fraction, no exponent.
public struct JSONNumber: Sendable, Equatable {
    public let text: String

    public init(text: String) {
        self.text = text
    }

    public var isInteger: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } }

    /// The value when it is an integer literal that fits in Int64; nil otherwise.
    public var int64: Int64? { isInteger ? Int64(text) : nil }

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
