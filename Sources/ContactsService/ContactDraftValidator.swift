import FoundationEssentials
import Glibc
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
/// path of the field, so a form can mark all of them. The limits are the schema's
/// (`ContactDraft.violations()`, the same the gateway applies); what is checked here is
/// what needs the service: real addresses and numbers, and values that are empty or
/// repeated once trimmed.
public struct ContactDraftValidator: Sendable {
    /// A name's limit, which the attendance report's event title is measured by.
    public static let maxNameLength = 200
    /// A source's channel and tracking number.
    public static let maxSourceCodeLength = 50

    public let phones: PhoneNormalizer

    public init(phones: PhoneNormalizer) {
        self.phones = phones
    }

    /// `requireIdentity` refuses a draft with no name, email or phone (a new contact);
    /// updates, which change some fields of an existing one, skip it.
    public func validate(_ draft: ContactDraft, requireIdentity: Bool = true) -> Result<ValidDraft, RPCError> {
        var violations = draft.violations()
        // A list over its limit is reported once, not once per entry past it.
        let overfull = Set(violations.map(\.field))
        func check(_ ok: Bool, _ field: String, _ description: String) {
            if !ok && !violations.contains(where: { $0.field == field }) {
                violations.append(FieldViolation(field: field, description: description))
            }
        }
        let first = draft.firstName.trimming(.spacesAndNewlines)
        let last = draft.lastName.trimming(.spacesAndNewlines)
        let company = draft.company.trimming(.spacesAndNewlines)

        var emails: [String] = []
        for (i, raw) in draft.emails.enumerated() where !overfull.contains("emails") {
            switch EmailNormalizer.normalize(raw) {
            case let .success(email): if !emails.contains(email) { emails.append(email) }
            case let .failure(failure): check(false, "emails[\(i)]", "\"\(raw)\" \(failure.reason)")
            }
        }
        var phoneList: [Phone] = []
        for (i, raw) in draft.phones.enumerated() where !overfull.contains("phones") {
            switch phones.normalize(raw) {
            case let .success(phone): if !phoneList.contains(phone) { phoneList.append(phone) }
            case let .failure(failure): check(false, "phones[\(i)]", "\"\(raw)\" \(failure.reason)")
            }
        }
        var tags: [String] = []
        for (i, raw) in draft.tags.enumerated() {
            let tag = raw.trimming(.spacesAndNewlines).lowercased()
            check(!tag.isEmpty, "tags[\(i)]", "is empty")
            if !tag.isEmpty && !tags.contains(tag) { tags.append(tag) }
        }
        var fields: [CustomField] = []
        for (i, field) in draft.customFields.enumerated() {
            let name = field.name.trimming(.spacesAndNewlines)
            // An empty name is the schema's to report; one of blanks only is ours.
            check(!name.isEmpty || field.name.isEmpty, "customFields[\(i)].name", "is empty")
            check(!fields.contains { $0.name == name }, "customFields[\(i)].name", "\"\(name)\" appears twice")
            fields.append(CustomField(name: name, value: field.value))
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
