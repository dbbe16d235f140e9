import Contracts
import RPC
import ServiceKit
import Storage
import Wire

/// The contacts service's RPC face: each handler decodes, applies a rule, stores, and
/// replies. Configuration decides the default country for phones.
public struct ContactsAPI: RegistrableRPCService {
    public let contacts: ContactStore
    public let staff: StaffStore
    public let validator: ContactDraftValidator
    public let attendance: AttendanceStore

    /// `clock`: the time stamped on what is stored (the host's; tests set their own).
    public init(database: Database, defaultCountry: PhoneNormalizer, clock: WallClock = .system) {
        contacts = ContactStore(database: database, clock: clock)
        staff = StaffStore(database: database, phones: defaultCountry, clock: clock)
        validator = ContactDraftValidator(phones: defaultCountry)
        attendance = AttendanceStore(database: database, clock: clock)
    }

    public func registerMethods(with server: RPCServer) {
        server.register(Contacts.matchOrCreate) { request, _ in
            let draft = try validator.validate(request.draft).get()
            return try await contacts.matchOrCreate(draft, requireNameMatch: request.requireNameMatch, visibility: request.visibility.resolved)
        }
        server.register(Contacts.recordAttendance) { report, _ in
            let tickets = try AttendanceReportValidator(contacts: validator).validate(report).get()
            return try await attendance.record(report, tickets: tickets)
        }
        server.register(Contacts.listAttendance) { request, _ in
            // G3: one the caller may not see answers as a contact that does not exist.
            let contact = try await contacts.get(request.contactID, visibility: request.visibility.resolved, includeDeleted: false)
            return AttendanceList(records: try await attendance.list(contactID: contact.id))
        }
        server.register(Contacts.get) { request, _ in
            try await contacts.get(request.id, visibility: request.visibility.resolved, includeDeleted: request.includeDeleted)
        }
        server.register(Contacts.update) { request, _ in try await update(request) }
        server.register(Contacts.delete) { request, _ in
            try await contacts.delete(request.id)
            return Empty()
        }
        server.register(Contacts.search) { request, _ in try await search(request) }
        server.register(Contacts.listDuplicates) { request, _ in
            var list = DuplicateGroupList()
            list.groups = try await contacts.duplicates(limit: try PageRequest(size: request.limit, default: 100, maximum: 1000).limit)
            return list
        }
        server.register(Contacts.merge) { request, _ in try await contacts.merge(request) }
        server.register(Contacts.createStaff) { request, _ in try await staff.create(request) }
        server.register(Contacts.getStaff) { request, _ in try await staff.get(request.id) }
        server.register(Contacts.listStaff) { request, _ in try await staff.page(request) }
        server.register(Contacts.team) { request, _ in
            let member = try await staff.get(request.id)
            let everyone = member.role == .manager || member.role == .seniorManager ? try await staff.list(role: .unspecified) : []
            return StaffTeamRule.team(of: member, staff: everyone)
        }
        server.register(Contacts.findStaffByNumber) { request, _ in try await staff.find(byNumber: request.number) }
        server.setHealth(.serving, for: Contacts.service)
    }

    /// Validates the lists an update replaces with the same rules as a new contact.
    func update(_ request: UpdateContactRequest) async throws -> Contact {
        var draft = ContactDraft()
        draft.firstName = request.firstName ?? ""
        draft.lastName = request.lastName ?? ""
        draft.company = request.company ?? ""
        draft.emails = request.emails
        draft.phones = request.phones
        draft.tags = request.tags
        draft.customFields = request.customFields
        let valid = try validator.validate(draft, requireIdentity: false).get()
        var cleaned = request
        cleaned.firstName = request.firstName.map { _ in valid.firstName }
        cleaned.lastName = request.lastName.map { _ in valid.lastName }
        cleaned.company = request.company.map { _ in valid.company }
        return try await contacts.update(
            cleaned, emails: request.replaceEmails ? valid.emails : nil, phones: request.replacePhones ? valid.phones : nil,
            tags: request.replaceTags ? valid.tags : nil, fields: request.replaceCustomFields ? valid.customFields : nil)
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
