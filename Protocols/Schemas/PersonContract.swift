import ContractSchema

/// C8 (issue 29): erasing a person. The gateway runs the erasure as a job and asks each
/// service, in turn, to erase what it holds about the person; each answers what it did
/// with its own rules (what goes, what stays anonymous, what money records keep).
public let personContract = ContractFile("Person") {
    Message("ErasePersonRequest", doc: """
        C8: one person to erase, as the gateway found them when the erasure began (their record
        may be gone by the time a later step runs). A service uses what it keys its records by.
        """) {
        Field(1, "contactID", .int64)
        Field(2, "phones", .repeated(.string), doc: "Their numbers, normalized (E.164).")
        Field(3, "emails", .repeated(.string), doc: "Their addresses, normalized.")
        Field(4, "names", .repeated(.string), doc: "Their first, last and company names as written.")
        Field(5, "dealIDs", .repeated(.int64), doc: "Their deals (the contact's and those merged into it).")
        Field(6, "erasedAtMilliseconds", .int64, doc: "When the erasure was asked for.").timestamp()
    }
    Message("ErasedCount", doc: "How many records of one kind a service erased or anonymised.", rest: [.output]) {
        Field(1, "kind", .string, doc: "`contacts`, `timeline`, `calls`, `sends`, `events`, `hooks`, ...")
        Field(2, "count", .int64)
    }
    Message("ErasureReport", doc: "C8: what one service did for an erasure.", rest: [.output]) {
        Field(1, "erased", .repeated(.message("ErasedCount")), doc: "What went or was anonymised, by kind; kinds with none left out.")
        Field(2, "waiting", .int64, doc: """
            Events about the person not yet delivered to every subscriber: they are erased once delivered, so the \
            step is tried again.
            """).omitEmpty()
    }
    Enumeration("ErasureState", doc: "C8: where an erasure is.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "running", doc: "Steps remain; a service down is waited for and tried again.")
        Enumeration.Case(2, "done", doc: "Every service erased what it held.")
    }
    Message("ErasureStep", doc: "C8: one service's part of an erasure.", rest: [.output]) {
        Field(1, "service", .string, doc: "`deals`, `scheduling`, `telephony`, `notifications`, `billing`, `gateway`, `contacts` (in that order).")
        Field(2, "done", .bool)
        Field(3, "report", .message("ErasureReport"), doc: "What it did (once done; while waiting, what it did so far).")
        Field(4, "attempts", .int64)
        Field(5, "lastError", .string, doc: "Why the last attempt did not finish the step.").omitEmpty()
        Field(6, "finishedAtMilliseconds", .optional(.int64)).timestamp()
    }
    Message("PersonErasure", doc: """
        C8: a person's erasure (POST /v1/contacts/{id}/erase), durable: it resumes after a restart at the \
        first step not done. The identifiers it carries while running are dropped when it is done.
        """, rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "contactID", .int64)
        Field(3, "state", .enumeration("ErasureState"))
        Field(4, "steps", .repeated(.message("ErasureStep")))
        Field(5, "requestedBy", .string, doc: "The credential that asked.")
        Field(6, "createdAtMilliseconds", .int64).timestamp()
        Field(7, "finishedAtMilliseconds", .optional(.int64)).timestamp()
        Field(8, "person", .optional(.message("ErasePersonRequest")), doc: "What the steps erase; kept only while running.").hidden()
    }
}
