/// One numbered field of a message: its number is its identity on the wire (never
/// reused, see ``Message/reserved``), its name its identity in Swift and, unless
/// ``JSONFace`` says otherwise, in JSON.
public struct Field: Sendable, Equatable {
    public let number: Int
    public let name: String
    public let type: FieldType
    public let doc: String?
    public var json: JSONFace

    public init(_ number: Int, _ name: String, _ type: FieldType, doc: String? = nil, json: JSONFace = JSONFace()) {
        self.number = number
        self.name = name
        self.type = type
        self.doc = doc
        self.json = json
    }

    /// The same field with its REST face changed.
    public func json(_ change: (inout JSONFace) -> Void) -> Field {
        var copy = self
        change(&copy.json)
        return copy
    }
}
