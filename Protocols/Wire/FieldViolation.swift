/// Which field of a request was wrong and why: the detail behind `invalid_argument`
/// that lets a caller point at the exact input to fix.
public struct FieldViolation: WireMessage, Equatable, Hashable {
    /// A dotted path to the field, e.g. `phones[1]` or `source.utm_campaign`.
    public var field: String = ""
    public var description: String = ""

    public init() {}

    public init(field: String, description: String) {
        self.field = field
        self.description = description
    }

    public func encode(to encoder: inout WireEncoder) {
        encoder.encode(1, field)
        encoder.encode(2, description)
    }

    public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: field = try decoder.string(key)
        case 2: description = try decoder.string(key)
        default: try decoder.skip(key)
        }
    }
}
