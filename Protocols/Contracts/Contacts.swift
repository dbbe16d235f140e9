import Wire

/// The contacts service: the directory of people (C1–C3, C6) and staff (C4).
/// Times are UTC milliseconds since 1970; phones are E.164 (`+79161234567`).
public enum Contacts {
    public static let service = "switchboard.contacts.Contacts"

    /// C2: returns the existing contact for this person (adding new emails and phones
    /// to it) or creates one. Safe to repeat: the second call matches the first.
    public static let matchOrCreate = MethodDescriptor<MatchOrCreateRequest, MatchOrCreateResponse>(
        service: service, method: "MatchOrCreate", isIdempotent: true)
    public static let get = MethodDescriptor<GetContactRequest, Contact>(
        service: service, method: "Get", isIdempotent: true)
    /// Partial update: only the fields set in the request change.
    public static let update = MethodDescriptor<UpdateContactRequest, Contact>(service: service, method: "Update")
    /// Soft delete: the contact disappears from searches; reading it says `deleted`.
    public static let delete = MethodDescriptor<DeleteContactRequest, Empty>(
        service: service, method: "Delete", isIdempotent: true)
    /// C6: filter by name prefix, phone, email, tag, source, creation period; cursor paging.
    public static let search = MethodDescriptor<SearchContactsRequest, ContactPage>(
        service: service, method: "Search", isIdempotent: true)
    /// C3: groups of live contacts that share an email or a phone.
    public static let listDuplicates = MethodDescriptor<ListDuplicatesRequest, DuplicateGroupList>(
        service: service, method: "ListDuplicates", isIdempotent: true)
    /// C3: merges one contact into another; emits `contact.merged`.
    public static let merge = MethodDescriptor<MergeContactsRequest, MergeContactsResponse>(
        service: service, method: "Merge")

    /// C4: staff members.
    public static let createStaff = MethodDescriptor<StaffMember, StaffMember>(service: service, method: "CreateStaff")
    public static let getStaff = MethodDescriptor<GetStaffRequest, StaffMember>(
        service: service, method: "GetStaff", isIdempotent: true)
    public static let listStaff = MethodDescriptor<ListStaffRequest, StaffList>(
        service: service, method: "ListStaff", isIdempotent: true)
    /// C4: which staff member owns a number (extension or mobile); not_found if none.
    /// Telephony uses it to tell internal calls (T2).
    public static let findStaffByNumber = MethodDescriptor<FindStaffByNumberRequest, StaffMember>(
        service: service, method: "FindStaffByNumber", isIdempotent: true)

    /// G3: the staff whose deals and tasks a member may see (not_found for no such member).
    public static let team = MethodDescriptor<GetStaffRequest, StaffTeam>(service: service, method: "Team", isIdempotent: true)

    /// Event types this service emits.
    public enum Event {
        /// Payload: ``ContactMerged``.
        public static let merged = "contact.merged"
    }
}

/// Where a contact came from (C1): the channel, the call-tracking number, the utm tags.
public struct ContactSource: WireMessage, Equatable {
    public var channel = ""
    public var trackingNumber = ""
    public var utmSource = ""
    public var utmMedium = ""
    public var utmCampaign = ""

    public init() {}
    public init(channel: String, trackingNumber: String = "", utmSource: String = "", utmMedium: String = "", utmCampaign: String = "") {
        self.channel = channel
        self.trackingNumber = trackingNumber
        self.utmSource = utmSource
        self.utmMedium = utmMedium
        self.utmCampaign = utmCampaign
    }

    public var isEmpty: Bool { self == ContactSource() }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, channel)
        e.encode(2, trackingNumber)
        e.encode(3, utmSource)
        e.encode(4, utmMedium)
        e.encode(5, utmCampaign)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: channel = try d.string(key)
        case 2: trackingNumber = try d.string(key)
        case 3: utmSource = try d.string(key)
        case 4: utmMedium = try d.string(key)
        case 5: utmCampaign = try d.string(key)
        default: try d.skip(key)
        }
    }
}

