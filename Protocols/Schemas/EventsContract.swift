import ContractSchema

/// The Events contract: every message, enumeration and method, declared once.
public let eventsContract = ContractFile("Events") {
    Service("Events", id: "switchboard.events.Events", callers: CallerIdentity.services, doc: """
        Events between services (P2). A service's outbox relay calls `Deliver` on each
        subscriber with a batch of events in commit order; the subscriber applies each one
        at most once (its inbox) and answers OK only when all of them are stored. Any other
        answer, or none, and the relay sends the same batch again later.
        """) {
        Service.Method("deliver", "Deliver", "EventBatch", "DeliveryReport", idempotent: true, doc: """
            Idempotent by construction: the subscriber's inbox ignores event ids it has seen. OK
            means every event was taken or refused (listed in the report); any other status
            means none was, and the sender tries the batch again later.
            """)
    }
    Service("EventAdmin", id: "switchboard.events.EventAdmin", callers: [CallerIdentity.gateway], doc: """
        Every service's parked events (P2): events a subscriber refused for their own
        reasons, held (with the later events of the same aggregate) so the rest flows. An
        admin lists them, replays them after a fix, or discards them.
        """) {
        Service.Method("listParked", "ListParked", "ListParkedRequest", "ParkedEventList", idempotent: true)
        Service.Method("replayParked", "ReplayParked", "ParkedEventRequest", "ReplayOutcome", doc: """
            Sends the parked event and the events of its aggregate held behind it to the
            subscriber again, in order.
            """)
        Service.Method("discardParked", "DiscardParked", "ParkedEventRequest", "ReplayOutcome", doc: """
            Gives up on the event (it is never delivered); the events held behind it are sent. Only a refused event can be discarded, not one waiting behind it.
            """)
        Service.Method("tail", "Tail", "TailRequest", "TailPage", idempotent: true, doc: """
            G6 (issue 27 item 4): the events committed after the cursors, of the types asked, oldest first, read from the \
            outbox without being anyone's delivery: the gateway's live feed follows them for the people on the console. \
            Without cursors (or with a count that is not the service's number of event files), the answer has no events and \
            the cursors where each file ends now.
            """)
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
        Field(8, "traceparent", .string, doc: "P5: the W3C traceparent of the work that published it; empty when none.")
    }
    Message("EventBatch", doc: "Events in the order their sender committed them.") {
        Field(1, "events", .repeated(.message("EventEnvelope")))
    }
    Message("RefusedEvent", doc: "An event of a batch the subscriber did not take, and why.") {
        Field(1, "eventID", .string)
        Field(2, "code", .int64, doc: "The status code (PROTOCOL.md §3) its handler answered.")
        Field(3, "message", .string)
        Field(4, "heldBehind", .string, doc: "Set when it was not tried: an earlier event of its aggregate was refused (that one's id).")
    }
    Message("DeliveryReport", doc: "A subscriber's answer to a batch: the events it refused (none: all taken).") {
        Field(1, "refused", .repeated(.message("RefusedEvent")))
    }
    Message("ParkedEvent", doc: "An event held for one subscriber (P2).", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "subscriber", .string)
        Field(3, "eventID", .string)
        Field(4, "type", .string)
        Field(5, "aggregateID", .string)
        Field(6, "sequence", .int64)
        Field(7, "code", .string, doc: "The status the subscriber answered (`waiting` for an event held behind another).")
        Field(8, "message", .string)
        Field(9, "attempts", .int64)
        Field(10, "parkedAtMilliseconds", .int64).timestamp()
        Field(11, "lastAttemptAtMilliseconds", .int64).timestamp()
        Field(12, "heldBehind", .string, doc: "The parked event this one waits behind, if it was not refused itself.")
    }
    Message("ListParkedRequest", rest: [.query]) {
        Field(1, "subscriber", .string, doc: "Only this subscriber's (empty: all).").length(max: 100)
        Field(2, "pageSize", .int64).named("limit").minimum(1).maximum(500)
        Field(3, "cursor", .string).length(max: 200)
    }
    Message("ParkedEventList", rest: [.output]) {
        Field(1, "events", .repeated(.message("ParkedEvent"))).named("items")
        Field(2, "nextCursor", .string).omitEmpty()
    }
    Message("TailRequest", doc: "What a live feed asks a service for (G6).") {
        Field(1, "cursors", .repeated(.int64), doc: "Per event file (the service's own first, then any shards): the last sequence seen.")
        Field(2, "types", .repeated(.string), doc: "The event types wanted (none: every type).")
        Field(3, "limit", .int64, doc: "1...1000 events; 0 means 200.")
    }
    Message("TailPage", doc: "Events after the cursors, and the cursors to ask with next.") {
        Field(1, "events", .repeated(.message("EventEnvelope")))
        Field(2, "cursors", .repeated(.int64))
    }
    Message("ParkedEventRequest") {
        Field(1, "id", .int64)
    }
    Message("ReplayOutcome", rest: [.output]) {
        Field(1, "delivered", .int64, doc: "Events the subscriber took.")
        Field(2, "stillParked", .repeated(.message("ParkedEvent")), doc: "What it refused again (and what waits behind it).")
    }
}
