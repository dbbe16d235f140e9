import ContractSchema

/// P5 (issue 29): the gateway's audit log of who changed or exported what, and who was
/// refused. Each entry carries the SHA-256 of the one before it, so a removed or edited
/// entry breaks the chain where it stood.
public let auditContract = ContractFile("Audit") {
    Enumeration("AuditAction", doc: "P5: what an audit entry records.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "change", doc: "A request that changed something (POST, PATCH, PUT, DELETE answered below 400).")
        Enumeration.Case(2, "export", doc: "A request that took data out: a CSV, the account export, a person's export.")
        Enumeration.Case(3, "denied", doc: "A request refused as unauthenticated (401) or not allowed (403).")
        Enumeration.Case(4, "pruned", doc: "Entries older than the retention were removed; this entry says through which.")
    }
    Message("AuditEntry", doc: "P5: one audited request.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "atMilliseconds", .int64).timestamp().named("at")
        Field(3, "action", .enumeration("AuditAction"))
        Field(4, "credentialID", .optional(.int64), doc: "The API credential used, when one was.")
        Field(5, "role", .string, doc: "The caller's role: admin, integration, reader, staff; empty when refused unknown.").omitEmpty()
        Field(6, "staffID", .optional(.int64), doc: "The staff member who acted (a staff token or a console session).")
        Field(7, "address", .string, doc: "The client's address.")
        Field(8, "method", .string)
        Field(9, "route", .string, doc: "The route's pattern (`/v1/deals/{id}`).")
        Field(10, "path", .string, doc: "The path as asked, without its query.")
        Field(11, "entity", .string, doc: "What it was about (`deals`, `contacts`, `admin/credentials`).")
        Field(12, "entityID", .string, doc: "Its id, when the path or the answer named one.").omitEmpty()
        Field(13, "status", .int64, doc: "The HTTP status answered.")
        Field(14, "requestID", .string)
        Field(15, "before", .string, doc: "For an admin's change, a deletion or a merge of a thing that can be read: its changed fields before, as JSON.").omitEmpty()
        Field(16, "after", .string, doc: "... and after, as JSON.").omitEmpty()
        Field(17, "hash", .string, doc: "SHA-256 (hex) of the entry before's hash and this entry's fields (`before` and `after` by their digests).")
        Field(18, "beforeDigest", .string, doc: "SHA-256 (hex) of `before`: the chain holds it, so an erased person's `before` can go (C8) and the chain stay whole.").omitEmpty()
        Field(19, "afterDigest", .string, doc: "... and of `after`.").omitEmpty()
    }
    Message("AuditQuery", doc: "P5: audit entries, newest first; every filter set must hold.", rest: [.query]) {
        Field(1, "staffID", .optional(.int64), doc: "Who: a staff member.").minimum(1)
        Field(2, "credentialID", .optional(.int64), doc: "Who: an API credential.").minimum(1)
        Field(3, "entity", .string, doc: "What: `deals`, `contacts`, ...").length(max: 100)
        Field(4, "entityID", .string, doc: "What: its id.").length(max: 100)
        Field(5, "action", .enumeration("AuditAction")).allowed("change", "export", "denied", "pruned")
        Field(6, "fromMilliseconds", .optional(.int64), doc: "At or after.").timestamp().named("from")
        Field(7, "toMilliseconds", .optional(.int64), doc: "Before.").timestamp().named("to")
        Field(8, "pageSize", .int64, doc: "1...500; absent: 100.").named("limit").minimum(1).maximum(500)
        Field(9, "cursor", .string, doc: "From the previous page's `nextCursor`.").length(max: 200)
    }
    Message("AuditPage", rest: [.output]) {
        Field(1, "entries", .repeated(.message("AuditEntry"))).named("items")
        Field(2, "nextCursor", .string).omitEmpty()
    }
    Message("AuditVerification", doc: "P5: the chain checked from the oldest entry kept to the newest.", rest: [.output]) {
        Field(1, "intact", .bool, doc: "Every entry's hash is what its fields and the entry before make.")
        Field(2, "checked", .int64, doc: "Entries checked.")
        Field(3, "firstBrokenID", .optional(.int64), doc: "The first entry whose hash does not hold: it, or one before it, was edited or removed.")
    }
}
