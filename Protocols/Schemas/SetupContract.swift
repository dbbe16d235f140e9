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
}
