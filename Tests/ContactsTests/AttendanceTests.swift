@testable import ContactsService
import Contracts
import Foundation
import RPC
import Storage
import Testing
import TestSupport
import Wire

/// C5 attendance and the C6 segments over it, against the store and its rules.
@Suite struct AttendanceTests {
    struct Fixture {
        let api: ContactsAPI

        init() throws {
            let folder = try temporaryFolder("attendance")
            let database = try Database(path: folder.appendingPathComponent("contacts.sqlite").path, migrations: ContactsSchema.migrations)
            api = ContactsAPI(database: database, defaultCountry: PhoneNormalizer(defaultCountry: "RU")!)
        }

        func record(_ report: AttendanceReport) async throws -> AttendanceOutcome {
            let tickets = try AttendanceReportValidator(contacts: api.validator).validate(report).get()
            return try await api.attendance.record(report, tickets: tickets)
        }

        func segment(_ filter: AttendedFilter, event: String = "") async throws -> [String] {
            var request = SearchContactsRequest()
            request.attended = filter
            request.eventID = event
            return try await api.contacts.search(request, phone: nil, email: nil).contacts.map(\.lastName)
        }
    }

    static func attendee(_ order: String, _ code: String, _ email: String, _ surname: String, _ name: String, status: String = "paid", attended: Bool = true) -> Attendee {
        Attendee(orderID: order, code: code, status: status, email: email, surname: surname, name: name, attended: attended)
    }

    static func report(_ event: String, _ attendees: [Attendee]) -> AttendanceReport {
        AttendanceReport(source: "timepad", eventID: event, eventTitle: "Вечер \(event)", eventStartsAtMilliseconds: 1_800_000_000_000, attendees: attendees)
    }

    @Test func c5TwoAttendeesOfOneOrderOneMatchingByEmailAndNameTheSameReportTwiceChangesNothing() async throws {
        let f = try Fixture()
        let known = try await f.api.contacts.matchOrCreate(
            try f.api.validator.validate(draft(first: "Мария", last: "Иванова", emails: ["maria@example.com"])).get(), requireNameMatch: false)
        let report = Self.report("e1", [
            Self.attendee("o1", "t1", "Maria@Example.com", "Иванова", "Мария"),
            Self.attendee("o1", "t2", "petr@example.com", "Петров", "Пётр"),
        ])
        let first = try await f.record(report)
        #expect(first.recorded == 2 && first.contactsCreated == 1 && first.unchanged == 0)
        #expect(first.contactIDs[0] == known.contact.id)
        let again = try await f.record(report)
        #expect(again.recorded == 0 && again.unchanged == 2 && again.contactIDs == first.contactIDs)
        #expect(try await f.api.attendance.list(contactID: known.contact.id).map(\.eventTitle) == ["Вечер e1"])
        #expect(try await f.api.contacts.search(SearchContactsRequest(), phone: nil, email: nil).contacts.count == 2)
    }

    /// C6 (issue 22 item 32): a filter that is no phone number or address finds nobody; it
    /// is not refused (the document can only say what text it takes).
    @Test func c6AFilterThatIsNoPhoneOrAddressFindsNobody() async throws {
        let f = try Fixture()
        _ = try await f.record(Self.report("e1", [Self.attendee("1", "A", "anna@example.com", "Иванова", "Анна")]))
        #expect(try await f.api.search(SearchContactsRequest()).contacts.count == 1)
        for (phone, email) in [("12", ""), ("", "a@b@c"), ("", "no-at-sign")] {
            var odd = SearchContactsRequest()
            (odd.phone, odd.email) = (phone, email)
            #expect(try await f.api.search(odd).contacts.isEmpty)
        }
    }

    @Test func c5TheSameEmailWithAnotherNameIsAnotherPersonAndANewStatusUpdatesTheTicket() async throws {
        let f = try Fixture()
        let first = try await f.record(Self.report("e1", [Self.attendee("o1", "t1", "family@example.com", "Сидорова", "Анна")]))
        // 003: a shared family email, a different person.
        let other = try await f.record(Self.report("e1", [Self.attendee("o2", "t1", "family@example.com", "Сидоров", "Иван")]))
        #expect(other.contactsCreated == 1 && other.contactIDs != first.contactIDs)
        let returned = try await f.record(Self.report("e1", [Self.attendee("o1", "t1", "family@example.com", "Сидорова", "Анна", status: "returned", attended: false)]))
        #expect(returned.recorded == 1 && returned.contactIDs == first.contactIDs)
        let records = try await f.api.attendance.list(contactID: first.contactIDs[0])
        #expect(records.count == 1 && records[0].status == "returned" && !records[0].attended)
    }

    @Test func c5ABadAttendeeRefusesTheReportNamingTheFieldAndStoresNothing() async throws {
        let f = try Fixture()
        let report = Self.report("e1", [
            Self.attendee("o1", "t1", "ok@example.com", "A", "B"),
            Self.attendee("o1", "t2", "not an email", "C", "D"),
            Self.attendee("o1", "t3", "", "E", "F"),
            Self.attendee("o1", "t1", "dup@example.com", "G", "H"),
        ])
        let result = AttendanceReportValidator(contacts: f.api.validator).validate(report)
        guard case let .failure(error) = result else {
            Issue.record("a bad report was accepted")
            return
        }
        #expect(error.code == .invalidArgument)
        #expect(Set(error.details.map(\.field)) == ["attendees[1].email", "attendees[2]", "attendees[3].code"])
        #expect(try await f.api.contacts.search(SearchContactsRequest(), phone: nil, email: nil).contacts.isEmpty)
    }

    @Test func c6SegmentsTellFirstTimersFromReturningAndByEvent() async throws {
        let f = try Fixture()
        _ = try await f.record(Self.report("e1", [
            Self.attendee("o1", "t1", "a@example.com", "Once", "A"),
            Self.attendee("o2", "t1", "b@example.com", "Twice", "B"),
            Self.attendee("o3", "t1", "c@example.com", "Bought", "C", attended: false),
        ]))
        _ = try await f.record(Self.report("e2", [Self.attendee("o4", "t1", "b@example.com", "Twice", "B")]))
        #expect(try await f.segment(.firstTime) == ["Once"])
        #expect(try await f.segment(.returning) == ["Twice"])
        #expect(try await f.segment(.never) == ["Bought"])
        #expect(try await f.segment(.any, event: "e2") == ["Twice"])
        #expect(try await f.segment(.any, event: "e1") == ["Once", "Twice"])
    }

    @Test func c3AMergedContactsAttendanceIsTheSurvivors() async throws {
        let f = try Fixture()
        let a = try await f.record(Self.report("e1", [Self.attendee("o1", "t1", "a@example.com", "A", "A")]))
        let b = try await f.record(Self.report("e2", [Self.attendee("o2", "t1", "b@example.com", "B", "B")]))
        var merge = MergeContactsRequest()
        merge.survivorID = a.contactIDs[0]
        merge.mergedID = b.contactIDs[0]
        _ = try await f.api.contacts.merge(merge)
        #expect(try await f.api.attendance.list(contactID: a.contactIDs[0]).count == 2)
        #expect(try await f.segment(.returning).count == 1)
        // A repeat of the merged one's report names the survivor.
        let again = try await f.record(Self.report("e2", [Self.attendee("o2", "t1", "b@example.com", "B", "B")]))
        #expect(again.unchanged == 1 && again.contactIDs == a.contactIDs)
    }
}
