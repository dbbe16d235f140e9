import ContractServices
import Contracts
import RPC
import ServiceKit
import Storage
import Wire

/// The contacts service's RPC face: each handler decodes, applies a rule, stores, and
/// replies. Configuration decides the default country for phones.
public struct ContactsAPI: Contacts.ServiceProtocol {
    public let contacts: ContactStore
    public let staff: StaffStore
    public let validator: ContactDraftValidator
    public let attendance: AttendanceStore
    public let signIn: StaffSignIn
    /// G7: imports and exports.
    public let moving: ContactImport
    let database: Database
    let clock: WallClock
    /// C8: the events it keeps, for a person's erasure (the host's; none in unit tests).
    public var events = EventErasure.none

    /// `clock`: the time stamped on what is stored (the host's; tests set their own).
    public init(database: Database, defaultCountry: PhoneNormalizer, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
        contacts = ContactStore(database: database, clock: clock)
        staff = StaffStore(database: database, phones: defaultCountry, clock: clock)
        validator = ContactDraftValidator(phones: defaultCountry)
        attendance = AttendanceStore(database: database, clock: clock)
        signIn = StaffSignIn(database: database, clock: clock)
        moving = ContactImport(database: database, validator: validator, staff: staff, clock: clock)
    }

    /// Issue 26 item 2: the declared contact fields.
    static let fields = CustomFieldRegistry(entity: "contact", valuesTable: "contact_fields", ownerColumn: "contact_id")

    public func putField(_ request: CustomFieldDefinition, context: ServerContext) async throws -> CustomFieldDefinition {
        var definition = request
        (definition.actorID, definition.credentialID) = (context.principal?.staffID, context.principal?.credentialID)
        let now = clock.milliseconds
        let stored = definition
        return try await database.write { tx in try Self.fields.put(tx, stored, at: now) }
    }

    public func listFields(_: Empty, context _: ServerContext) async throws -> CustomFieldDefinitionList {
        CustomFieldDefinitionList(fields: try await database.read { try Self.fields.all($0) })
    }

    /// Declared fields read as their types and name staff who exist; the required ones are
    /// there when a person writes the fields (a service's match-or-create, a lead's, is not
    /// held to them).
    func checkFields(_ values: [CustomField], requireMissing: Bool) async throws {
        // The declarations, and the declared staff fields whose id names nobody.
        let (definitions, nobody) = try await database.read { c in
            let all = try Self.fields.all(c)
            let staffNames = Set(all.filter { $0.type == .staff && !$0.archived }.map(\.name))
            let unknown = try values.filter { field in
                guard staffNames.contains(field.name), let id = Int64(field.value.trimming(.spaces)) else { return false }
                return try !StaffStore.exists(c, id)
            }
            return (all, unknown.map(\.name))
        }
        var violations = CustomFieldCheck.violations(values, definitions, pipelineID: nil, requireMissing: requireMissing)
        violations += nobody.map { FieldViolation(field: "customFields.\($0)", description: "is not a staff member") }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the contact's fields are not valid", details: violations) }
    }

    public func matchOrCreate(_ request: MatchOrCreateRequest, context: ServerContext) async throws -> MatchOrCreateResponse {
        let draft = try validator.validate(request.draft).get()
        try await checkFields(draft.customFields, requireMissing: context.principal != nil)
        return try await contacts.matchOrCreate(
            draft, requireNameMatch: request.requireNameMatch, visibility: request.visibility.resolved, occurredAt: request.occurredAtMilliseconds)
    }

    public func recordConsent(_ request: Consent, context: ServerContext) async throws -> ContactConsents {
        try await ConsentStore(database: database, clock: clock).record(request, contactID: request.contactID, by: context.actor)
    }

    public func consents(_ request: GetContactRequest, context _: ServerContext) async throws -> ContactConsents {
        try await ConsentStore(database: database, clock: clock).consents(contactID: request.id, visibility: request.visibility.resolved)
    }

    public func erasePerson(_ request: ErasePersonRequest, context _: ServerContext) async throws -> ErasureReport {
        try await ContactErasure(database: database, clock: clock, events: events).erase(request)
    }

    public func importRecords(_ request: ImportBatch, context _: ServerContext) async throws -> ImportOutcomes {
        try await moving.run(request)
    }

    public func resolveImports(_ request: ResolveImportsRequest, context _: ServerContext) async throws -> ImportReferences {
        try await moving.resolve(request)
    }

    public func exportRecords(_ request: ExportRequest, context _: ServerContext) async throws -> ExportPage {
        try await moving.export(request)
    }

    public func recordAttendance(_ report: AttendanceReport, context _: ServerContext) async throws -> AttendanceOutcome {
        let tickets = try AttendanceReportValidator(contacts: validator).validate(report).get()
        return try await attendance.record(report, tickets: tickets)
    }

    public func listAttendance(_ request: ListAttendanceRequest, context _: ServerContext) async throws -> AttendanceList {
        // G3: one the caller may not see answers as a contact that does not exist.
        let contact = try await contacts.get(request.contactID, visibility: request.visibility.resolved, includeDeleted: request.includeDeleted)
        return AttendanceList(records: try await attendance.list(contactID: contact.id))
    }

