import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// Reads and writes contacts. Each operation is one read snapshot or one write
/// transaction; the rules (matching, merging) are decided by the plain types.
public struct ContactStore: Sendable {
    public let database: Database
    /// The time stamped on what it stores (a hand-set one in tests).
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }


    // MARK: C2 match-or-create

    /// Runs inside the single writer, so two concurrent calls for one person see each
    /// other: the second matches what the first created.
    /// A restricted caller matching a contact it may not see (G3) changes nothing and
    /// learns only that the person is someone else's client.
    /// C8: with `occurredAt` (when the person reached out, if known), an identifier erased
    /// after that moment is refused: an old hook sent again does not bring them back.
    public func matchOrCreate(
        _ draft: ValidDraft, requireNameMatch: Bool, visibility: Visibility = Visibility(), occurredAt: Int64? = nil
    ) async throws -> MatchOrCreateResponse {
        let now = clock.milliseconds
        return try await database.write { tx in
            if let occurredAt { try ContactErasure.refuseErased(tx, draft.phones.map(\.number) + draft.emails, occurredAt: occurredAt) }
            return try Self.matchOrCreate(in: tx, draft, requireNameMatch: requireNameMatch, visibility: visibility, now: now)
        }
    }

    /// C2 inside a caller's transaction (attendance records commit with their contact).
    static func matchOrCreate(in tx: Transaction, _ draft: ValidDraft, requireNameMatch: Bool, visibility: Visibility, now: Int64) throws -> MatchOrCreateResponse {
        try Self.requireStaff(tx, draft.responsibleID)
        let byEmail = try draft.emails.flatMap { email in
            try tx.query("""
                SELECT c.id, c.first_name, c.last_name FROM contact_emails e JOIN contacts c ON c.id = e.contact_id
                WHERE e.email = ? AND c.merged_into IS NULL AND c.deleted_at IS NULL
                """, [.text(email)]) { ContactMatcher.Candidate(contactID: $0.int64(0), firstName: $0.string(1), lastName: $0.string(2), key: email) }
        }
        let byPhone = try draft.phones.flatMap { phone in
            try tx.query("""
                SELECT c.id, c.first_name, c.last_name FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
                WHERE p.number = ? AND c.merged_into IS NULL AND c.deleted_at IS NULL
                """, [.text(phone.number)]) { ContactMatcher.Candidate(contactID: $0.int64(0), firstName: $0.string(1), lastName: $0.string(2), key: phone.number) }
        }
        var response = MatchOrCreateResponse()
        if let match = ContactMatcher.match(draft, byEmail: byEmail, byPhone: byPhone, requireNameMatch: requireNameMatch) {
            let existing = try Self.load(tx.connection, id: match.contactID)!
            guard visibility.seesContact(responsibleID: existing.responsibleID) else {
                throw RPCError(.alreadyExists, "this person is already the client of another staff member; nothing was changed (ask a manager to hand the contact over)")
            }
            let newEmails = draft.emails.filter { !existing.emails.contains($0) }
            let newPhones = draft.phones.filter { p in !existing.phones.contains { $0.number == p.number } }
            if !newEmails.isEmpty || !newPhones.isEmpty {
                try Self.insertEmails(tx, match.contactID, newEmails, from: existing.emails.count)
                try Self.insertPhones(tx, match.contactID, newPhones, from: existing.phones.count)
                try tx.run("UPDATE contacts SET updated_at = ? WHERE id = ?", [.integer(now), .integer(match.contactID)])
            }
            response.contact = try Self.load(tx.connection, id: match.contactID)!
            response.matchedBy = match.matchedBy
            response.matchedValue = match.matchedValue
        } else {
            let id = try Self.insert(tx, draft, now: now)
            response.contact = Self.contact(id: id, from: draft, now: now)
            response.created = true
        }
        return response
    }

    // MARK: Reading

    /// A deleted contact is not found unless `includeDeleted` (its data stays for the audit).
    public func get(_ id: Int64, visibility: Visibility = Visibility(), includeDeleted: Bool = true) async throws -> Contact {
        guard let contact = try await database.read({ try Self.load($0, id: id) }), visibility.seesContact(responsibleID: contact.responsibleID) else {
            throw RPCError.notFound("contact \(id) does not exist")
        }
        if contact.deleted && !includeDeleted { throw RPCError.notFound("contact \(id) was deleted") }
        return contact
    }

    /// The live contacts among `ids` the caller may see, in the order asked, each once;
    /// the others are left out (as not_found would be answered for each). One read.
    public func get(_ ids: [Int64], visibility: Visibility = Visibility()) async throws -> [Contact] {
        let unique = try BatchRead.ids(ids, of: "contacts")
        return try await database.read { c in
            try unique.compactMap { id in
                guard let contact = try Self.load(c, id: id), !contact.deleted, visibility.seesContact(responsibleID: contact.responsibleID) else { return nil }
                return contact
            }
        }
    }

    /// C6: every set filter holds; ordered by id, `pageSize` at a time.
    public func search(_ request: SearchContactsRequest, phone: String?, email: String?) async throws -> ContactPage {
        let visible = request.visibility.resolved.contactCondition("c.responsible_id")
        var conditions = ["c.merged_into IS NULL", "c.deleted_at IS NULL", visible.sql]
        var values: [SQLValue] = visible.values.map { .integer($0) }
        let pageRequest = try PageRequest(size: request.pageSize, cursor: request.cursor, default: 50, maximum: 500)
        if pageRequest.afterID > 0 {
            conditions.append("c.id > ?")
            values.append(.integer(pageRequest.afterID))
        }
        let prefix = request.namePrefix.trimming(.spaces).lowercased()
        if !prefix.isEmpty {
            // A range on the lower-cased name columns uses their indexes, unlike LIKE.
            conditions.append("((c.first_key >= ? AND c.first_key < ?) OR (c.last_key >= ? AND c.last_key < ?))")
            let upper = prefix + "\u{10FFFF}"
            values += [.text(prefix), .text(upper), .text(prefix), .text(upper)]
        }
        if let phone {
            conditions.append("c.id IN (SELECT contact_id FROM contact_phones WHERE number = ?)")
            values.append(.text(phone))
        }
        if let email {
            conditions.append("c.id IN (SELECT contact_id FROM contact_emails WHERE email = ?)")
            values.append(.text(email))
        }
        if !request.tag.isEmpty {
            conditions.append("c.id IN (SELECT contact_id FROM contact_tags WHERE tag = ?)")
            values.append(.text(request.tag.trimming(.spaces).lowercased()))
        }
        // Issue 26: by a custom field's value (a many_of field: one of its values).
        if !request.fieldName.isEmpty {
            conditions.append(
                "c.id IN (SELECT contact_id FROM contact_fields WHERE name = ? AND (value = ? OR instr(',' || replace(value, ', ', ',') || ',', ',' || ? || ',') > 0))")
            values += [.text(request.fieldName), .text(request.fieldValue), .text(request.fieldValue)]
        }
        if !request.sourceChannel.isEmpty {
            conditions.append("c.source_channel = ?")
            values.append(.text(request.sourceChannel))
        }
        if let from = request.createdFromMilliseconds {
            conditions.append("c.created_at >= ?")
            values.append(.integer(from))
        }
        if let to = request.createdToMilliseconds {
            conditions.append("c.created_at < ?")
            values.append(.integer(to))
        }
        // C6 segments by attendance: distinct events the contact came to.
        let attendedEvents = "(SELECT COUNT(DISTINCT source || ':' || event_id) FROM attendance WHERE contact_id = c.id AND attended = 1)"
        switch request.attended {
        case .any: break
        case .firstTime: conditions.append("\(attendedEvents) = 1")
        case .returning: conditions.append("\(attendedEvents) >= 2")
        case .never: conditions.append("\(attendedEvents) = 0")
        }
        if !request.eventID.isEmpty {
            conditions.append("c.id IN (SELECT contact_id FROM attendance WHERE event_id = ? AND attended = 1)")
            values.append(.text(request.eventID))
        }
        let pageSize = pageRequest.limit
        let sql = "SELECT c.id FROM contacts c WHERE " + conditions.joined(separator: " AND ") + " ORDER BY c.id LIMIT ?"
        values.append(.integer(Int64(pageSize + 1)))
        let finalValues = values
        return try await database.read { connection in
            let ids = try connection.query(sql, finalValues) { $0.int64(0) }
            var page = ContactPage()
            let (shown, next) = pageRequest.page(ids) { $0 }
            page.contacts = try shown.compactMap { try Self.load(connection, id: $0) }
            page.nextCursor = next
            return page
        }
    }

    /// C3: groups of live contacts sharing an email or phone.
    public func duplicates(limit: Int) async throws -> [DuplicateGroup] {
        let keys = try await database.read { connection in
            try connection.query("""
                SELECT e.contact_id, e.email FROM contact_emails e JOIN contacts c ON c.id = e.contact_id
                WHERE c.merged_into IS NULL AND c.deleted_at IS NULL
                  AND e.email IN (SELECT email FROM contact_emails GROUP BY email HAVING COUNT(*) > 1)
                UNION ALL
                SELECT p.contact_id, p.number FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
                WHERE c.merged_into IS NULL AND c.deleted_at IS NULL
                  AND p.number IN (SELECT number FROM contact_phones GROUP BY number HAVING COUNT(*) > 1)
                """) { (contactID: $0.int64(0), key: $0.string(1)) }
        }
        return Array(DuplicateGrouper.groups(keys).prefix(limit))
    }

    // MARK: Changing

    /// Writes the fields `changing` names (JSON names, as a PATCH's field mask has them)
    /// from `valid`; the others stay as they are.
    public func update(_ id: Int64, visibility: Visibility, changing: Set<String>, to valid: ValidDraft) async throws -> Contact {
        try await database.write { tx in
            guard let existing = try Self.load(tx.connection, id: id), visibility.seesContact(responsibleID: existing.responsibleID) else {
                throw RPCError.notFound("contact \(id) does not exist")
            }
            if existing.deleted { throw RPCError.notFound("contact \(id) was deleted") }
            try Self.requireLive(existing)
            var sets: [String] = ["updated_at = ?"]
            var values: [SQLValue] = [.integer(clock.milliseconds)]
            if changing.contains("firstName") {
                sets += ["first_name = ?", "first_key = ?"]
                values += [.text(valid.firstName), .text(valid.firstName.lowercased())]
            }
            if changing.contains("lastName") {
                sets += ["last_name = ?", "last_key = ?"]
                values += [.text(valid.lastName), .text(valid.lastName.lowercased())]
            }
            if changing.contains("company") {
                sets.append("company = ?")
                values.append(.text(valid.company))
            }
            if changing.contains("responsibleId") {
                if let staff = valid.responsibleID { try Self.requireStaff(tx, staff) }
                sets.append("responsible_id = ?")
                values.append(valid.responsibleID.map { .integer($0) } ?? .null)
            }
            if changing.contains("source") {
                let s = valid.source ?? ContactSource()
                sets += ["source_channel = ?", "source_tracking_number = ?", "utm_source = ?", "utm_medium = ?", "utm_campaign = ?"]
                values += [.text(s.channel), .text(s.trackingNumber), .text(s.utmSource), .text(s.utmMedium), .text(s.utmCampaign)]
            }
            values.append(.integer(id))
            try tx.run("UPDATE contacts SET \(sets.joined(separator: ", ")) WHERE id = ?", values)
            if changing.contains("emails") {
                try tx.run("DELETE FROM contact_emails WHERE contact_id = ?", [.integer(id)])
                try Self.insertEmails(tx, id, valid.emails, from: 0)
            }
            if changing.contains("phones") {
                try tx.run("DELETE FROM contact_phones WHERE contact_id = ?", [.integer(id)])
                try Self.insertPhones(tx, id, valid.phones, from: 0)
            }
            if changing.contains("tags") {
                try tx.run("DELETE FROM contact_tags WHERE contact_id = ?", [.integer(id)])
                try Self.insertTags(tx, id, valid.tags)
            }
            if changing.contains("customFields") {
                try tx.run("DELETE FROM contact_fields WHERE contact_id = ?", [.integer(id)])
                try Self.insertFields(tx, id, valid.customFields)
            }
            return try Self.load(tx.connection, id: id)!
        }
    }

    /// Soft delete; deleting twice is fine.
    public func delete(_ id: Int64) async throws {
        try await database.write { tx in
            guard try Self.load(tx.connection, id: id) != nil else { throw RPCError.notFound("contact \(id) does not exist") }
            try tx.run("UPDATE contacts SET deleted_at = COALESCE(deleted_at, ?) WHERE id = ?", [.integer(clock.milliseconds), .integer(id)])
        }
    }

    /// C3: merges `mergedID` into `survivorID`, records who did it and what came from
    /// where, and emits `contact.merged` in the same transaction.
    public func merge(_ request: MergeContactsRequest) async throws -> MergeContactsResponse {
        guard request.survivorID != request.mergedID else {
            throw RPCError.invalidArgument("a contact cannot be merged into itself", details: [FieldViolation(field: "from", description: "is the same contact")])
        }
        return try await database.write { tx in
            guard let survivor = try Self.load(tx.connection, id: request.survivorID) else {
                throw RPCError.notFound("contact \(request.survivorID) does not exist")
            }
            guard let merged = try Self.load(tx.connection, id: request.mergedID) else {
                throw RPCError.notFound("contact \(request.mergedID) does not exist")
            }
            // Asking again for a merge that is done is a repeat, not an error: its record.
            if merged.mergedInto == survivor.id, let done = try tx.queryFirst(
                "SELECT id, fields_taken FROM contact_merges WHERE merged_id = ? ORDER BY id DESC LIMIT 1", [.integer(merged.id)],
                { ($0.int64(0), $0.string(1)) })
            {
                var response = MergeContactsResponse()
                response.contact = survivor
                response.mergeID = done.0
                response.fieldsTaken = done.1.split(separator: ",").map(String.init)
                return response
            }
            try Self.requireLive(survivor)
            try Self.requireLive(merged)
            let (result, taken) = ContactMerger.merge(survivor: survivor, merged: merged)
            let now = clock.milliseconds
            try Self.overwrite(tx, result, now: now)
            // C8: the person's words from both records, the latest for each channel and purpose.
            let consents = merged.consents.reduce(survivor.consents) { ConsentRule.current($0, after: $1) }
            if !consents.isEmpty {
                try tx.run("UPDATE contacts SET consents = ? WHERE id = ?", [.blob(ContactConsents(current: consents).wireBytes()), .integer(survivor.id)])
                try tx.run("UPDATE consent_history SET contact_id = ? WHERE contact_id = ?", [.integer(survivor.id), .integer(merged.id)])
            }
            try tx.run("UPDATE contacts SET merged_into = ?, updated_at = ? WHERE id = ?",
                [.integer(survivor.id), .integer(now), .integer(merged.id)])
            // Re-point earlier tombstones so a chain A <- B <- C reads as A for both.
            try tx.run("UPDATE contacts SET merged_into = ? WHERE merged_into = ?", [.integer(survivor.id), .integer(merged.id)])
            // C5: the events the merged contact attended are the survivor's now.
            try tx.run("UPDATE attendance SET contact_id = ? WHERE contact_id = ?", [.integer(survivor.id), .integer(merged.id)])
            try tx.run("""
                INSERT INTO contact_merges (survivor_id, merged_id, merged_by, merged_at, fields_taken, survivor_before, merged_before)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [.integer(survivor.id), .integer(merged.id), .text(request.mergedBy), .integer(now),
                      .text(taken.joined(separator: ",")), .blob(survivor.wireBytes()), .blob(merged.wireBytes())])
            let mergeID = tx.lastInsertRowID
            var event = ContactMerged()
            event.survivorID = survivor.id
            event.mergedID = merged.id
            event.mergeID = mergeID
            event.mergedAtMilliseconds = now
            try tx.appendEvent(type: Contacts.Event.merged, aggregateID: "contact-\(merged.id)", payload: event.wireBytes())
            var response = MergeContactsResponse()
            response.contact = try Self.load(tx.connection, id: survivor.id)!
            response.mergeID = mergeID
            response.fieldsTaken = taken
            return response
        }
    }

    /// C4: a responsible is a staff member that exists (never an id that names nobody).
    static func requireStaff(_ tx: Transaction, _ id: Int64?) throws {
        guard let id, try !StaffStore.exists(tx.connection, id) else { return }
        throw RPCError.invalidArgument(
            "staff member \(id) does not exist", details: [FieldViolation(field: "responsibleId", description: "is not a staff member (no staff member \(id))")])
    }

    static func requireLive(_ contact: Contact) throws {
        if let target = contact.mergedInto {
            throw RPCError(.failedPrecondition, "contact \(contact.id) was merged into \(target); use \(target)")
        }
        if contact.deleted { throw RPCError(.failedPrecondition, "contact \(contact.id) is deleted") }
    }

    // MARK: Rows

    static func insert(_ tx: Transaction, _ d: ValidDraft, now: Int64) throws -> Int64 {
        let s = d.source ?? ContactSource()
        try tx.run("""
            INSERT INTO contacts (first_name, last_name, first_key, last_key, company, source_channel, source_tracking_number,
                utm_source, utm_medium, utm_campaign, responsible_id, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(d.firstName), .text(d.lastName), .text(d.firstName.lowercased()), .text(d.lastName.lowercased()),
                  .text(d.company), .text(s.channel), .text(s.trackingNumber), .text(s.utmSource), .text(s.utmMedium),
                  .text(s.utmCampaign), SQLValue(d.responsibleID), .integer(now), .integer(now)])
        let id = tx.lastInsertRowID
        try insertEmails(tx, id, d.emails, from: 0)
        try insertPhones(tx, id, d.phones, from: 0)
        try insertTags(tx, id, d.tags)
        try insertFields(tx, id, d.customFields)
        return id
    }

    /// The contact `insert` stored, without reading it back.
    static func contact(id: Int64, from d: ValidDraft, now: Int64) -> Contact {
        var c = Contact()
        c.id = id
        c.firstName = d.firstName
        c.lastName = d.lastName
        c.emails = d.emails
        c.phones = d.phones
        c.company = d.company
        c.tags = d.tags
        c.source = d.source
        c.responsibleID = d.responsibleID
        c.customFields = d.customFields
        c.createdAtMilliseconds = now
        c.updatedAtMilliseconds = now
        return c
    }

    /// Writes every field of `c` over its row and child rows (after a merge).
    static func overwrite(_ tx: Transaction, _ c: Contact, now: Int64) throws {
        let s = c.source ?? ContactSource()
        try tx.run("""
            UPDATE contacts SET first_name = ?, last_name = ?, first_key = ?, last_key = ?, company = ?, source_channel = ?,
                source_tracking_number = ?, utm_source = ?, utm_medium = ?, utm_campaign = ?, responsible_id = ?,
                created_at = ?, updated_at = ? WHERE id = ?
            """, [.text(c.firstName), .text(c.lastName), .text(c.firstName.lowercased()), .text(c.lastName.lowercased()),
                  .text(c.company), .text(s.channel), .text(s.trackingNumber), .text(s.utmSource), .text(s.utmMedium),
                  .text(s.utmCampaign), SQLValue(c.responsibleID), .integer(c.createdAtMilliseconds), .integer(now), .integer(c.id)])
        for table in ["contact_emails", "contact_phones", "contact_tags", "contact_fields"] {
            try tx.run("DELETE FROM \(table) WHERE contact_id = ?", [.integer(c.id)])
        }
        try insertEmails(tx, c.id, c.emails, from: 0)
        try insertPhones(tx, c.id, c.phones, from: 0)
        try insertTags(tx, c.id, c.tags)
        try insertFields(tx, c.id, c.customFields)
    }

    static func insertEmails(_ tx: Transaction, _ id: Int64, _ emails: [String], from start: Int) throws {
        for (i, email) in emails.enumerated() {
            try tx.run("INSERT INTO contact_emails (contact_id, email, position) VALUES (?, ?, ?)",
                [.integer(id), .text(email), .integer(Int64(start + i))])
        }
    }

    static func insertPhones(_ tx: Transaction, _ id: Int64, _ phones: [Phone], from start: Int) throws {
        for (i, phone) in phones.enumerated() {
            try tx.run("INSERT INTO contact_phones (contact_id, number, extension, position) VALUES (?, ?, ?, ?)",
                [.integer(id), .text(phone.number), .text(phone.extension), .integer(Int64(start + i))])
        }
    }

    static func insertTags(_ tx: Transaction, _ id: Int64, _ tags: [String]) throws {
        for (i, tag) in tags.enumerated() {
            try tx.run("INSERT INTO contact_tags (contact_id, tag, position) VALUES (?, ?, ?)", [.integer(id), .text(tag), .integer(Int64(i))])
        }
    }

    static func insertFields(_ tx: Transaction, _ id: Int64, _ fields: [CustomField]) throws {
        for (i, field) in fields.enumerated() {
            try tx.run("INSERT INTO contact_fields (contact_id, name, value, position) VALUES (?, ?, ?, ?)",
                [.integer(id), .text(field.name), .text(field.value), .integer(Int64(i))])
        }
    }

    static func load(_ connection: Connection, id: Int64) throws -> Contact? {
        guard var contact = try connection.queryFirst("""
            SELECT id, first_name, last_name, company, source_channel, source_tracking_number, utm_source, utm_medium,
                   utm_campaign, responsible_id, created_at, updated_at, merged_into, deleted_at, erased_at, consents
            FROM contacts WHERE id = ?
            """, [.integer(id)], { row -> Contact in
                var c = Contact()
                c.id = row.int64("id")
                c.firstName = row.string("first_name")
                c.lastName = row.string("last_name")
                c.company = row.string("company")
                let source = ContactSource(
                    channel: row.string("source_channel"), trackingNumber: row.string("source_tracking_number"), utmSource: row.string("utm_source"),
                    utmMedium: row.string("utm_medium"), utmCampaign: row.string("utm_campaign"))
                c.source = source.isEmpty ? nil : source
                c.responsibleID = row.optionalInt64("responsible_id")
                c.createdAtMilliseconds = row.int64("created_at")
                c.updatedAtMilliseconds = row.int64("updated_at")
                c.mergedInto = row.optionalInt64("merged_into")
                c.deleted = !row.isNull("deleted_at")
                c.erasedAtMilliseconds = row.optionalInt64("erased_at")
                if !row.isNull("consents") { c.consents = try ContactConsents(wireBytes: row.blob("consents")).current }
                return c
            })
        else { return nil }
        // One query for every child row keeps a read at two statements.
        let children = try connection.query("""
            SELECT 0, email, '', position FROM contact_emails WHERE contact_id = ?1
            UNION ALL SELECT 1, number, extension, position FROM contact_phones WHERE contact_id = ?1
            UNION ALL SELECT 2, tag, '', position FROM contact_tags WHERE contact_id = ?1
            UNION ALL SELECT 3, name, value, position FROM contact_fields WHERE contact_id = ?1
            ORDER BY 1, 4
            """, [.integer(id)]) { ($0.int(0), $0.string(1), $0.string(2)) }
        for (kind, a, b) in children {
            switch kind {
            case 0: contact.emails.append(a)
            case 1: contact.phones.append(Phone(number: a, extension: b))
            case 2: contact.tags.append(a)
            default: contact.customFields.append(CustomField(name: a, value: b))
            }
        }
        return contact
    }
}
