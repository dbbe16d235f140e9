/// The type of a message field on the wire and in Swift. `optional` fields are written
/// whenever set (so 0 and "not set" differ); plain ones are left out when they hold
/// their default; `repeated` writes one field per element.
public indirect enum FieldType: Sendable, Equatable {
    case int64
    case string
    case bool
    case double
    case bytes
    /// An enumeration declared in some contract file, by its Swift name.
    case enumeration(String)
    /// A message declared in some contract file (or `Empty`), by its Swift name.
    case message(String)
    case optional(FieldType)
    case repeated(FieldType)

    /// The type with any `optional`/`repeated` taken off.
    public var base: FieldType {
        switch self {
        case let .optional(t), let .repeated(t): t.base
        default: self
        }
    }

    public var isOptional: Bool { if case .optional = self { true } else { false } }
    public var isRepeated: Bool { if case .repeated = self { true } else { false } }
}
