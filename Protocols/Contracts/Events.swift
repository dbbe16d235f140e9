import Wire

/// Events between services (P2). A service's outbox relay calls `Deliver` on each
/// subscriber with a batch of events in commit order; the subscriber applies each one
/// at most once (its inbox) and answers OK only when all of them are stored. Any other
/// answer, or none, and the relay sends the same batch again later.
public enum Events {
    public static let service = "switchboard.events.Events"

    /// Idempotent by construction: the subscriber's inbox ignores event ids it has seen.
    public static let deliver = MethodDescriptor<EventBatch, Empty>(service: service, method: "Deliver", isIdempotent: true)
}

/// One event as it travels: the envelope PROTOCOL.md describes, its payload a message
/// of the contract named by `type` (e.g. ``ContactMerged`` for `contact.merged`).
public struct EventEnvelope: WireMessage, Equatable {
    /// Unique across all services (a UUID); the inbox's key.
    public var id = ""
    /// `<aggregate>.<what happened>`, e.g. `deal.stage_changed`.
    public var type = ""
    /// The deal, contact... the event is about; events of one aggregate arrive in order.
    public var aggregateID = ""
    /// The sender's outbox position: increasing, with gaps (other subscribers' types).
    public var sequence: Int64 = 0
    public var occurredAtMilliseconds: Int64 = 0
    /// The service that emitted it.
    public var source = ""
    public var payload: [UInt8] = []

    public init() {}
    public init(
        id: String, type: String, aggregateID: String, sequence: Int64, occurredAtMilliseconds: Int64, source: String,
        payload: [UInt8]
    ) {
        self.id = id
        self.type = type
        self.aggregateID = aggregateID
        self.sequence = sequence
        self.occurredAtMilliseconds = occurredAtMilliseconds
        self.source = source
        self.payload = payload
    }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, type)
        e.encode(3, aggregateID)
        e.encode(4, sequence)
        e.encode(5, occurredAtMilliseconds)
        e.encode(6, source)
        e.encodeBytes(7, payload)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.string(key)
        case 2: type = try d.string(key)
        case 3: aggregateID = try d.string(key)
        case 4: sequence = try d.int64(key)
        case 5: occurredAtMilliseconds = try d.int64(key)
        case 6: source = try d.string(key)
        case 7: payload = try d.bytes(key)
        default: try d.skip(key)
        }
    }
}

/// Events in the order their sender committed them.
public struct EventBatch: WireMessage, Equatable {
    public var events: [EventEnvelope] = []

    public init() {}
    public init(events: [EventEnvelope]) { self.events = events }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, events)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &events)
        default: try d.skip(key)
        }
    }
}
