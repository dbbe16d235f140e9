/// A message of the tag-based codec (PROTOCOL.md "Message codec"), declared once: the
/// generator writes its Swift struct, codec and, where it crosses the gateway, its
/// JSON reader, writer and OpenAPI schema.
public struct Message: Sendable, Equatable {
    public let name: String
    public let doc: String?
    public let fields: [Field]
    /// Numbers and names once used and given up: never to be used again, so an old peer
    /// never reads a new field as the old one.
    public let reservedNumbers: [Int]
    public let reservedNames: [String]
    /// Extra protocols the struct conforms to (`Hashable`).
    public let conformances: [String]
    /// Where the message crosses the gateway (none: services only).
    public let rest: RESTUse
    /// The name of its OpenAPI schema, when not the Swift name.
    public let restName: String?

    public init(
        _ name: String, doc: String? = nil, conformances: [String] = [], reserved: [Int] = [], reservedNames: [String] = [],
        rest: RESTUse = [], restName: String? = nil, @FieldBuilder fields: () -> [Field]
    ) {
        self.rest = rest
        self.restName = restName
        self.name = name
        self.doc = doc
        self.conformances = conformances
        self.reservedNumbers = reserved
        self.reservedNames = reservedNames
        self.fields = fields()
    }

    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// The fields a patch may change (those a request sets, but not on create only), each
    /// as a patch takes it: never required, and an optional one may be null to clear it.
    public var patchableFields: [Field] {
        fields.filter { $0.json.exposure.isInput && !$0.json.setOnCreate && !$0.json.inline }.map { f in
            f.json {
                $0.required = false
                $0.nullable = f.type.isOptional
                $0.nullSets = nil
                $0.presenceSets = nil
            }
        }
    }

    /// The messages this one's patch fields change (``JSONFace/patchMask``).
    public var patchTargets: [String] {
        fields.compactMap { f in
            guard f.json.patchMask != nil, case let .message(name) = f.type else { return nil }
            return name
        }
    }
}

@resultBuilder
public enum FieldBuilder {
    public static func buildExpression(_ field: Field) -> [Field] { [field] }
    public static func buildExpression(_ fields: [Field]) -> [Field] { fields }
    public static func buildBlock(_ parts: [Field]...) -> [Field] { parts.flatMap { $0 } }
}

/// How a message is used at the gateway: written in answers, read from request bodies,
/// read from a query string.
public struct RESTUse: OptionSet, Sendable, Equatable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let output = RESTUse(rawValue: 1)
    public static let input = RESTUse(rawValue: 2)
    public static let query = RESTUse(rawValue: 4)
}
