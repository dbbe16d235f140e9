import ContractSchema

/// The Visibility contract: every message, enumeration and method, declared once.
public let visibilityContract = ContractFile("Visibility") {
    Message("Visibility", doc: """
        G3: what a caller may see, as the gateway works it out from its token and passes
        on in every request that reads or writes on a caller's behalf. Unrestricted for
        admins and integrations (and for calls between services, which send none); else
        only what `staffIDs` (the caller and, for a manager, their team) are responsible
        for: deals by responsible, tasks by assignee, contacts by responsible (contacts
        nobody is responsible for are the shared pool every staff member sees).
        """) {
        Field(1, "restricted", .bool)
        Field(2, "staffIDs", .repeated(.int64))
    }
}
