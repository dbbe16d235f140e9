import ContractSchema

/// The gateway's own messages: the credentials it keeps (issue 10 item 7). No service
/// answers them over the protocol; they are declared here so their JSON and OpenAPI
/// come from the same schema as everything else.
public let gatewayContract = ContractFile("Gateway") {
    Enumeration("CredentialRole", doc: "What a credential may do (G3): a key's role, or a staff member's token.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "admin", doc: "Everything, including merges, staff and credentials.")
        Enumeration.Case(2, "integration", doc: "An external system: reads and writes.")
        Enumeration.Case(3, "reader", doc: "Reads only.")
        Enumeration.Case(4, "staff", doc: "Acts as one staff member: integration rights, seeing what the member may see.")
    }
    Message("Credential", doc: "An API key or staff token the gateway accepts; its secret is shown once, when it is made.", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "name", .string, doc: "Who or what it is for.")
        Field(3, "role", .enumeration("CredentialRole"))
        Field(4, "staffID", .optional(.int64), doc: "For staff tokens: the member it acts as.")
        Field(5, "prefix", .string, doc: "The secret's first characters, to tell credentials apart.")
        Field(6, "createdAtMilliseconds", .int64).timestamp()
        Field(7, "createdBy", .string)
        Field(8, "revokedAtMilliseconds", .optional(.int64)).timestamp()
        Field(9, "secret", .string, doc: "Only in the answer that made it: keep it, it is not stored.").omitEmpty()
    }
    Message("CreateCredentialRequest", rest: [.input], restName: "NewCredential") {
        Field(1, "name", .string).required().length(max: 200, min: 1).nonBlank()
        Field(2, "role", .enumeration("CredentialRole")).required()
        Field(3, "staffID", .optional(.int64), doc: "Required for the staff role; refused for the others.").minimum(1)
    }
    Message("CredentialList", rest: [.output]) {
        Field(1, "credentials", .repeated(.message("Credential"))).named("items")
    }
}
