import Foundation
import Contracts
import Wire

/// A draft whose emails and phones are normalized and whose fields are within limits.
public struct ValidDraft: Sendable, Equatable {
    public var firstName: String
    public var lastName: String
    public var emails: [String]
    public var phones: [Phone]
    public var company: String
    public var tags: [String]
    public var source: ContactSource?
    public var responsibleID: Int64?
    public var customFields: [CustomField]

    public init(
        firstName: String, lastName: String, emails: [String], phones: [Phone], company: String, tags: [String],
        source: ContactSource?, responsibleID: Int64?, customFields: [CustomField]
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.emails = emails
        self.phones = phones
        self.company = company
        self.tags = tags
        self.source = source
        self.responsibleID = responsibleID
        self.customFields = customFields
    }
}

/// C1: checks a draft field by field. Every problem is reported at once, each with the
/// path of the field, so a form can mark all of them.
public struct ContactDraftValidator: Sendable {
    public static let maxNameLength = 200
    public static let maxEmails = 20
    public static let maxPhones = 20
    public static let maxTags = 50
    public static let maxTagLength = 100
    public static let maxCustomFields = 100
    public static let maxCustomValueLength = 4000
    /// A source's channel and tracking number; its utm_* values.
    public static let maxSourceCodeLength = 50
    public static let maxUTMLength = 200

    public let phones: PhoneNormalizer

    public init(phones: PhoneNormalizer) {
        self.phones = phones
    }

    /// `requireIdentity` refuses a draft with no name, email or phone (a new contact);
    /// updates, which change some fields of an existing one, skip it.
    public func validate(_ draft: ContactDraft, requireIdentity: Bool = true) -> Result<ValidDraft, RPCError> {
        var violations: [FieldViolation] = []
        func check(_ ok: Bool, _ field: String, _ description: String) {
            if !ok { violations.append(FieldViolation(field: field, description: description)) }
        }
        let first = draft.firstName.trimmingCharacters(in: .whitespacesAndNewlines)
        let last = draft.lastName.trimmingCharacters(in: .whitespacesAndNewlines)
        let company = draft.company.trimmingCharacters(in: .whitespacesAndNewlines)
        check(first.count <= Self.maxNameLength, "firstName", "is longer than \(Self.maxNameLength) characters")
        check(last.count <= Self.maxNameLength, "lastName", "is longer than \(Self.maxNameLength) characters")
        check(company.count <= Self.maxNameLength, "company", "is longer than \(Self.maxNameLength) characters")
        check(draft.emails.count <= Self.maxEmails, "emails", "has more than \(Self.maxEmails) entries")
        check(draft.phones.count <= Self.maxPhones, "phones", "has more than \(Self.maxPhones) entries")
        check(draft.tags.count <= Self.maxTags, "tags", "has more than \(Self.maxTags) entries")
        check(draft.customFields.count <= Self.maxCustomFields, "customFields", "has more than \(Self.maxCustomFields) entries")

        var emails: [String] = []
        for (i, raw) in draft.emails.prefix(Self.maxEmails).enumerated() {
            switch EmailNormalizer.normalize(raw) {
            case let .success(email): if !emails.contains(email) { emails.append(email) }
            case let .failure(failure): check(false, "emails[\(i)]", "\"\(raw)\" \(failure.reason)")
            }
        }
        var phoneList: [Phone] = []
        for (i, raw) in draft.phones.prefix(Self.maxPhones).enumerated() {
            switch phones.normalize(raw) {
            case let .success(phone): if !phoneList.contains(phone) { phoneList.append(phone) }
            case let .failure(failure): check(false, "phones[\(i)]", "\"\(raw)\" \(failure.reason)")
            }
        }
        var tags: [String] = []
        for (i, raw) in draft.tags.prefix(Self.maxTags).enumerated() {
            let tag = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            check(!tag.isEmpty, "tags[\(i)]", "is empty")
            check(tag.count <= Self.maxTagLength, "tags[\(i)]", "is longer than \(Self.maxTagLength) characters")
            if !tag.isEmpty && !tags.contains(tag) { tags.append(tag) }
        }
        var fields: [CustomField] = []
        for (i, field) in draft.customFields.prefix(Self.maxCustomFields).enumerated() {
            let name = field.name.trimmingCharacters(in: .whitespacesAndNewlines)
            check(!name.isEmpty, "customFields[\(i)].name", "is empty")
            check(name.count <= Self.maxNameLength, "customFields[\(i)].name", "is longer than \(Self.maxNameLength) characters")
            check(field.value.count <= Self.maxCustomValueLength, "customFields[\(i)].value", "is longer than \(Self.maxCustomValueLength) characters")
            check(!fields.contains { $0.name == name }, "customFields[\(i)].name", "\"\(name)\" appears twice")
            fields.append(CustomField(name: name, value: field.value))
        }
        if let id = draft.responsibleID { check(id > 0, "responsibleId", "must be a staff member's id") }
        if let source = draft.source {
            for (field, value, limit) in [
                ("channel", source.channel, Self.maxSourceCodeLength), ("trackingNumber", source.trackingNumber, Self.maxSourceCodeLength),
                ("utmSource", source.utmSource, Self.maxUTMLength), ("utmMedium", source.utmMedium, Self.maxUTMLength),
                ("utmCampaign", source.utmCampaign, Self.maxUTMLength),
            ] {
                check(value.count <= limit, "source.\(field)", "is longer than \(limit) characters")
            }
        }
        if violations.isEmpty && requireIdentity {
            check(!first.isEmpty || !last.isEmpty || !emails.isEmpty || !phoneList.isEmpty, "contact",
                "needs at least a name, an email or a phone")
        }
        guard violations.isEmpty else {
            return .failure(.invalidArgument("the contact has \(violations.count) invalid field(s)", details: violations))
        }
        return .success(ValidDraft(
            firstName: first, lastName: last, emails: emails, phones: phoneList, company: company, tags: tags,
            source: draft.source.flatMap { $0.isEmpty ? nil : $0 }, responsibleID: draft.responsibleID,
            customFields: fields))
    }
}