/// A named value a business adds to its contacts or deals (qualification answers...).
public struct CustomField: WireMessage, Equatable, Hashable {
    public var name = ""
    public var value = ""

    public init() {}
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, name)
        e.encode(2, value)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: name = try d.string(key)
        case 2: value = try d.string(key)
        default: try d.skip(key)
        }
    }
}

/// A phone in E.164 with its extension kept apart, so `+7 495 123-45-67 доб. 12`
/// still matches `+74951234567`.
public struct Phone: WireMessage, Equatable, Hashable {
    public var number = ""
    public var `extension` = ""

    public init() {}
    public init(number: String, extension ext: String = "") {
        self.number = number
        self.extension = ext
    }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, number)
        e.encode(2, `extension`)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: number = try d.string(key)
        case 2: `extension` = try d.string(key)
        default: try d.skip(key)
        }
    }
}

/// A person in the directory (C1).
public struct Contact: WireMessage, Equatable {
    public var id: Int64 = 0
    public var firstName = ""
    public var lastName = ""
    public var emails: [String] = []
    public var phones: [Phone] = []
    public var company = ""
    public var tags: [String] = []
    public var source: ContactSource? = nil
    public var responsibleID: Int64? = nil
    public var customFields: [CustomField] = []
    public var createdAtMilliseconds: Int64 = 0
    public var updatedAtMilliseconds: Int64 = 0
    /// Set when this contact was merged into another (C3): read that one instead.
    public var mergedInto: Int64? = nil
    public var deleted = false

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, firstName)
        e.encode(3, lastName)
        e.encode(4, emails)
        e.encode(5, phones)
        e.encode(6, company)
        e.encode(7, tags)
        e.encode(8, source)
        e.encode(9, responsibleID)
        e.encode(10, customFields)
        e.encode(11, createdAtMilliseconds)
        e.encode(12, updatedAtMilliseconds)
        e.encode(13, mergedInto)
        e.encode(14, deleted)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: firstName = try d.string(key)
        case 3: lastName = try d.string(key)
        case 4: try d.append(key, to: &emails)
        case 5: try d.append(key, to: &phones)
        case 6: company = try d.string(key)
        case 7: try d.append(key, to: &tags)
        case 8: source = try d.message(key)
        case 9: responsibleID = try d.int64(key)
        case 10: try d.append(key, to: &customFields)
        case 11: createdAtMilliseconds = try d.int64(key)
        case 12: updatedAtMilliseconds = try d.int64(key)
        case 13: mergedInto = try d.int64(key)
        case 14: deleted = try d.bool(key)
        default: try d.skip(key)
        }
    }
}

/// What a caller knows about a person; phones and emails as typed by people.
public struct ContactDraft: WireMessage, Equatable {
    public var firstName = ""
    public var lastName = ""
    public var emails: [String] = []
    public var phones: [String] = []
    public var company = ""
    public var tags: [String] = []
    public var source: ContactSource? = nil
    public var responsibleID: Int64? = nil
    public var customFields: [CustomField] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, firstName)
        e.encode(2, lastName)
        e.encode(3, emails)
        e.encode(4, phones)
        e.encode(5, company)
        e.encode(6, tags)
        e.encode(7, source)
        e.encode(8, responsibleID)
        e.encode(9, customFields)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: firstName = try d.string(key)
        case 2: lastName = try d.string(key)
        case 3: try d.append(key, to: &emails)
        case 4: try d.append(key, to: &phones)
        case 5: company = try d.string(key)
        case 6: try d.append(key, to: &tags)
        case 7: source = try d.message(key)
        case 8: responsibleID = try d.int64(key)
        case 9: try d.append(key, to: &customFields)
        default: try d.skip(key)
        }
    }
}

/// Which key found the existing contact (C2).
public enum MatchKey: Int, Sendable, WireEnum {
    case none = 0
    case email = 1
    case phone = 2
    public static var unrecognized: MatchKey { .none }

    public var name: String {
        switch self {
        case .none: "none"
        case .email: "email"
        case .phone: "phone"
        }
    }
}

