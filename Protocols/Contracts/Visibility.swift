import Wire

/// G3: what a caller may see, as the gateway works it out from its token and passes
/// on in every request that reads or writes on a caller's behalf. Unrestricted for
/// admins and integrations (and for calls between services, which send none); else
/// only what `staffIDs` (the caller and, for a manager, their team) are responsible
/// for: deals by responsible, tasks by assignee, contacts by responsible (contacts
/// nobody is responsible for are the shared pool every staff member sees).
public struct Visibility: WireMessage, Equatable {
    public var restricted: Bool = false
    public var staffIDs: [Int64] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, restricted)
        e.encode(2, staffIDs)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: restricted = try d.bool(key)
        case 2: try d.append(key, to: &staffIDs)
        default: try d.skip(key)
        }
    }
}
