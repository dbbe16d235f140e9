import Contracts
import FoundationEssentials
import Glibc
import Wire

/// C5: checks an events platform's report before anything is stored. Every attendee
/// becomes a contact draft (name, surname, email, phone) through the contact rules, so
/// a bad email in a report is the same field error as in a form; one bad attendee
/// refuses the report (it is kept upstream with the reason and can be replayed).
public struct AttendanceReportValidator: Sendable {
    public static let maxAttendees = 1000
    public static let maxCodeLength = 100

    /// One attendee, ready to match-or-create.
    public struct Ticket: Sendable, Equatable {
        public var attendee: Attendee
        public var draft: ValidDraft
    }

    let contacts: ContactDraftValidator

    public init(contacts: ContactDraftValidator) {
        self.contacts = contacts
    }

    public func validate(_ report: AttendanceReport) -> Result<[Ticket], RPCError> {
        var violations: [FieldViolation] = []
        func check(_ ok: Bool, _ field: String, _ description: String) {
            if !ok { violations.append(FieldViolation(field: field, description: description)) }
        }
        for (field, value) in [("source", report.source), ("eventId", report.eventID)] {
            check(!value.isEmpty, field, "is required")
            check(value.count <= Self.maxCodeLength, field, "is longer than \(Self.maxCodeLength) characters")
        }
        check(report.eventTitle.count <= ContactDraftValidator.maxNameLength * 5, "eventTitle", "is longer than \(ContactDraftValidator.maxNameLength * 5) characters")
        check(report.attendees.count <= Self.maxAttendees, "attendees", "has more than \(Self.maxAttendees) entries")
        var tickets: [Ticket] = []
        var seen: Set<String> = []
        for (i, attendee) in report.attendees.prefix(Self.maxAttendees).enumerated() {
            let path = "attendees[\(i)]"
            for (field, value) in [("orderId", attendee.orderID), ("code", attendee.code), ("status", attendee.status)] {
                check(!value.isEmpty, "\(path).\(field)", "is required")
                check(value.count <= Self.maxCodeLength, "\(path).\(field)", "is longer than \(Self.maxCodeLength) characters")
            }
            check(seen.insert(attendee.orderID + "\u{1F}" + attendee.code).inserted, "\(path).code", "the ticket \(attendee.orderID)/\(attendee.code) appears twice")
            check(!attendee.email.isEmpty || !attendee.phone.isEmpty, path, "needs an email or a phone to find the person by")
            var draft = ContactDraft()
            draft.firstName = attendee.name
            draft.lastName = attendee.surname
            draft.emails = attendee.email.isEmpty ? [] : [attendee.email]
            draft.phones = attendee.phone.isEmpty ? [] : [attendee.phone]
            draft.source = ContactSource(channel: String(report.source.prefix(ContactDraftValidator.maxSourceCodeLength)))
            switch contacts.validate(draft) {
            case let .success(valid): tickets.append(Ticket(attendee: attendee, draft: valid))
            case let .failure(error):
                // The draft's field names, told as the attendee's.
                let names = ["firstName": "name", "lastName": "surname", "emails[0]": "email", "phones[0]": "phone"]
                violations += error.details.map { FieldViolation(field: "\(path).\(names[$0.field] ?? $0.field)", description: $0.description) }
            }
        }
        guard violations.isEmpty else {
            return .failure(.invalidArgument("the attendance report has \(violations.count) invalid field(s)", details: violations))
        }
        return .success(tickets)
    }
}
