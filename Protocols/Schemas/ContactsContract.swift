import ContractSchema

/// The Contacts contract: every message, enumeration and method, declared once.
public let contactsContract = ContractFile("Contacts") {
    Service("Contacts", id: "switchboard.contacts.Contacts", callers: [CallerIdentity.gateway], doc: """
        The contacts service: the directory of people (C1–C3, C6) and staff (C4).
        Times are UTC milliseconds since 1970; phones are E.164 (`+79161234567`).
        """, eventsDoc: "Event types this service emits.") {
        Service.Method("matchOrCreate", "MatchOrCreate", "MatchOrCreateRequest", "MatchOrCreateResponse", idempotent: true, callers: ["deals", "billing"], doc: """
            C2: returns the existing contact for this person (adding new emails and phones
            to it) or creates one. Safe to repeat: the second call matches the first.
            """)
        Service.Method("get", "Get", "GetContactRequest", "Contact", idempotent: true, callers: ["deals", "notifications"])
        Service.Method("getContacts", "GetContacts", "GetContactsRequest", "ContactList", idempotent: true, callers: ["billing"], doc: """
            The contacts among `ids` that exist, are not deleted and the caller may see (G3), in the order asked, each
            once; the others are left out, as get would answer not_found for them. At most 500 ids.
            """)
        Service.Method("update", "Update", "UpdateContactRequest", "Contact", doc: "Partial update: only the fields set in the request change.")
        Service.Method("delete", "Delete", "DeleteContactRequest", "Empty", idempotent: true, doc: "Soft delete: the contact disappears from searches; reading it says `deleted`.")
        Service.Method("search", "Search", "SearchContactsRequest", "ContactPage", idempotent: true, callers: ["telephony"], doc: "C6: filter by name prefix, phone, email, tag, source, creation period; cursor paging.")
        Service.Method("listDuplicates", "ListDuplicates", "ListDuplicatesRequest", "DuplicateGroupList", idempotent: true, doc: "C3: groups of live contacts that share an email or a phone.")
        Service.Method("merge", "Merge", "MergeContactsRequest", "MergeContactsResponse", doc: "C3: merges one contact into another; emits `contact.merged`.")
        Service.Method("putField", "PutField", "CustomFieldDefinition", "CustomFieldDefinition", idempotent: true, doc: """
            Issue 26 item 2: declares a contact field or changes its declaration, kept in its history.
            """)
        Service.Method("listFields", "ListFields", "Empty", "CustomFieldDefinitionList", idempotent: true)
        Service.Method("createStaff", "CreateStaff", "StaffMember", "StaffMember", doc: "C4: staff members.")
        Service.Method("updateStaff", "UpdateStaff", "StaffEdit", "StaffMember", doc: """
            C4 (issue 26): the member as the edit says (names, role, email, numbers, supervisor, skills, zone); kept in their
            history with who changed what. A deactivated member is not edited.
            """)
        Service.Method("deactivateStaff", "DeactivateStaff", "DeactivateStaffRequest", "StaffMember", doc: """
            C4 (issue 26): the member leaves. Their numbers are released (they leave call routing), the staff they
            supervised report to the colleague taking over, and `staff.deactivated` tells deals, telephony and
            notifications to hand their open deals, tasks, dialer leases and callbacks and conversations to that
            colleague: `handToId`, else their supervisor. Kept, readable, in history and reports.
            """)
        Service.Method("staffHistory", "StaffHistory", "SetupHistoryRequest", "SetupHistory", idempotent: true)
        Service.Method("getStaff", "GetStaff", "GetStaffRequest", "StaffMember", idempotent: true, callers: ["deals", "notifications"])
        Service.Method("listStaff", "ListStaff", "ListStaffRequest", "StaffList", idempotent: true, callers: ["telephony"])
        Service.Method("findStaffByNumber", "FindStaffByNumber", "FindStaffByNumberRequest", "StaffMember", idempotent: true, callers: ["telephony"], doc: """
            C4: which staff member owns a number (extension or mobile); not_found if none.
            Telephony uses it to tell internal calls (T2).
            """)
        Service.Method("staffSecret", "StaffSecret", "GetStaffRequest", "StaffSecret", idempotent: true, doc: """
            G6: what a member signs in to the console with, kept with the member so every gateway replica knows it: the \
            scrypt text the gateway made of their password (empty: none yet; a member who left has none).
            """)
        Service.Method("setStaffPassword", "SetStaffPassword", "StaffPasswordChange", "StaffSecret", idempotent: true, doc: """
            G6: keeps a new password hash for an active member (the gateway hashes; nothing here sees a password).
            """)
        Service.Method("inviteStaff", "InviteStaff", "StaffInviteRequest", "StaffMember", doc: """
            G6: a one-time invite for an active member with an email, kept as the digest of its token; their earlier \
            unused invites stop working.
            """)
        Service.Method("findInvite", "FindInvite", "InviteLookup", "StaffMember", idempotent: true, doc: """
            G6: the active member an unused, unexpired invite is for; not_found for any other digest.
            """)
        Service.Method("useInvite", "UseInvite", "StaffInviteUse", "StaffMember", doc: """
            G6: uses the invite once and keeps the password hash made with it, in one transaction; not_found when it was \
            used, replaced or lapsed meanwhile.
            """)
        Service.Method("team", "Team", "GetStaffRequest", "StaffTeam", idempotent: true, callers: ["notifications"], doc: "G3: the staff whose deals and tasks a member may see (not_found for no such member).")
        Service.Method("recordAttendance", "RecordAttendance", "AttendanceReport", "AttendanceOutcome", idempotent: true, doc: """
            C5: each attendee of an event goes through match-or-create (by email with the
            name policy: email + surname + name) and gets an attendance record. Idempotent
            on (source, order, code, status): the same report again changes nothing; a new
            status for the same ticket updates its record.
            """)
        Service.Method("listAttendance", "ListAttendance", "ListAttendanceRequest", "AttendanceList", idempotent: true, doc: "C5: a contact's attendance records, newest event first.")
        Service.Method("importRecords", "ImportRecords", "ImportBatch", "ImportOutcomes", idempotent: true, doc: """
            G7: staff and contact rows, each kept by (source, external id): a second import updates what the first made. \
            A contact goes through match-or-create (C2); no event is emitted.
            """)
        Service.Method("resolveImports", "ResolveImports", "ResolveImportsRequest", "ImportReferences", idempotent: true, doc: """
            G7: the staff (by external id, email or full name) and contacts (by external id) import rows name.
            """)
        Service.Method("exportRecords", "ExportRecords", "ExportRequest", "ExportPage", idempotent: true, doc: """
            G7: staff or contacts as import rows (source `switchboard`, our ids), in id order, a page at a time.
            """)
        Service.Method("recordConsent", "RecordConsent", "Consent", "ContactConsents", doc: """
            C8: a person's consent to be written to or called, for one channel and purpose, given or withdrawn, with its \
            source and time; kept in their history, and `contact.consent_changed` tells the services that honour it.
            """)
        Service.Method("consents", "Consents", "GetContactRequest", "ContactConsents", idempotent: true, doc: "C8: a person's consents now and their history.")
        Service.Method("erasePerson", "ErasePerson", "ErasePersonRequest", "ErasureReport", idempotent: true, doc: """
            C8: the person's record anonymised (names, phones, emails, fields, notes gone; the contact says `erased`), the contacts merged into it too, their attendance kept without them, and their phones and emails kept only as salted digests so an old hook does not bring them back.
            """)
        Service.Event("merged", "contact.merged", payload: "ContactMerged")
        Service.Event("staffDeactivated", "staff.deactivated", payload: "StaffDeactivated", doc: "A member left: their work goes to `handToID`.")
        Service.Event("consentChanged", "contact.consent_changed", payload: "ConsentChanged", doc: "C8: the dialer honours `calls`.")
    }
    Message("ContactSource", doc: "Where a contact came from (C1): the channel, the call-tracking number, the utm tags.", rest: [.output, .input]) {
        Field(1, "channel", .string).length(max: 50)
        Field(2, "trackingNumber", .string).length(max: 50)
        Field(3, "utmSource", .string).length(max: 200)
        Field(4, "utmMedium", .string).length(max: 200)
        Field(5, "utmCampaign", .string).length(max: 200)
    }
    Message("CustomField", doc: "A named value a business adds to its contacts or deals (qualification answers...).", conformances: ["Hashable"]) {
        Field(1, "name", .string)
        Field(2, "value", .string)
    }
    Message("Phone", doc: """
        A phone in E.164 with its extension kept apart, so `+7 495 123-45-67 доб. 12`
        still matches `+74951234567`.
        """, conformances: ["Hashable"], rest: [.output]) {
        Field(1, "number", .string)
        Field(2, "extension", .string).omitEmpty()
    }
    Message("Contact", doc: "A person in the directory (C1).", rest: [.output]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "firstName", .string)
        Field(3, "lastName", .string)
        Field(4, "emails", .repeated(.string))
        Field(5, "phones", .repeated(.message("Phone")))
        Field(6, "company", .string)
        Field(7, "tags", .repeated(.string))
        Field(8, "source", .optional(.message("ContactSource")))
        Field(9, "responsibleID", .optional(.int64)).readOnly()
        Field(10, "customFields", .repeated(.message("CustomField"))).nameValue(maxItems: 100, maxValueLength: 4000)
        Field(11, "createdAtMilliseconds", .int64).timestamp()
        Field(12, "updatedAtMilliseconds", .int64).timestamp()
        Field(13, "mergedInto", .optional(.int64), doc: "Set when this contact was merged into another (C3): read that one instead.").readOnly()
        Field(14, "deleted", .bool)
        Field(15, "erasedAtMilliseconds", .optional(.int64), doc: "C8: when the person's data was erased; the record keeps only its id and times.").timestamp().readOnly()
        Field(16, "consents", .repeated(.message("Consent")), doc: "C8: the latest word for each channel and purpose they gave one for.").readOnly()
    }
    Enumeration("ConsentChannel", doc: "C8: how a person may be reached.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "email")
        Enumeration.Case(2, "sms")
        Enumeration.Case(3, "whatsapp")
        Enumeration.Case(4, "telegram")
        Enumeration.Case(5, "calls", doc: "Phone calls: the dialer honours a withdrawal (do-not-call).")
    }
    Enumeration("ConsentPurpose", doc: "C8: what for.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "service", doc: "What they asked for: reminders, receipts, answers. Withdrawn: nothing is sent.")
        Enumeration.Case(2, "marketing", doc: "Offers and newsletters: sent only to those who gave it.")
    }
    Message("Consent", doc: "C8: a person's word on one channel and purpose, and where and when they gave it.", rest: [.input, .output]) {
        Field(1, "channel", .enumeration("ConsentChannel")).required()
        Field(2, "purpose", .enumeration("ConsentPurpose")).required()
        Field(3, "granted", .bool, doc: "True: given; false: withdrawn (or refused).")
        Field(4, "source", .string, doc: "Where they said it: `web form /signup`, `call 2026-12-01`, `unsubscribe link`.").required().length(max: 200, min: 1).line()
        Field(5, "atMilliseconds", .optional(.int64), doc: "When they said it (default: now); not in the future.").timestamp().named("at")
        Field(6, "recordedBy", .string, doc: "Who recorded it (`staff:12`, `api:integration`).").readOnly()
        Field(7, "contactID", .int64).hidden()
    }
    Message("ContactConsents", doc: "C8: a person's consents now, and every word they gave, newest first (at most 500).", rest: [.output]) {
        Field(1, "current", .repeated(.message("Consent")))
        Field(2, "history", .repeated(.message("Consent")))
    }
    Message("ConsentChanged", doc: "The payload of `contact.consent_changed` (C8).") {
        Field(1, "contactID", .int64)
        Field(2, "consent", .message("Consent"))
        Field(3, "phones", .repeated(.string), doc: "The person's numbers (E.164) when it was recorded.")
        Field(4, "current", .repeated(.message("Consent")), doc: "Their latest words after it, per channel and purpose.")
    }
    Message("ContactDraft", doc: "What a caller knows about a person; phones and emails as typed by people.", rest: [.input]) {
        Field(1, "firstName", .string).length(max: 200).line()
        Field(2, "lastName", .string).length(max: 200).line()
        Field(3, "emails", .repeated(.string)).items(max: 20).length(max: 254)
        Field(4, "phones", .repeated(.string)).items(max: 20).length(max: 50)
        Field(5, "company", .string).length(max: 200).line()
        Field(6, "tags", .repeated(.string)).items(max: 50).length(max: 100, min: 1)
        Field(7, "source", .optional(.message("ContactSource")))
        Field(8, "responsibleID", .optional(.int64)).minimum(1)
        Field(9, "customFields", .repeated(.message("CustomField"))).nameValue(maxItems: 100, maxValueLength: 4000)
    }
    Enumeration("MatchKey", doc: "Which key found the existing contact (C2).", caseIterable: false) {
        Enumeration.Case(0, "none")
        Enumeration.Case(1, "email")
        Enumeration.Case(2, "phone")
    }
    Message("MatchOrCreateRequest", rest: [.input], restName: "NewContact") {
        Field(1, "draft", .message("ContactDraft")).inline()
        Field(2, "requireNameMatch", .bool, doc: "003's policy: a match by email or phone counts only if first and last name match too.")
        Field(3, "visibility", .optional(.message("Visibility")), doc: """
            A restricted caller (G3) does not see or change a matched contact another staff
            member is responsible for: it is told the person exists, nothing more.
            """).hidden()
        Field(4, "occurredAtMilliseconds", .optional(.int64), doc: """
            C8: when the person reached out (a call's start, a form's submission), if the caller knows: an erased \
            person is not brought back by something that happened before their erasure.
            """).hidden()
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
        Field(3, "includeDeleted", .bool, doc: "Also answer for a deleted contact (it says `deleted`); else a deleted one is not_found, as for the API.")
    }
    Message("GetContactsRequest") {
        Field(1, "ids", .repeated(.int64))
        Field(2, "visibility", .optional(.message("Visibility")))
    }
    Message("ContactList") {
        Field(1, "contacts", .repeated(.message("Contact")))
    }
    Alias("DeleteContactRequest", "GetContactRequest")
    Alias("GetStaffRequest", "GetContactRequest")
    Message(
        "UpdateContactRequest",
        doc: "Changes the fields sent (over the wire: those the field mask names); the others stay as they are. A list sent is the whole new list.",
        reserved: Array(2...14),
        reservedNames: [
            "firstName", "lastName", "company", "responsibleID", "source", "replaceEmails", "emails", "replacePhones", "phones",
            "replaceTags", "tags", "replaceCustomFields", "customFields",
        ],
        rest: [.input], restName: "ContactPatch"
    ) {
        Field(1, "id", .int64).hidden()
        Field(16, "contact", .message("ContactDraft"), doc: "The new values of the fields the mask names, as typed by people.")
            .patch(mask: "fieldMask")
        Field(17, "fieldMask", .repeated(.string), doc: """
            The JSON names of the contact's fields to change (`company`, `phones`, `responsibleId`): a field named here
            and left at its default in `contact` is cleared (a list given is the whole new list); one not named stays as it is.
            """).hidden()
        Field(15, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("SearchContactsRequest", doc: """
        C6: every set filter must hold. Results are ordered by id; `cursor` continues
        after the previous page.
        """, rest: [.query]) {
        Field(1, "namePrefix", .string).named("q").length(max: 200)
        Field(2, "phone", .string, doc: "Any way of writing the number; text that is no phone number matches no contact.").length(max: 50)
        Field(3, "email", .string, doc: "The address, in any case; text that is no address (one `@`, a dotted domain) matches no contact.").length(max: 254)
        Field(4, "tag", .string).length(max: 100)
        Field(5, "sourceChannel", .string).named("source").length(max: 50)
        Field(6, "createdFromMilliseconds", .optional(.int64)).timestamp().named("createdFrom")
        Field(7, "createdToMilliseconds", .optional(.int64)).timestamp().named("createdTo")
        Field(8, "pageSize", .int64, doc: "1...500; 0 means 50.").named("limit").minimum(1).maximum(500)
        Field(9, "cursor", .string).length(max: 200)
        Field(10, "visibility", .optional(.message("Visibility"))).hidden()
        Field(11, "attended", .enumeration("AttendedFilter"), doc: "C6: by how many events the contact attended.")
        Field(12, "eventID", .string, doc: "C6: only those who attended this event (the platform's event id).").named("eventId").length(max: 100)
        Field(13, "fieldName", .string, doc: "Contacts whose custom field of this name ... (issue 26)").named("field").length(max: 64)
        Field(14, "fieldValue", .string, doc: "... has this value (many_of: holds it).").named("fieldValue").length(max: 4000)
    }
    Enumeration("AttendedFilter", doc: "C6: contacts by the events they attended (records with attended set).") {
        Enumeration.Case(0, "any", doc: "No filter.")
        Enumeration.Case(1, "firstTime", doc: "Exactly one event.")
        Enumeration.Case(2, "returning", doc: "Two or more events.")
        Enumeration.Case(3, "never", doc: "None.")
    }
    Message("Attendee", doc: "One ticket of an event's report (C5), as the platform sent it.") {
        Field(1, "orderID", .string)
        Field(2, "code", .string, doc: "The ticket's code within the order.")
        Field(3, "status", .string, doc: "The platform's own status (Timepad's `status_raw`: paid, ok, returned ...).")
        Field(4, "email", .string)
        Field(5, "surname", .string)
        Field(6, "name", .string)
        Field(7, "attended", .bool, doc: "Whether the person came (checked in).")
        Field(8, "phone", .string)
    }
    Message("AttendanceReport", doc: "An events platform's report of one event's attendees (C5).") {
        Field(1, "source", .string, doc: "The platform (`timepad`).")
        Field(2, "eventID", .string)
        Field(3, "eventTitle", .string)
        Field(4, "eventStartsAtMilliseconds", .optional(.int64))
        Field(5, "attendees", .repeated(.message("Attendee")))
    }
    Message("AttendanceOutcome") {
        Field(1, "recorded", .int64, doc: "Records made or changed.")
        Field(2, "unchanged", .int64, doc: "Tickets already recorded with this status.")
        Field(3, "contactsCreated", .int64)
        Field(4, "contactIDs", .repeated(.int64), doc: "The contact of each attendee, in the report's order.")
    }
    Message("Attendance", doc: "A contact's ticket to an event (C5).", rest: [.output]) {
        Field(1, "contactID", .int64)
        Field(2, "source", .string)
        Field(3, "eventID", .string)
        Field(4, "eventTitle", .string)
        Field(5, "eventStartsAtMilliseconds", .optional(.int64)).timestamp()
        Field(6, "orderID", .string)
        Field(7, "code", .string)
        Field(8, "status", .string)
        Field(9, "attended", .bool)
        Field(10, "recordedAtMilliseconds", .int64).timestamp()
    }
    Message("ListAttendanceRequest") {
        Field(1, "contactID", .int64)
        Field(2, "visibility", .optional(.message("Visibility"))).hidden()
        Field(3, "includeDeleted", .bool, doc: "Also for a deleted (or erased) contact, as a person's export reads it.").hidden()
    }
    Message("AttendanceList", rest: [.output]) {
        Field(1, "records", .repeated(.message("Attendance"))).named("items")
    }
    Message("ContactPage", rest: [.output]) {
        Field(1, "contacts", .repeated(.message("Contact"))).named("items")
        Field(2, "nextCursor", .string, doc: "Empty on the last page.").omitEmpty()
    }
    Message("ListDuplicatesRequest", rest: [.query]) {
        Field(1, "limit", .int64, doc: "Most groups returned; 0 means 100.").minimum(1).maximum(1000)
    }
    Message("DuplicateGroup", doc: "Contacts that share at least one email or phone, directly or through each other.", rest: [.output]) {
        Field(1, "contactIDs", .repeated(.int64))
        Field(2, "sharedKeys", .repeated(.string), doc: "The emails and phones they share.")
    }
    Message("DuplicateGroupList", rest: [.output]) {
        Field(1, "groups", .repeated(.message("DuplicateGroup")))
    }
    Message("MergeContactsRequest", rest: [.input], restName: "Merge") {
        Field(1, "survivorID", .int64, doc: "The contact that stays.").hidden()
        Field(2, "mergedID", .int64, doc: "The contact that becomes a tombstone pointing at the survivor.").named("from").required().minimum(1)
        Field(3, "mergedBy", .string, doc: "Who asked for the merge, for the audit record.").hidden()
    }
    Message("MergeContactsResponse", rest: [.output]) {
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
    Message("StaffMember", doc: "C4: a member of staff, with the numbers telephony recognizes as internal.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "firstName", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "lastName", .string).length(max: 200).line()
        Field(4, "role", .enumeration("StaffRole")).required()
        Field(5, "email", .string).length(max: 254)
        Field(6, "extensions", .repeated(.string), doc: "PBX extensions, e.g. `101`.").items(max: 20).length(max: 6).digits()
        Field(7, "mobiles", .repeated(.string), doc: "Mobile numbers; stored in E.164.").items(max: 20).length(max: 50)
        Field(8, "supervisorID", .optional(.int64), doc: "The senior manager this member reports to.").minimum(1)
        Field(9, "skills", .repeated(.string)).items(max: 50).length(max: 100)
        Field(10, "zone", .string).length(max: 100)
        Field(11, "deactivatedAtMilliseconds", .optional(.int64), doc: "When they left (issue 26): they take no new work.").timestamp().readOnly()
        Field(12, "handedToID", .optional(.int64), doc: "Who took their work when they left.").readOnly()
    }
    Message("StaffEdit", doc: "C4 (issue 26): a staff member as they should be, in full.", rest: [.input]) {
        Field(1, "staffID", .int64).hidden()
        Field(2, "member", .message("StaffMember")).inline()
        Field(3, "actorID", .optional(.int64)).hidden()
        Field(4, "credentialID", .optional(.int64)).hidden()
    }
    Message("DeactivateStaffRequest", doc: "C4 (issue 26): a member leaves; their work goes to a colleague.", rest: [.input]) {
        Field(1, "staffID", .int64).hidden()
        Field(2, "handToID", .optional(.int64), doc: "The active colleague who takes their work; absent: their supervisor.").minimum(1)
        Field(3, "actorID", .optional(.int64)).hidden()
        Field(4, "credentialID", .optional(.int64)).hidden()
    }
    Message("StaffDeactivated", doc: "The payload of `staff.deactivated` (issue 26).") {
        Field(1, "staffID", .int64)
        Field(2, "handToID", .int64)
        Field(3, "atMilliseconds", .int64)
        Field(4, "actorID", .optional(.int64))
    }
    Message("ListStaffRequest", doc: "Staff by id, a page at a time; `cursor` continues after the previous page.", rest: [.query]) {
        Field(1, "role", .enumeration("StaffRole"))
        Field(2, "pageSize", .int64, doc: "1...500; 0 means 100.").named("limit").minimum(1).maximum(500)
        Field(3, "cursor", .string).length(max: 200)
        Field(4, "email", .string, doc: "Only the members with this email (matched as stored: NFKC's folds of typed forms, NFC, lower case).").length(max: 254)
    }
    Message("StaffList", rest: [.output]) {
        Field(1, "members", .repeated(.message("StaffMember"))).named("items")
        Field(2, "nextCursor", .string, doc: "Empty on the last page.").omitEmpty()
    }
    Message("FindStaffByNumberRequest") {
        Field(1, "number", .string)
    }
    Message("StaffSecret", doc: "G6: a member's console password, as the gateway hashed it.") {
        Field(1, "staffID", .int64)
        Field(2, "passwordHash", .string, doc: "`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`; empty when they have none.")
        Field(3, "changedAtMilliseconds", .int64)
    }
    Message("StaffPasswordChange") {
        Field(1, "staffID", .int64)
        Field(2, "passwordHash", .string)
    }
    Message("StaffInviteRequest") {
        Field(1, "staffID", .int64)
        Field(2, "digest", .bytes, doc: "SHA-256 of the invite's token: the token itself is never stored.")
        Field(3, "expiresAtMilliseconds", .int64)
        Field(4, "createdBy", .string)
    }
    Message("InviteLookup") {
        Field(1, "digest", .bytes)
    }
    Message("StaffInviteUse") {
        Field(1, "digest", .bytes)
        Field(2, "passwordHash", .string)
    }
    Message("StaffTeam", doc: """
        G3/C4: whose work a staff member oversees: themselves, and for managers everyone
        whose supervisor chain leads to them; admins oversee everyone.
        """) {
        Field(1, "staffID", .int64)
        Field(2, "everyone", .bool, doc: "An admin: no restriction.")
        Field(3, "memberIDs", .repeated(.int64), doc: "Including the member; sorted.")
        Field(4, "passwordChangedAtMilliseconds", .int64, doc: "G6: when their console password last changed (0: never set): older sessions end.")
    }
}
