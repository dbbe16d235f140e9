import ContractSchema

/// G7 (issue 28): moving in and out. One line of an import file is an ``ImportRow``; the
/// same rows are what `GET /v1/exports/account` writes, so an export imports as it is.
/// Contacts takes the staff and contact rows, deals the rest, each keeping the
/// (source, external id) of what it made so a second import updates instead of adding.
public let movingContract = ContractFile("Moving") {
    Enumeration("ImportKind", doc: "G7: what an import row holds.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "staff")
        Enumeration.Case(2, "contact")
        Enumeration.Case(3, "pipeline")
        Enumeration.Case(4, "stage")
        Enumeration.Case(5, "deal")
        Enumeration.Case(6, "task")
        Enumeration.Case(7, "note")
        Enumeration.Case(8, "activity")
    }
    Message("ImportedStaff", doc: "G7: a member of staff; matched to an existing one by email.", rest: [.input, .output]) {
        Field(1, "externalID", .string, doc: "Their id in the system they come from.").required().length(max: 200, min: 1).line()
        Field(2, "firstName", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "lastName", .string).length(max: 200).line().omitEmpty()
        Field(4, "role", .enumeration("StaffRole"), doc: "Absent: operator.").omitEmpty()
        Field(5, "email", .string).length(max: 254).omitEmpty()
        Field(6, "extensions", .repeated(.string)).items(max: 20).length(max: 6).digits().omitEmpty()
        Field(7, "mobiles", .repeated(.string)).items(max: 20).length(max: 50).omitEmpty()
    }
    Message("ImportedContact", doc: """
        G7: a person. It goes through match-or-create (C2): a person already here by email or \
        phone is matched, not made twice.
        """, rest: [.input, .output]) {
        Field(1, "externalID", .string).required().length(max: 200, min: 1).line()
        Field(2, "firstName", .string).length(max: 200).line().omitEmpty()
        Field(3, "lastName", .string).length(max: 200).line().omitEmpty()
        Field(4, "emails", .repeated(.string)).items(max: 20).length(max: 254).omitEmpty()
        Field(5, "phones", .repeated(.string)).items(max: 20).length(max: 50).omitEmpty()
        Field(6, "company", .string, doc: "The company they work for, by name.").length(max: 200).line().omitEmpty()
        Field(7, "tags", .repeated(.string)).items(max: 50).length(max: 100, min: 1).omitEmpty()
        Field(8, "responsible", .string, doc: "A staff member: their external id, email or full name.").length(max: 254).omitEmpty()
        Field(9, "customFields", .repeated(.message("CustomField"))).nameValue(maxItems: 100, maxValueLength: 4000).omitEmpty()
        Field(10, "createdAtMilliseconds", .optional(.int64), doc: "When it was made there; absent: now.").timestamp().omitEmpty()
        Field(11, "channel", .string, doc: "Where the person came from (C1's source channel).").length(max: 50).omitEmpty()
    }
    Message("ImportedStage", doc: "G7: a stage of an imported pipeline, in order.", rest: [.input, .output]) {
        Field(1, "externalID", .string, doc: "Its id there (amoCRM's status id); absent: known by its name.").length(max: 200).line().omitEmpty()
        Field(2, "name", .string).required().length(max: 100, min: 1).oneLineName()
        Field(3, "outcome", .enumeration("StageOutcome"), doc: "Absent: a working stage.").allowed("in_progress", "won", "lost").omitEmpty()
    }
    Message("ImportedPipeline", doc: """
        G7: a pipeline and its stages. Imported again, it gains the stages it lacks; stages \
        already here stay.
        """, rest: [.input, .output]) {
        Field(1, "externalID", .string).required().length(max: 200, min: 1).line()
        Field(2, "name", .string).required().length(max: 100, min: 1).oneLineName()
        Field(3, "stages", .repeated(.message("ImportedStage"))).required().items(min: 1, max: 50)
    }
    Message("ImportedDeal", doc: """
        G7: a deal with its history's dates. Its pipeline and stage are named by external id or \
        by name; a deal on a won or lost stage is closed (at `closedAt`, else its creation).
        """, rest: [.input, .output]) {
        Field(1, "externalID", .string).required().length(max: 200, min: 1).line()
        Field(2, "title", .string).required().length(max: 300, min: 1).oneLineName()
        Field(3, "contact", .string, doc: "The contact's external id (a contact row of the same source).").required().length(max: 200, min: 1)
        Field(4, "pipeline", .string, doc: "External id or name; absent: the default pipeline.").length(max: 200).omitEmpty()
        Field(5, "stage", .string, doc: "External id or name within the pipeline; absent: its first working stage.").length(max: 200).omitEmpty()
        Field(6, "responsible", .string, doc: "A staff member: their external id, email or full name.").length(max: 254).omitEmpty()
        Field(7, "amountMinor", .int64).minimum(0).maximum(moneyCeiling).omitEmpty()
        Field(8, "currency", .string).currencyCode().omitEmpty()
        Field(9, "source", .string, doc: "The lead channel it came from (D7).").length(max: 50).omitEmpty()
        Field(10, "customFields", .repeated(.message("CustomField"))).nameValue(maxItems: 100, maxValueLength: 4000).omitEmpty()
        Field(11, "createdAtMilliseconds", .optional(.int64), doc: "When it was opened there; absent: now.").timestamp().omitEmpty()
        Field(12, "closedAtMilliseconds", .optional(.int64), doc: "When it was won or lost there.").timestamp().omitEmpty()
        Field(13, "lossReason", .string).length(max: 1000).omitEmpty()
    }
    Message("ImportedTask", doc: "G7: a task on an imported deal or contact.", rest: [.input, .output]) {
        Field(1, "externalID", .string).required().length(max: 200, min: 1).line()
        Field(2, "deal", .string, doc: "The deal's external id; or `contact`.").length(max: 200).omitEmpty()
        Field(3, "contact", .string, doc: "The contact's external id, for a task on a contact.").length(max: 200).omitEmpty()
        Field(4, "kind", .enumeration("TaskKind"), doc: "Absent: follow_up.").allowed("call_back", "follow_up", "meeting", "custom").omitEmpty()
        Field(5, "title", .string).length(max: 500).omitEmpty()
        Field(6, "assignee", .string, doc: "A staff member: their external id, email or full name.").length(max: 254).omitEmpty()
        Field(7, "dueAtMilliseconds", .optional(.int64)).timestamp().omitEmpty()
        Field(8, "status", .enumeration("TaskStatus"), doc: "Absent: open.").allowed("open", "done", "cancelled").omitEmpty()
        Field(9, "createdAtMilliseconds", .optional(.int64)).timestamp().omitEmpty()
        Field(10, "completedAtMilliseconds", .optional(.int64), doc: "For a done or cancelled task.").timestamp().omitEmpty()
    }
    Message("ImportedNote", doc: "G7: a note on an imported deal or contact, at its original time.", rest: [.input, .output]) {
        Field(1, "externalID", .string).required().length(max: 200, min: 1).line()
        Field(2, "deal", .string, doc: "The deal's external id; or `contact`.").length(max: 200).omitEmpty()
        Field(3, "contact", .string).length(max: 200).omitEmpty()
        Field(4, "text", .string).required().length(max: 10_000, min: 1).nonBlank()
        Field(5, "author", .string, doc: "A staff member: their external id, email or full name.").length(max: 254).omitEmpty()
        Field(6, "createdAtMilliseconds", .optional(.int64)).timestamp().omitEmpty()
    }
    Message("ImportedActivity", doc: """
        G7: something that happened, for the timeline at its original time: a past call \
        (`kind` call), a message, a meeting, a stage change.
        """, rest: [.input, .output]) {
        Field(1, "externalID", .string).required().length(max: 200, min: 1).line()
        Field(2, "deal", .string, doc: "The deal's external id; or `contact`.").length(max: 200).omitEmpty()
        Field(3, "contact", .string).length(max: 200).omitEmpty()
        Field(4, "kind", .string, doc: "call, message, meeting, email, stage_change, ...").required().length(max: 50, min: 1).slug()
        Field(5, "atMilliseconds", .int64).required().timestamp()
        Field(6, "summary", .string, doc: "What the timeline says: for a call its direction, number, length and result.").length(max: 4000).omitEmpty()
        Field(7, "actor", .string, doc: "A staff member: their external id, email or full name.").length(max: 254).omitEmpty()
    }
    Message("ImportRow", doc: "G7: one line of an import (NDJSON): exactly one of its fields.", rest: [.input, .output]) {
        Field(1, "staff", .optional(.message("ImportedStaff"))).omitEmpty()
        Field(2, "contact", .optional(.message("ImportedContact"))).omitEmpty()
        Field(3, "pipeline", .optional(.message("ImportedPipeline"))).omitEmpty()
        Field(4, "deal", .optional(.message("ImportedDeal"))).omitEmpty()
        Field(5, "task", .optional(.message("ImportedTask"))).omitEmpty()
        Field(6, "note", .optional(.message("ImportedNote"))).omitEmpty()
        Field(7, "activity", .optional(.message("ImportedActivity"))).omitEmpty()
    }
    Message("ImportReference", doc: "G7: what an external id or name stands for here (0: made earlier in a dry run).") {
        Field(1, "kind", .enumeration("ImportKind"))
        Field(2, "reference", .string, doc: "The external id, email or name as the row has it.")
        Field(3, "id", .int64)
    }
    Message("ImportBatch", doc: "G7: consecutive rows of one import for the service that keeps them.") {
        Field(1, "source", .string, doc: "The system they come from (amocrm, bitrix24, suitecrm, hollihop, ...).")
        Field(2, "rows", .repeated(.message("ImportRow")))
        Field(3, "dryRun", .bool, doc: "Check every row as a real run would, keep nothing.")
        Field(4, "announce", .bool, doc: "Emit deal.created for new deals, so rules and webhooks hear of them.")
        Field(5, "references", .repeated(.message("ImportReference")), doc: "Contacts and staff the rows name, resolved by contacts.")
        Field(6, "live", .bool, doc: """
            Side by side (G7): changes happening now in the source system, from its webhooks. A deal known here moves \
            stage as a stage change (events, timeline, SLA) whose origin is the source, so it is never sent back there; \
            what a row leaves empty stays; a person it names who is not known here is left out, not refused.
            """)
    }
    Enumeration("ImportResult") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "created")
        Enumeration.Case(2, "updated")
        Enumeration.Case(3, "matched", doc: "A contact or staff member already here (C2) took the row.")
        Enumeration.Case(4, "refused")
    }
    Message("ImportProblem", doc: "G7: why a row was refused, by field.", rest: [.output]) {
        Field(1, "field", .string, doc: "The field's path in the row (`deal.stage`); empty for the row as a whole.")
        Field(2, "description", .string)
    }
    Message("ImportOutcome") {
        Field(1, "result", .enumeration("ImportResult"))
        Field(2, "id", .int64, doc: "What the row made or updated here.")
        Field(3, "problems", .repeated(.message("ImportProblem")))
    }
    Message("ImportOutcomes") {
        Field(1, "outcomes", .repeated(.message("ImportOutcome")), doc: "One per row, in order.")
    }
    Message("ResolveImportsRequest") {
        Field(1, "source", .string)
        Field(2, "references", .repeated(.message("ImportReference")), doc: "Staff and contacts to find; `id` ignored.")
    }
    Message("ImportReferences") {
        Field(1, "references", .repeated(.message("ImportReference")), doc: "Those found, in the order asked.")
    }
    Message("ExportRequest") {
        Field(1, "kind", .enumeration("ImportKind"))
        Field(2, "afterID", .int64)
        Field(3, "limit", .int64)
    }
    Message("ExportPage") {
        Field(1, "rows", .repeated(.message("ImportRow")))
        Field(2, "lastID", .int64, doc: "Ask again after it; 0 when there is no more.")
    }
    Enumeration("ImportState", doc: "G7: where an import is.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "receiving", doc: "Waiting for more parts of its file.")
        Enumeration.Case(2, "queued", doc: "Its file is whole; it runs after the imports before it.")
        Enumeration.Case(3, "running")
        Enumeration.Case(4, "done", doc: "Every row read; see the counts and the errors.")
        Enumeration.Case(5, "failed", doc: "Stopped on something no row caused (see failure): what it kept stays; send the file again to go on.")
        Enumeration.Case(6, "cancelled")
    }
    Enumeration("ImportFormat") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "ndjson", doc: "One ImportRow per line (`application/x-ndjson`).")
        Enumeration.Case(2, "csv", doc: "A header line, then one row of `kind` a line (`text/csv`, RFC 4180).")
    }
    Message("NewImport", doc: "G7: how to read the file sent as the body.", rest: [.query]) {
        Field(1, "source", .string, doc: "The system the rows come from: keys rows of the same source are updated by.").required().length(max: 50, min: 1).slug()
        Field(2, "kind", .enumeration("ImportKind"), doc: "For CSV: what each line is.").allowed("staff", "contact", "pipeline", "deal", "task", "note", "activity")
        Field(3, "dryRun", .bool, doc: "Check every row, write nothing; the errors list what a real run would refuse.")
        Field(4, "announce", .bool, doc: "New deals are announced (deal.created): rules and webhooks hear of them. Absent: history stays quiet.")
        Field(5, "more", .bool, doc: "More of the file follows in parts (POST /v1/imports/{id}/parts); it starts after the last.")
    }
    Message("ImportPart", doc: "G7: the next part of an import's file.", rest: [.query]) {
        Field(1, "more", .bool, doc: "More parts follow; absent: this is the last and the import starts.")
    }
    Message("ImportError", doc: "G7: a refused row: its line in the file and why, by field.", rest: [.output]) {
        Field(1, "line", .int64, doc: "1 for the file's first line (a CSV's header).")
        Field(2, "externalID", .string, doc: "The row's external id, when it had one.").omitEmpty()
        Field(3, "field", .string, doc: "The field's path in the row (`deal.stage`); empty for the row as a whole.")
        Field(4, "description", .string)
    }
    Message("ImportJob", doc: "G7: an import and how far it got.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "source", .string)
        Field(3, "format", .enumeration("ImportFormat"))
        Field(4, "kind", .enumeration("ImportKind"), doc: "A CSV's row kind.")
        Field(5, "dryRun", .bool)
        Field(6, "announce", .bool)
        Field(7, "state", .enumeration("ImportState"))
        Field(8, "createdAtMilliseconds", .int64).timestamp()
        Field(9, "finishedAtMilliseconds", .optional(.int64)).timestamp()
        Field(10, "createdBy", .string, doc: "The credential or person who sent it.")
        Field(11, "bytesReceived", .int64)
        Field(12, "bytesRead", .int64)
        Field(13, "rowsRead", .int64)
        Field(14, "created", .int64)
        Field(15, "updated", .int64)
        Field(16, "matched", .int64, doc: "Rows an existing contact, staff member, pipeline or open task took (C2, D4).")
        Field(17, "refused", .int64)
        Field(18, "errors", .repeated(.message("ImportError")), doc: "The first 100 refused rows.")
        Field(19, "failure", .string, doc: "Why it stopped, when it failed.").omitEmpty()
        Field(20, "linesRead", .int64)
    }
    Message("ImportJobList", rest: [.output]) {
        Field(1, "imports", .repeated(.message("ImportJob"))).named("items")
    }
    Message("ImportKeysRequest", doc: "G7: what a deal is called in a source system, for a push-back.") {
        Field(1, "source", .string)
        Field(2, "dealID", .int64)
    }
    Message("ImportKeys", doc: "G7: a deal's, its pipeline's and its stage's external ids in a source (empty: none there).") {
        Field(1, "deal", .string)
        Field(2, "pipeline", .string)
        Field(3, "stage", .string)
    }
    Message("ImportLink", doc: "G7: what a source calls a thing made here (a deal a push-back made there).") {
        Field(1, "source", .string)
        Field(2, "kind", .enumeration("ImportKind"))
        Field(3, "externalID", .string)
        Field(4, "id", .int64)
    }
}
