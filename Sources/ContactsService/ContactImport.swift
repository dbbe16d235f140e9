import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// G7: staff and contact rows of an import, and the same rows for an export. A row is
/// kept by (source, external id): found again, it updates what it made. A contact row not
/// seen before goes through match-or-create (C2): a person already here is matched,
/// and gains the emails and phones the row adds. Nothing here emits an event: imported
/// history is not news.
public struct ContactImport: Sendable {
    let database: Database
    let validator: ContactDraftValidator
    let staff: StaffStore
    let clock: WallClock

    public init(database: Database, validator: ContactDraftValidator, staff: StaffStore, clock: WallClock) {
        self.database = database
        self.validator = validator
        self.staff = staff
        self.clock = clock
    }

    public func run(_ batch: ImportBatch) async throws -> ImportOutcomes {
        try ImportLedger.requireValid(batch)
        let now = clock.milliseconds
        let rows = batch.rows, source = batch.source, live = batch.live
        let importer = self
        return try await ImportLedger.run(database, dryRun: batch.dryRun, count: rows.count, prefix: { rows[$0].kind.name }) { tx, i in
            let row = rows[i]
            if let member = row.staff { return try importer.staffRow(tx, member, source: source, now: now) }
            if let contact = row.contact { return try importer.contactRow(tx, contact, source: source, live: live, now: now) }
            throw RPCError.invalidArgument("contacts takes staff and contact rows")
        }
    }

    func staffRow(_ tx: Transaction, _ row: ImportedStaff, source: String, now: Int64) throws -> ImportOutcome {
        var member = StaffMember()
        (member.firstName, member.lastName, member.email) = (row.firstName, row.lastName, row.email)
        member.role = row.role == .unspecified ? .operator_ : row.role
        (member.extensions, member.mobiles) = (row.extensions, row.mobiles)
        let clean = try staff.clean(member)
        if let id = try ImportLedger.find(tx.connection, source: source, kind: .staff, row.externalID) {
            try tx.run(
                "UPDATE staff SET first_name = ?, last_name = ?, role = ?, email = ? WHERE id = ?",
                [.text(clean.firstName), .text(clean.lastName), .integer(Int64(clean.role.rawValue)), .text(clean.email), .integer(id)])
            try tx.run("DELETE FROM staff_numbers WHERE staff_id = ?", [.integer(id)])
            try StaffStore.writeNumbersAndSkills(tx, id: id, clean)
            return ImportLedger.outcome(.updated, id: id)
        }
        if !clean.email.isEmpty, let id = try tx.queryFirst("SELECT id FROM staff WHERE email = ? ORDER BY id LIMIT 1", [.text(clean.email)], { $0.int64(0) }) {
            try ImportLedger.keep(tx, source: source, kind: .staff, row.externalID, id: id)
            return ImportLedger.outcome(.matched, id: id)
        }
        let id = try StaffStore.insert(tx, clean, now: now)
        try ImportLedger.keep(tx, source: source, kind: .staff, row.externalID, id: id)
        return ImportLedger.outcome(.created, id: id)
    }

    /// `live` (side by side): a responsible not known here is left out rather than refused.
    func contactRow(_ tx: Transaction, _ row: ImportedContact, source: String, live: Bool = false, now: Int64) throws -> ImportOutcome {
        var draft = ContactDraft()
        (draft.firstName, draft.lastName, draft.emails, draft.phones) = (row.firstName, row.lastName, row.emails, row.phones)
        (draft.company, draft.tags, draft.customFields) = (row.company, row.tags, row.customFields)
        if !row.channel.isEmpty { draft.source = ContactSource(channel: row.channel) }
        if !row.responsible.isEmpty {
            let found = try Self.staffID(tx.connection, source: source, row.responsible)
            guard let id = found ?? (live ? 0 : nil) else {
                throw RPCError.invalidArgument("no staff member \(row.responsible)", details: [FieldViolation(field: "responsible", description: "names no staff member (external id, email or full name)")])
            }
            draft.responsibleID = id == 0 ? nil : id
        }
        let valid = try validator.validate(draft).get()
        // C8: a file moving in is the past: it never brings back an erased person. A CRM's
        // live change (side by side) happens now, as the person coming back would.
        try ContactErasure.refuseErased(tx, valid.phones.map(\.number) + valid.emails, occurredAt: live ? now : Int64.min)
        let fields = CustomFieldCheck.violations(valid.customFields, try ContactsAPI.fields.all(tx.connection), pipelineID: nil, requireMissing: false)
        guard fields.isEmpty else { throw RPCError.invalidArgument("the contact's fields are not valid", details: fields) }
        let createdAt = row.createdAtMilliseconds ?? now
        if let id = try ImportLedger.find(tx.connection, source: source, kind: .contact, row.externalID),
           var contact = try ContactStore.load(tx.connection, id: id), contact.mergedInto == nil, !contact.deleted {
            // What the row says wins; what it leaves empty stays, and emails and phones it
            // lacks stay (a person may have gained them here).
            if !valid.firstName.isEmpty || !valid.lastName.isEmpty { (contact.firstName, contact.lastName) = (valid.firstName, valid.lastName) }
            if !valid.company.isEmpty { contact.company = valid.company }
            if !valid.tags.isEmpty { contact.tags = valid.tags }
            contact.emails += valid.emails.filter { !contact.emails.contains($0) }
            contact.phones += valid.phones.filter { p in !contact.phones.contains { $0.number == p.number } }
            let named = Set(valid.customFields.map(\.name))
            contact.customFields = contact.customFields.filter { !named.contains($0.name) } + valid.customFields
            contact.responsibleID = valid.responsibleID ?? contact.responsibleID
            if let source = valid.source { contact.source = source }
            if row.createdAtMilliseconds != nil { contact.createdAtMilliseconds = createdAt }
            try ContactStore.overwrite(tx, contact, now: now)
            return ImportLedger.outcome(.updated, id: id)
        }
        let response = try ContactStore.matchOrCreate(in: tx, valid, requireNameMatch: false, visibility: Visibility(), now: now)
        let id = response.contact.id
        if response.created, createdAt != now {
            try tx.run("UPDATE contacts SET created_at = ?, updated_at = ? WHERE id = ?", [.integer(createdAt), .integer(createdAt), .integer(id)])
        }
        try ImportLedger.keep(tx, source: source, kind: .contact, row.externalID, id: id)
        return ImportLedger.outcome(response.created ? .created : .matched, id: id)
    }