public struct MatchOrCreateRequest: WireMessage, Equatable {
    public var draft = ContactDraft()
    /// 003's policy: a match by email or phone counts only if first and last name match too.
    public var requireNameMatch = false
    /// A restricted caller (G3) does not see or change a matched contact another staff
    /// member is responsible for: it is told the person exists, nothing more.
    public var visibility: Visibility? = nil

    public init() {}
    public init(draft: ContactDraft, requireNameMatch: Bool = false) {
        self.draft = draft
        self.requireNameMatch = requireNameMatch
    }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, draft as ContactDraft?)
        e.encode(2, requireNameMatch)
        e.encode(3, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: draft = try d.message(key)
        case 2: requireNameMatch = try d.bool(key)
        case 3: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

public struct MatchOrCreateResponse: WireMessage, Equatable {
    public var contact = Contact()
    public var created = false
    public var matchedBy = MatchKey.none
    /// The normalized email or phone that matched.
    public var matchedValue = ""

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, contact as Contact?)
        e.encode(2, created)
        e.encode(3, matchedBy)
        e.encode(4, matchedValue)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: contact = try d.message(key)
        case 2: created = try d.bool(key)
        case 3: matchedBy = try d.enumeration(key)
        case 4: matchedValue = try d.string(key)
        default: try d.skip(key)
        }
    }
}

public struct GetContactRequest: WireMessage, Equatable {
    public var id: Int64 = 0
    /// G3 for Get: a contact the caller may not see answers not_found.
    public var visibility: Visibility? = nil

    public init() {}
    public init(id: Int64) { self.id = id }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

public typealias DeleteContactRequest = GetContactRequest
public typealias GetStaffRequest = GetContactRequest

/// Only what is set changes. Lists are replaced when their `replace…` flag is set
/// (an empty list clears them).
public struct UpdateContactRequest: WireMessage, Equatable {
    public var id: Int64 = 0
    public var firstName: String? = nil
    public var lastName: String? = nil
    public var company: String? = nil
    public var responsibleID: Int64? = nil
    public var source: ContactSource? = nil
    public var replaceEmails = false
    public var emails: [String] = []
    public var replacePhones = false
    public var phones: [String] = []
    public var replaceTags = false
    public var tags: [String] = []
    public var replaceCustomFields = false
    public var customFields: [CustomField] = []
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, firstName)
        e.encode(3, lastName)
        e.encode(4, company)
        e.encode(5, responsibleID)
        e.encode(6, source)
        e.encode(7, replaceEmails)
        e.encode(8, emails)
        e.encode(9, replacePhones)
        e.encode(10, phones)
        e.encode(11, replaceTags)
        e.encode(12, tags)
        e.encode(13, replaceCustomFields)
        e.encode(14, customFields)
        e.encode(15, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: firstName = try d.string(key)
        case 3: lastName = try d.string(key)
        case 4: company = try d.string(key)
        case 5: responsibleID = try d.int64(key)
        case 6: source = try d.message(key)
        case 7: replaceEmails = try d.bool(key)
        case 8: try d.append(key, to: &emails)
        case 9: replacePhones = try d.bool(key)
        case 10: try d.append(key, to: &phones)
        case 11: replaceTags = try d.bool(key)
        case 12: try d.append(key, to: &tags)
        case 13: replaceCustomFields = try d.bool(key)
        case 14: try d.append(key, to: &customFields)
        case 15: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

/// C6: every set filter must hold. Results are ordered by id; `cursor` continues
/// after the previous page.
public struct SearchContactsRequest: WireMessage, Equatable {
    public var namePrefix = ""
    public var phone = ""
    public var email = ""
    public var tag = ""
    public var sourceChannel = ""
    public var createdFromMilliseconds: Int64? = nil
    public var createdToMilliseconds: Int64? = nil
    /// 1...500; 0 means 50.
    public var pageSize: Int64 = 0
    public var cursor = ""
    public var visibility: Visibility? = nil

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, namePrefix)
        e.encode(2, phone)
        e.encode(3, email)
        e.encode(4, tag)
        e.encode(5, sourceChannel)
        e.encode(6, createdFromMilliseconds)
        e.encode(7, createdToMilliseconds)
        e.encode(8, pageSize)
        e.encode(9, cursor)
        e.encode(10, visibility)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: namePrefix = try d.string(key)
        case 2: phone = try d.string(key)
        case 3: email = try d.string(key)
        case 4: tag = try d.string(key)
        case 5: sourceChannel = try d.string(key)
        case 6: createdFromMilliseconds = try d.int64(key)
        case 7: createdToMilliseconds = try d.int64(key)
        case 8: pageSize = try d.int64(key)
        case 9: cursor = try d.string(key)
        case 10: visibility = try d.message(key)
        default: try d.skip(key)
        }
    }
}

