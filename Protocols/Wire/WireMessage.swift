/// A message in the tag-based codec. Conformers list their fields by number in
/// `encode(to:)` and `decodeField(_:from:)`; `init()` gives every field its default, so
/// fields a peer leaves out read as defaults and fields a reader does not know are skipped.
public protocol WireMessage: Sendable {
    init()
    func encode(to encoder: inout WireEncoder)
    /// Reads one field into `self`. Unknown numbers must call `decoder.skip(key)`.
    mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError)
}

extension WireMessage {
    public init(from decoder: inout WireDecoder) throws(WireError) {
        self.init()
        while let key = try decoder.nextField() {
            try decodeField(key, from: &decoder)
        }
    }

    public init(wireBytes: [UInt8], limits: WireLimits = .default) throws(WireError) {
        var decoder = WireDecoder(bytes: wireBytes, limits: limits)
        try self.init(from: &decoder)
    }

    public func wireBytes() -> [UInt8] {
        var encoder = WireEncoder()
        encode(to: &encoder)
        return encoder.bytes
    }
}

/// An enumeration carried as a varint. Values a reader does not know (added by a newer
/// peer) decode as `unrecognized` instead of failing.
public protocol WireEnum: RawRepresentable, Sendable where RawValue == Int {
    static var unrecognized: Self { get }
}

/// The empty message: for methods that take or return nothing.
public struct Empty: WireMessage, Equatable {
    public init() {}
    public func encode(to encoder: inout WireEncoder) {}
    public mutating func decodeField(_ key: FieldKey, from decoder: inout WireDecoder) throws(WireError) {
        try decoder.skip(key)
    }
}