    public func get(_ request: GetContactRequest, context _: ServerContext) async throws -> Contact {
        try await contacts.get(request.id, visibility: request.visibility.resolved, includeDeleted: request.includeDeleted)
    }

    public func getContacts(_ request: GetContactsRequest, context _: ServerContext) async throws -> ContactList {
        ContactList(contacts: try await contacts.get(request.ids, visibility: request.visibility.resolved))
    }

    public func update(_ request: UpdateContactRequest, context _: ServerContext) async throws -> Contact {
        try await update(request)
    }

    public func delete(_ request: DeleteContactRequest, context _: ServerContext) async throws -> Empty {
        try await contacts.delete(request.id)
        return Empty()
    }

    public func search(_ request: SearchContactsRequest, context _: ServerContext) async throws -> ContactPage {
        try await search(request)
    }

    public func listDuplicates(_ request: ListDuplicatesRequest, context _: ServerContext) async throws -> DuplicateGroupList {
        var list = DuplicateGroupList()
        list.groups = try await contacts.duplicates(limit: try PageRequest(size: request.limit, default: 100, maximum: 1000).limit)
        return list
    }

    public func merge(_ request: MergeContactsRequest, context _: ServerContext) async throws -> MergeContactsResponse {
        try await contacts.merge(request)
    }

    public func createStaff(_ request: StaffMember, context _: ServerContext) async throws -> StaffMember {
        try await staff.create(request)
    }

    public func updateStaff(_ request: StaffEdit, context: ServerContext) async throws -> StaffMember {
        var edit = request
        edit.actorID = context.principal?.staffID
        edit.credentialID = context.principal?.credentialID
        return try await staff.update(edit)
    }

    public func deactivateStaff(_ request: DeactivateStaffRequest, context: ServerContext) async throws -> StaffMember {
        var deactivation = request
        deactivation.actorID = context.principal?.staffID
        deactivation.credentialID = context.principal?.credentialID
        return try await staff.deactivate(deactivation)
    }

    public func staffHistory(_ request: SetupHistoryRequest, context _: ServerContext) async throws -> SetupHistory {
        try await staff.history(request.id)
    }

    public func getStaff(_ request: GetStaffRequest, context _: ServerContext) async throws -> StaffMember {
        try await staff.get(request.id)
    }

    public func listStaff(_ request: ListStaffRequest, context _: ServerContext) async throws -> StaffList {
        try await staff.page(request)
    }

    public func staffSecret(_ request: GetStaffRequest, context _: ServerContext) async throws -> StaffSecret {
        try await signIn.secret(request.id)
    }

    public func setStaffPassword(_ request: StaffPasswordChange, context _: ServerContext) async throws -> StaffSecret {
        try await signIn.setPassword(request)
    }

    public func inviteStaff(_ request: StaffInviteRequest, context _: ServerContext) async throws -> StaffMember {
        try await signIn.invite(request)
    }

    public func findInvite(_ request: InviteLookup, context _: ServerContext) async throws -> StaffMember {
        try await signIn.find(request)
    }

    public func useInvite(_ request: StaffInviteUse, context _: ServerContext) async throws -> StaffMember {
        try await signIn.use(request)
    }

    public func team(_ request: GetStaffRequest, context _: ServerContext) async throws -> StaffTeam {
        let member = try await staff.get(request.id)
        // A member who left sees nothing: their token was revoked, and any left acts for nobody.
        guard member.deactivatedAtMilliseconds == nil else { throw RPCError.notFound("staff member \(request.id) was deactivated") }
        let everyone = member.role == .manager || member.role == .seniorManager ? try await staff.list(role: .unspecified) : []
        var team = StaffTeamRule.team(of: member, staff: everyone)
        team.passwordChangedAtMilliseconds = try await signIn.secret(member.id).changedAtMilliseconds
        return team
    }

    public func findStaffByNumber(_ request: FindStaffByNumberRequest, context _: ServerContext) async throws -> StaffMember {
        try await staff.find(byNumber: request.number)
    }

    /// Changes the fields the request's mask names, checked and normalized as a new
    /// contact's are; a name the mask may not hold is refused and nothing changes.
    func update(_ request: UpdateContactRequest) async throws -> Contact {
        var patch = ContactDraft()
        let violations = patch.apply(request.contact, fieldMask: request.fieldMask)
        guard violations.isEmpty else {
            throw RPCError.invalidArgument("the contact has \(violations.count) invalid field(s)", details: violations)
        }
        let valid = try validator.validate(patch, requireIdentity: false).get()
        if request.fieldMask.contains("customFields") { try await checkFields(valid.customFields, requireMissing: true) }
        return try await contacts.update(
            request.id, visibility: request.visibility.resolved, changing: Set(request.fieldMask), to: valid)
    }

    func search(_ request: SearchContactsRequest) async throws -> ContactPage {
        var phone: String?
        var email: String?
        // C6 (issue 22 item 32): a filter that is no phone number or address matches no
        // contact — an empty page, as the document says, not a refusal it cannot state.
        if !request.phone.isEmpty {
            guard case let .success(p) = validator.phones.normalize(request.phone) else { return ContactPage() }
            phone = p.number
        }
        if !request.email.isEmpty {
            guard case let .success(e) = EmailNormalizer.normalize(request.email) else { return ContactPage() }
            email = e
        }
        return try await contacts.search(request, phone: phone, email: email)
    }
}