public struct ContactPage: WireMessage, Equatable {
    public var contacts: [Contact] = []
    /// Empty on the last page.
    public var nextCursor = ""

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, contacts)
        e.encode(2, nextCursor)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &contacts)
        case 2: nextCursor = try d.string(key)
        default: try d.skip(key)
        }
    }
}

public struct ListDuplicatesRequest: WireMessage, Equatable {
    /// Most groups returned; 0 means 100.
    public var limit: Int64 = 0

    public init() {}

    public func encode(to e: inout WireEncoder) { e.encode(1, limit) }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: limit = try d.int64(key)
        default: try d.skip(key)
        }
    }
}

/// Contacts that share at least one email or phone, directly or through each other.
public struct DuplicateGroup: WireMessage, Equatable {
    public var contactIDs: [Int64] = []
    /// The emails and phones they share.
    public var sharedKeys: [String] = []

    public init() {}
    public init(contactIDs: [Int64], sharedKeys: [String]) {
        self.contactIDs = contactIDs
        self.sharedKeys = sharedKeys
    }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, contactIDs)
        e.encode(2, sharedKeys)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &contactIDs)
        case 2: try d.append(key, to: &sharedKeys)
        default: try d.skip(key)
        }
    }
}

public struct DuplicateGroupList: WireMessage, Equatable {
    public var groups: [DuplicateGroup] = []

    public init() {}

    public func encode(to e: inout WireEncoder) { e.encode(1, groups) }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &groups)
        default: try d.skip(key)
        }
    }
}

public struct MergeContactsRequest: WireMessage, Equatable {
    /// The contact that stays.
    public var survivorID: Int64 = 0
    /// The contact that becomes a tombstone pointing at the survivor.
    public var mergedID: Int64 = 0
    /// Who asked for the merge, for the audit record.
    public var mergedBy = ""

    public init() {}
    public init(survivorID: Int64, mergedID: Int64, mergedBy: String) {
        self.survivorID = survivorID
        self.mergedID = mergedID
        self.mergedBy = mergedBy
    }

    public func encode(to e: inout WireEncoder) {
        e.encode(1, survivorID)
        e.encode(2, mergedID)
        e.encode(3, mergedBy)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: survivorID = try d.int64(key)
        case 2: mergedID = try d.int64(key)
        case 3: mergedBy = try d.string(key)
        default: try d.skip(key)
        }
    }
}

public struct MergeContactsResponse: WireMessage, Equatable {
    public var contact = Contact()
    public var mergeID: Int64 = 0
    /// Field names whose value on the survivor came from the merged contact.
    public var fieldsTaken: [String] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, contact as Contact?)
        e.encode(2, mergeID)
        e.encode(3, fieldsTaken)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: contact = try d.message(key)
        case 2: mergeID = try d.int64(key)
        case 3: try d.append(key, to: &fieldsTaken)
        default: try d.skip(key)
        }
    }
}

/// The payload of `contact.merged`: every service re-points `mergedID` to `survivorID`.
public struct ContactMerged: WireMessage, Equatable {
    public var survivorID: Int64 = 0
    public var mergedID: Int64 = 0
    public var mergeID: Int64 = 0
    public var mergedAtMilliseconds: Int64 = 0

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, survivorID)
        e.encode(2, mergedID)
        e.encode(3, mergeID)
        e.encode(4, mergedAtMilliseconds)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: survivorID = try d.int64(key)
        case 2: mergedID = try d.int64(key)
        case 3: mergeID = try d.int64(key)
        case 4: mergedAtMilliseconds = try d.int64(key)
        default: try d.skip(key)
        }
    }
}

