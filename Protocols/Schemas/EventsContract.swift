import ContractSchema

/// The Events contract: every message, enumeration and method, declared once.
public let eventsContract = ContractFile("Events") {
    Service("Events", id: "switchboard.events.Events", doc: """
        Events between services (P2). A service's outbox relay calls `Deliver` on each
        subscriber with a batch of events in commit order; the subscriber applies each one
        at most once (its inbox) and answers OK only when all of them are stored. Any other
        answer, or none, and the relay sends the same batch again later.
        """) {
        Service.Method("deliver", "Deliver", "EventBatch", "Empty", idempotent: true, doc: "Idempotent by construction: the subscriber's inbox ignores event ids it has seen.")
    }
    Message("EventEnvelope", doc: """
        One event as it travels: the envelope PROTOCOL.md describes, its payload a message
        of the contract named by `type` (e.g. ``ContactMerged`` for `contact.merged`).
        """) {
        Field(1, "id", .string, doc: "Unique across all services (a UUID); the inbox's key.")
        Field(2, "type", .string, doc: "`<aggregate>.<what happened>`, e.g. `deal.stage_changed`.")
        Field(3, "aggregateID", .string, doc: "The deal, contact... the event is about; events of one aggregate arrive in order.")
        Field(4, "sequence", .int64, doc: "The sender's outbox position: increasing, with gaps (other subscribers' types).")
        Field(5, "occurredAtMilliseconds", .int64)
        Field(6, "source", .string, doc: "The service that emitted it.")
        Field(7, "payload", .bytes)
    }
    Message("EventBatch", doc: "Events in the order their sender committed them.") {
        Field(1, "events", .repeated(.message("EventEnvelope")))
    }
}
