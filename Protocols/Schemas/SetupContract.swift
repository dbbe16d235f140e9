import ContractSchema

/// The Setup contract: how every service keeps the changes an admin makes to its setup
/// (issue 26 item 1), declared once for all of them.
public let setupContract = ContractFile("Setup") {
    Message("SetupChange", doc: """
        One change to the setup (a pipeline, a staff member, a product, a resource): when, who, and what changed, in
        words. Kept for good; what it names stays readable after it is retired.
        """, rest: [.output]) {
        Field(1, "atMilliseconds", .int64).timestamp()
        Field(2, "actorID", .optional(.int64), doc: "The staff member who made it; absent for an API key or the system.")
        Field(3, "credentialID", .optional(.int64), doc: "The credential it was made with.")
        Field(4, "summary", .string)
    }
    Message("SetupHistory", rest: [.output]) {
        Field(1, "changes", .repeated(.message("SetupChange")), doc: "The latest 500, oldest first.").named("items")
    }
    Message("SetupHistoryRequest", rest: [.input]) {
        Field(1, "id", .int64).hidden()
    }
    Enumeration("CustomFieldType", doc: "What a declared custom field holds (issue 26 item 2); its value is always written as text.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "text")
        Enumeration.Case(2, "number", doc: "A decimal number: `12`, `-3.5`.")
        Enumeration.Case(3, "money", doc: "Minor units and a currency: `150000 RUB`.")
        Enumeration.Case(4, "date", doc: "YYYY-MM-DD.")
        Enumeration.Case(5, "dateTime", doc: "RFC 3339 with its offset: `2027-01-15T09:00:00+03:00`.")
        Enumeration.Case(6, "boolean", doc: "`true` or `false`.")
        Enumeration.Case(7, "oneOf", doc: "One of `options`.")
        Enumeration.Case(8, "manyOf", doc: "Some of `options`, comma-separated.")
        Enumeration.Case(9, "staff", doc: "A staff member's id.")
        Enumeration.Case(10, "url", doc: "An http(s) URL.")
    }
    Message("CustomFieldDefinition", doc: """
        Issue 26 item 2: a custom field an admin declares for deals or contacts, with its type: every write of it is
        checked. A name nobody declared stays free text.
        """, rest: [.input, .output]) {
        Field(1, "name", .string, doc: "The key in `customFields`: lower-case letters, digits, `_`.").required().length(max: 64, min: 1)
            .inputSchema(#"{"pattern": "^[a-z][a-z0-9_]*$"}"#)
        Field(2, "label", .string, doc: "What people read.").length(max: 200).line()
        Field(3, "type", .enumeration("CustomFieldType")).required()
            .allowed("text", "number", "money", "date", "date_time", "boolean", "one_of", "many_of", "staff", "url")
        Field(4, "options", .repeated(.string), doc: "one_of and many_of: the values allowed.").items(max: 100).length(max: 100, min: 1)
        Field(5, "required", .bool, doc: "A deal must have it (in `pipelineIds` only, when named).")
        Field(6, "pipelineIDs", .repeated(.int64), doc: "Deals: the pipelines it is required in; none: every one.").named("pipelineIds").items(max: 50)
        Field(7, "archived", .bool, doc: "No longer checked or required; its values stay.")
        Field(8, "actorID", .optional(.int64)).hidden()
        Field(9, "credentialID", .optional(.int64)).hidden()
        Field(10, "entity", .string, doc: "What it is a field of: `deal` or `contact`.").readOnly()
    }
    Message("CustomFieldDefinitionList", rest: [.output]) {
        Field(1, "fields", .repeated(.message("CustomFieldDefinition"))).named("items")
    }
}
