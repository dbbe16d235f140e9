import ContractSchema

/// The Contacts contract: every message, enumeration and method, declared once.
public let contactsContract = ContractFile("Contacts") {
    Service("Contacts", id: "switchboard.contacts.Contacts", doc: """
        The contacts service: the directory of people (C1–C3, C6) and staff (C4).
        Times are UTC milliseconds since 1970; phones are E.164 (`+79161234567`).
        """, eventsDoc: "Event types this service emits.") {
        Service.Method("matchOrCreate", "MatchOrCreate", "MatchOrCreateRequest", "MatchOrCreateResponse", idempotent: true, doc: """
            C2: returns the existing contact for this person (adding new emails and phones
            to it) or creates one. Safe to repeat: the second call matches the first.
            """)
        Service.Method("get", "Get", "GetContactRequest", "Contact", idempotent: true)
        Service.Method("update", "Update", "UpdateContactRequest", "Contact", doc: "Partial update: only the fields set in the request change.")
        Service.Method("delete", "Delete", "DeleteContactRequest", "Empty", idempotent: true, doc: "Soft delete: the contact disappears from searches; reading it says `deleted`.")
        Service.Method("search", "Search", "SearchContactsRequest", "ContactPage", idempotent: true, doc: "C6: filter by name prefix, phone, email, tag, source, creation period; cursor paging.")
        Service.Method("listDuplicates", "ListDuplicates", "ListDuplicatesRequest", "DuplicateGroupList", idempotent: true, doc: "C3: groups of live contacts that share an email or a phone.")
        Service.Method("merge", "Merge", "MergeContactsRequest", "MergeContactsResponse", doc: "C3: merges one contact into another; emits `contact.merged`.")
        Service.Method("createStaff", "CreateStaff", "StaffMember", "StaffMember", doc: "C4: staff members.")
        Service.Method("getStaff", "GetStaff", "GetStaffRequest", "StaffMember", idempotent: true)
        Service.Method("listStaff", "ListStaff", "ListStaffRequest", "StaffList", idempotent: true)
        Service.Method("findStaffByNumber", "FindStaffByNumber", "FindStaffByNumberRequest", "StaffMember", idempotent: true, doc: """
            C4: which staff member owns a number (extension or mobile); not_found if none.
            Telephony uses it to tell internal calls (T2).
            """)
        Service.Method("team", "Team", "GetStaffRequest", "StaffTeam", idempotent: true, doc: "G3: the staff whose deals and tasks a member may see (not_found for no such member).")
        Service.Event("merged", "contact.merged", doc: "Payload: ``ContactMerged``.")
    }
    Message("ContactSource", doc: "Where a contact came from (C1): the channel, the call-tracking number, the utm tags.") {
        Field(1, "channel", .string)
        Field(2, "trackingNumber", .string)
        Field(3, "utmSource", .string)
        Field(4, "utmMedium", .string)
        Field(5, "utmCampaign", .string)
    }
    Message("CustomField", doc: "A named value a business adds to its contacts or deals (qualification answers...).", conformances: ["Hashable"]) {
        Field(1, "name", .string)
        Field(2, "value", .string)
    }
    Message("Phone", doc: """
        A phone in E.164 with its extension kept apart, so `+7 495 123-45-67 доб. 12`
        still matches `+74951234567`.
        """, conformances: ["Hashable"]) {
        Field(1, "number", .string)
        Field(2, "extension", .string)
    }
    Message("Contact", doc: "A person in the directory (C1).") {
        Field(1, "id", .int64)
        Field(2, "firstName", .string)
        Field(3, "lastName", .string)
        Field(4, "emails", .repeated(.string))
        Field(5, "phones", .repeated(.message("Phone")))
        Field(6, "company", .string)
        Field(7, "tags", .repeated(.string))
        Field(8, "source", .optional(.message("ContactSource")))
        Field(9, "responsibleID", .optional(.int64))
        Field(10, "customFields", .repeated(.message("CustomField")))
        Field(11, "createdAtMilliseconds", .int64)
        Field(12, "updatedAtMilliseconds", .int64)
        Field(13, "mergedInto", .optional(.int64), doc: "Set when this contact was merged into another (C3): read that one instead.")
        Field(14, "deleted", .bool)
    }
    Message("ContactDraft", doc: "What a caller knows about a person; phones and emails as typed by people.") {
        Field(1, "firstName", .string)
        Field(2, "lastName", .string)
        Field(3, "emails", .repeated(.string))
        Field(4, "phones", .repeated(.string))
        Field(5, "company", .string)
        Field(6, "tags", .repeated(.string))
        Field(7, "source", .optional(.message("ContactSource")))
        Field(8, "responsibleID", .optional(.int64))
        Field(9, "customFields", .repeated(.message("CustomField")))
    }
    Enumeration("MatchKey", doc: "Which key found the existing contact (C2).", caseIterable: false) {
        Enumeration.Case(0, "none")
        Enumeration.Case(1, "email")
        Enumeration.Case(2, "phone")
    }
    Message("MatchOrCreateRequest") {
        Field(1, "draft", .message("ContactDraft"))
        Field(2, "requireNameMatch", .bool, doc: "003's policy: a match by email or phone counts only if first and last name match too.")
        Field(3, "visibility", .optional(.message("Visibility")), doc: """
            A restricted caller (G3) does not see or change a matched contact another staff
            member is responsible for: it is told the person exists, nothing more.
            """)
    }
    Message("MatchOrCreateResponse") {
        Field(1, "contact", .message("Contact"))
        Field(2, "created", .bool)
        Field(3, "matchedBy", .enumeration("MatchKey"))
        Field(4, "matchedValue", .string, doc: "The normalized email or phone that matched.")
    }
    Message("GetContactRequest") {
        Field(1, "id", .int64)
        Field(2, "visibility", .optional(.message("Visibility")), doc: "G3 for Get: a contact the caller may not see answers not_found.")
    }
    Alias("DeleteContactRequest", "GetContactRequest")
    Alias("GetStaffRequest", "GetContactRequest")
    Message("UpdateContactRequest", doc: """
        Only what is set changes. Lists are replaced when their `replace…` flag is set
        (an empty list clears them).
        """) {
        Field(1, "id", .int64)
        Field(2, "firstName", .optional(.string))
        Field(3, "lastName", .optional(.string))
        Field(4, "company", .optional(.string))
        Field(5, "responsibleID", .optional(.int64))
        Field(6, "source", .optional(.message("ContactSource")))
        Field(7, "replaceEmails", .bool)
        Field(8, "emails", .repeated(.string))
        Field(9, "replacePhones", .bool)
        Field(10, "phones", .repeated(.string))
        Field(11, "replaceTags", .bool)
        Field(12, "tags", .repeated(.string))
        Field(13, "replaceCustomFields", .bool)
        Field(14, "customFields", .repeated(.message("CustomField")))
        Field(15, "visibility", .optional(.message("Visibility")))
    }
    Message("SearchContactsRequest", doc: """
        C6: every set filter must hold. Results are ordered by id; `cursor` continues
        after the previous page.
        """) {
        Field(1, "namePrefix", .string)
        Field(2, "phone", .string)
        Field(3, "email", .string)
        Field(4, "tag", .string)
        Field(5, "sourceChannel", .string)
        Field(6, "createdFromMilliseconds", .optional(.int64))
        Field(7, "createdToMilliseconds", .optional(.int64))
        Field(8, "pageSize", .int64, doc: "1...500; 0 means 50.")
        Field(9, "cursor", .string)
        Field(10, "visibility", .optional(.message("Visibility")))
    }
    Message("ContactPage") {
        Field(1, "contacts", .repeated(.message("Contact")))
        Field(2, "nextCursor", .string, doc: "Empty on the last page.")
    }
    Message("ListDuplicatesRequest") {
        Field(1, "limit", .int64, doc: "Most groups returned; 0 means 100.")
    }
    Message("DuplicateGroup", doc: "Contacts that share at least one email or phone, directly or through each other.") {
        Field(1, "contactIDs", .repeated(.int64))
        Field(2, "sharedKeys", .repeated(.string), doc: "The emails and phones they share.")
    }
    Message("DuplicateGroupList") {
        Field(1, "groups", .repeated(.message("DuplicateGroup")))
    }
    Message("MergeContactsRequest") {
        Field(1, "survivorID", .int64, doc: "The contact that stays.")
        Field(2, "mergedID", .int64, doc: "The contact that becomes a tombstone pointing at the survivor.")
        Field(3, "mergedBy", .string, doc: "Who asked for the merge, for the audit record.")
    }
    Message("MergeContactsResponse") {
        Field(1, "contact", .message("Contact"))
        Field(2, "mergeID", .int64)
        Field(3, "fieldsTaken", .repeated(.string), doc: "Field names whose value on the survivor came from the merged contact.")
    }
    Message("ContactMerged", doc: "The payload of `contact.merged`: every service re-points `mergedID` to `survivorID`.") {
        Field(1, "survivorID", .int64)
        Field(2, "mergedID", .int64)
        Field(3, "mergeID", .int64)
        Field(4, "mergedAtMilliseconds", .int64)
    }
    Enumeration("StaffRole", doc: "C4: the roles staff members have.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "operator_")
        Enumeration.Case(2, "manager")
        Enumeration.Case(3, "seniorManager")
        Enumeration.Case(4, "engineer")
        Enumeration.Case(5, "teacher")
        Enumeration.Case(6, "admin")
    }
    Message("StaffMember", doc: "C4: a member of staff, with the numbers telephony recognizes as internal.") {
        Field(1, "id", .int64)
        Field(2, "firstName", .string)
        Field(3, "lastName", .string)
        Field(4, "role", .enumeration("StaffRole"))
        Field(5, "email", .string)
        Field(6, "extensions", .repeated(.string), doc: "PBX extensions, e.g. `101`.")
        Field(7, "mobiles", .repeated(.string), doc: "Mobile numbers; stored in E.164.")
        Field(8, "supervisorID", .optional(.int64), doc: "The senior manager this member reports to.")
        Field(9, "skills", .repeated(.string))
        Field(10, "zone", .string)
    }
    Message("ListStaffRequest", doc: "Staff by id, a page at a time; `cursor` continues after the previous page.") {
        Field(1, "role", .enumeration("StaffRole"))
        Field(2, "pageSize", .int64, doc: "1...500; 0 means 100.")
        Field(3, "cursor", .string)
    }
    Message("StaffList") {
        Field(1, "members", .repeated(.message("StaffMember")))
        Field(2, "nextCursor", .string, doc: "Empty on the last page.")
    }
    Message("FindStaffByNumberRequest") {
        Field(1, "number", .string)
    }
    Message("StaffTeam", doc: """
        G3/C4: whose work a staff member oversees: themselves, and for managers everyone
        whose supervisor chain leads to them; admins oversee everyone.
        """) {
        Field(1, "staffID", .int64)
        Field(2, "everyone", .bool, doc: "An admin: no restriction.")
        Field(3, "memberIDs", .repeated(.int64), doc: "Including the member; sorted.")
    }
}