/// C4: the roles staff members have.
public enum StaffRole: Int, Sendable, WireEnum, CaseIterable {
    case unspecified = 0
    case operator_ = 1
    case manager = 2
    case seniorManager = 3
    case engineer = 4
    case teacher = 5
    case admin = 6
    public static var unrecognized: StaffRole { .unspecified }

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .operator_: "operator"
        case .manager: "manager"
        case .seniorManager: "senior_manager"
        case .engineer: "engineer"
        case .teacher: "teacher"
        case .admin: "admin"
        }
    }
}

/// C4: a member of staff, with the numbers telephony recognizes as internal.
public struct StaffMember: WireMessage, Equatable {
    public var id: Int64 = 0
    public var firstName = ""
    public var lastName = ""
    public var role = StaffRole.unspecified
    public var email = ""
    /// PBX extensions, e.g. `101`.
    public var extensions: [String] = []
    /// Mobile numbers; stored in E.164.
    public var mobiles: [String] = []
    /// The senior manager this member reports to.
    public var supervisorID: Int64? = nil
    public var skills: [String] = []
    public var zone = ""

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, id)
        e.encode(2, firstName)
        e.encode(3, lastName)
        e.encode(4, role)
        e.encode(5, email)
        e.encode(6, extensions)
        e.encode(7, mobiles)
        e.encode(8, supervisorID)
        e.encode(9, skills)
        e.encode(10, zone)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: id = try d.int64(key)
        case 2: firstName = try d.string(key)
        case 3: lastName = try d.string(key)
        case 4: role = try d.enumeration(key)
        case 5: email = try d.string(key)
        case 6: try d.append(key, to: &extensions)
        case 7: try d.append(key, to: &mobiles)
        case 8: supervisorID = try d.int64(key)
        case 9: try d.append(key, to: &skills)
        case 10: zone = try d.string(key)
        default: try d.skip(key)
        }
    }
}

/// Staff by id, a page at a time; `cursor` continues after the previous page.
public struct ListStaffRequest: WireMessage, Equatable {
    public var role = StaffRole.unspecified
    /// 1...500; 0 means 100.
    public var pageSize: Int64 = 0
    public var cursor = ""

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, role)
        e.encode(2, pageSize)
        e.encode(3, cursor)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: role = try d.enumeration(key)
        case 2: pageSize = try d.int64(key)
        case 3: cursor = try d.string(key)
        default: try d.skip(key)
        }
    }
}

public struct StaffList: WireMessage, Equatable {
    public var members: [StaffMember] = []
    /// Empty on the last page.
    public var nextCursor = ""

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, members)
        e.encode(2, nextCursor)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: try d.append(key, to: &members)
        case 2: nextCursor = try d.string(key)
        default: try d.skip(key)
        }
    }
}

public struct FindStaffByNumberRequest: WireMessage, Equatable {
    public var number = ""

    public init() {}
    public init(number: String) { self.number = number }

    public func encode(to e: inout WireEncoder) { e.encode(1, number) }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: number = try d.string(key)
        default: try d.skip(key)
        }
    }
}
/// G3/C4: whose work a staff member oversees: themselves, and for managers everyone
/// whose supervisor chain leads to them; admins oversee everyone.
public struct StaffTeam: WireMessage, Equatable {
    public var staffID: Int64 = 0
    /// An admin: no restriction.
    public var everyone: Bool = false
    /// Including the member; sorted.
    public var memberIDs: [Int64] = []

    public init() {}

    public func encode(to e: inout WireEncoder) {
        e.encode(1, staffID)
        e.encode(2, everyone)
        e.encode(3, memberIDs)
    }

    public mutating func decodeField(_ key: FieldKey, from d: inout WireDecoder) throws(WireError) {
        switch key.number {
        case 1: staffID = try d.int64(key)
        case 2: everyone = try d.bool(key)
        case 3: try d.append(key, to: &memberIDs)
        default: try d.skip(key)
        }
    }
}