    /// A staff member an import names: by the external id of a staff row of the source,
    /// else by email, else by full name ("First Last", one active member).
    static func staffID(_ c: Connection, source: String, _ reference: String) throws -> Int64? {
        let key = reference.trimming(.spaces)
        if let id = try ImportLedger.find(c, source: source, kind: .staff, key) { return id }
        if case let .success(email) = EmailNormalizer.normalize(key),
           let id = try c.queryFirst("SELECT id FROM staff WHERE email = ? ORDER BY id LIMIT 1", [.text(email)], { $0.int64(0) }) {
            return id
        }
        let named = try c.query(
            "SELECT id FROM staff WHERE deactivated_at IS NULL AND lower(trim(first_name || ' ' || last_name)) = ? LIMIT 2", [.text(key.lowercased())]) { $0.int64(0) }
        return named.count == 1 ? named[0] : nil
    }

    public func resolve(_ request: ResolveImportsRequest) async throws -> ImportReferences {
        guard request.references.count <= ImportLedger.maximumRows * 4 else {
            throw RPCError.invalidArgument("at most \(ImportLedger.maximumRows * 4) references a call")
        }
        return try await database.read { c in
            var found = ImportReferences()
            for reference in request.references {
                var id: Int64?
                switch reference.kind {
                case .staff: id = try Self.staffID(c, source: request.source, reference.reference)
                case .contact: id = try ImportLedger.find(c, source: request.source, kind: .contact, reference.reference)
                default: id = nil
                }
                if let id { found.references.append(ImportReference(kind: reference.kind, reference: reference.reference, id: id)) }
            }
            return found
        }
    }

    /// Staff or live contacts after `afterID`, as import rows keyed by our ids.
    public func export(_ request: ExportRequest) async throws -> ExportPage {
        let limit = Int64(min(max(request.limit, 1), 1000))
        return try await database.read { c in
            var page = ExportPage()
            switch request.kind {
            case .staff:
                let ids = try c.query("SELECT id FROM staff WHERE id > ? ORDER BY id LIMIT ?", [.integer(request.afterID), .integer(limit)]) { $0.int64(0) }
                for id in ids {
                    guard let m = try StaffStore.load(c, id: id) else { continue }
                    page.rows.append(ImportRow(staff: ImportedStaff(
                        externalID: "\(id)", firstName: m.firstName, lastName: m.lastName, role: m.role, email: m.email, extensions: m.extensions, mobiles: m.mobiles)))
                }
                page.lastID = ids.count == limit ? ids.last ?? 0 : 0
            case .contact:
                let ids = try c.query(
                    "SELECT id FROM contacts WHERE id > ? AND merged_into IS NULL AND deleted_at IS NULL ORDER BY id LIMIT ?",
                    [.integer(request.afterID), .integer(limit)]) { $0.int64(0) }
                for id in ids {
                    guard let contact = try ContactStore.load(c, id: id) else { continue }
                    page.rows.append(ImportRow(contact: Self.row(contact)))
                }
                page.lastID = ids.count == limit ? ids.last ?? 0 : 0
            default:
                throw RPCError.invalidArgument("contacts exports staff and contacts", details: [FieldViolation(field: "kind", description: "is not staff or contact")])
            }
            return page
        }
    }

    static func row(_ contact: Contact) -> ImportedContact {
        var row = ImportedContact()
        row.externalID = "\(contact.id)"
        (row.firstName, row.lastName, row.emails, row.company, row.tags) = (contact.firstName, contact.lastName, contact.emails, contact.company, contact.tags)
        row.phones = contact.phones.map { $0.extension.isEmpty ? $0.number : "\($0.number) ext. \($0.extension)" }
        row.responsible = contact.responsibleID.map { "\($0)" } ?? ""
        row.customFields = contact.customFields
        row.createdAtMilliseconds = contact.createdAtMilliseconds
        row.channel = contact.source?.channel ?? ""
        return row
    }
}
