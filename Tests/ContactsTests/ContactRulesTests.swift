import ContactsService
import ServiceKit
import Contracts
import Testing
import Wire

@Suite struct PhoneNormalizerTests {
    let ru = PhoneNormalizer(defaultCountry: "RU")!

    func e164(_ raw: String, _ normalizer: PhoneNormalizer? = nil) -> Phone? {
        try? (normalizer ?? ru).normalize(raw).get()
    }

    @Test func c1RussianFormatsAllBecomeOneE164Number() {
        for raw in ["+7 (916) 123-45-67", "8 916 123 45 67", "89161234567", "9161234567", "+79161234567", "7 916 123 45 67",
            "0079161234567", "tel:+7-916-123-45-67"]
        {
            #expect(e164(raw) == Phone(number: "+79161234567"), "\(raw)")
        }
    }

    @Test func c1ExtensionsAreKeptApartSoTheNumberStillMatches() {
        #expect(e164("+7 495 123-45-67 доб. 12") == Phone(number: "+74951234567", extension: "12"))
        #expect(e164("8 (495) 1234567 ext 305") == Phone(number: "+74951234567", extension: "305"))
        #expect(e164("tel:+74951234567;ext=7") == Phone(number: "+74951234567", extension: "7"))
        #expect(e164("+74951234567 x") == nil)
    }

    @Test func c1OtherDefaultCountriesDropTheirTrunkPrefix() {
        let de = PhoneNormalizer(defaultCountry: "de")!
        #expect(e164("030 1234567", de) == Phone(number: "+49301234567"))
        #expect(e164("+44 20 7946 0958", de) == Phone(number: "+442079460958"))
        let us = PhoneNormalizer(defaultCountry: "US")!
        #expect(e164("(212) 555-0100", us) == Phone(number: "+12125550100"))
        #expect(PhoneNormalizer(defaultCountry: "XX") == nil)
    }

    @Test func c1UnparseablePhonesSayWhy() {
        let cases: [(String, String)] = [
            ("", "is empty"), ("call me", "contains"), ("+7 916 12", "E.164"), ("916 123 45", "a RU number has 10"),
            ("+1234567890123456", "E.164"), ("12+34", "contains \"+\""),
        ]
        for (raw, reason) in cases {
            guard case let .failure(failure) = ru.normalize(raw) else {
                Issue.record("\(raw) should fail")
                continue
            }
            #expect(failure.reason.contains(reason), "\(raw): \(failure.reason)")
        }
    }
}

@Suite struct EmailNormalizerTests {
    @Test func c1EmailsAreTrimmedAndLowerCased() throws {
        #expect(try EmailNormalizer.normalize("  Anna.Petrova@Example.COM ").get() == "anna.petrova@example.com")
        #expect(try EmailNormalizer.normalize("иван@почта.рф").get() == "иван@почта.рф")
    }

    /// Issue 9 item 8: one address, however its characters were composed, is one key (C1, C2).
    @Test func c1EmailsAreOneUnicodeFormWithoutInvisibleCharacters() throws {
        let one = try EmailNormalizer.normalize("un\u{e9}@example.com").get()
        for variant in ["une\u{301}@example.com", "un\u{e9}\u{200b}@example.com", "\u{feff}un\u{e9}@exa\u{200d}mple.com",
                        "UNE\u{301}@EXAMPLE.COM", "un\u{e9}@ｅｘａｍｐｌｅ．ｃｏｍ", "ｕｎ\u{e9}＠example.com", "un\u{e9}@exam\u{ad}ple.com"] {
            #expect(try EmailNormalizer.normalize(variant).get() == one, "\(variant.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(one.unicodeScalars.count == 15)
    }

    @Test func c1FullwidthDigitsAreAPhone() throws {
        let phones = PhoneNormalizer(defaultCountry: "RU")!
        #expect(try phones.normalize("＋７ ９１６ １２３-４５-６７\u{200b}").get().number == "+79161234567")
    }

    @Test func c1MalformedEmailsAreRefused() {
        for raw in ["", "anna", "anna@", "@example.com", "a@b@c.com", "anna@example", "an na@example.com", "anna@-x.com", "anna@x..com"] {
            #expect(throws: EmailNormalizer.Failure.self, "\(raw)") { try EmailNormalizer.normalize(raw).get() }
        }
    }
}

@Suite struct ContactDraftValidatorTests {
    let validator = ContactDraftValidator(phones: PhoneNormalizer(defaultCountry: "RU")!)

    @Test func c1ValidDraftIsNormalizedAndDeduplicated() throws {
        var draft = ContactDraft()
        draft.firstName = "  Анна "
        draft.emails = ["Anna@Example.com", "anna@example.com"]
        draft.phones = ["8 916 123-45-67", "+79161234567"]
        draft.tags = ["VIP", "vip", " trial "]
        let valid = try validator.validate(draft).get()
        #expect(valid.firstName == "Анна")
        #expect(valid.emails == ["anna@example.com"])
        #expect(valid.phones == [Phone(number: "+79161234567")])
        #expect(valid.tags == ["vip", "trial"])
    }

    @Test func c1EveryBadFieldIsReportedWithItsPath() {
        var draft = ContactDraft()
        draft.firstName = "Ivan"
        draft.emails = ["ok@example.com", "broken"]
        draft.phones = ["+79161234567", "12", "abc"]
        draft.customFields = [CustomField(name: "", value: "x"), CustomField(name: "  ", value: "y")]
        guard case let .failure(error) = validator.validate(draft) else {
            Issue.record("expected invalid_argument")
            return
        }
        #expect(error.code == .invalidArgument)
        // The schema's limits first, as the gateway reports them; then what needs the service.
        #expect(error.details.map(\.field) == ["customFields", "emails[1]", "phones[1]", "phones[2]", "customFields[1].name"])
    }

    @Test func c1ADraftWithNothingToIdentifyIsRefused() {
        var draft = ContactDraft()
        draft.company = "ООО Окна"
        guard case let .failure(error) = validator.validate(draft) else {
            Issue.record("expected invalid_argument")
            return
        }
        #expect(error.details == [FieldViolation(field: "contact", description: "needs at least a name, an email or a phone")])
    }
}

@Suite struct ContactMatcherTests {
    func draft(first: String = "Anna", last: String = "Petrova", emails: [String] = [], phones: [String] = []) -> ValidDraft {
        ValidDraft(
            firstName: first, lastName: last, emails: emails, phones: phones.map { Phone(number: $0) }, company: "",
            tags: [], source: nil, responsibleID: nil, customFields: [])
    }

    @Test func c2EmailIsTriedBeforePhoneAndTheOldestContactWins() {
        let byEmail = [ContactMatcher.Candidate(contactID: 9, firstName: "", lastName: "", key: "a@x.io"),
                       ContactMatcher.Candidate(contactID: 4, firstName: "", lastName: "", key: "a@x.io")]
        let byPhone = [ContactMatcher.Candidate(contactID: 2, firstName: "", lastName: "", key: "+79161234567")]
        let match = ContactMatcher.match(
            draft(emails: ["a@x.io"], phones: ["+79161234567"]), byEmail: byEmail, byPhone: byPhone, requireNameMatch: false)
        #expect(match?.contactID == 4 && match?.matchedBy == .email && match?.matchedValue == "a@x.io")
    }

    @Test func c2PhoneMatchesWhenNoEmailDoes() {
        let byPhone = [ContactMatcher.Candidate(contactID: 2, firstName: "", lastName: "", key: "+79161234567")]
        let match = ContactMatcher.match(
            draft(emails: ["new@x.io"], phones: ["+79161234567"]), byEmail: [], byPhone: byPhone, requireNameMatch: false)
        #expect(match == ContactMatcher.Match(contactID: 2, matchedBy: .phone, matchedValue: "+79161234567"))
    }

    @Test func c2NamePolicyRequiresFirstAndLastName() {
        let byEmail = [ContactMatcher.Candidate(contactID: 1, firstName: "Anna", lastName: "Smirnova", key: "a@x.io"),
                       ContactMatcher.Candidate(contactID: 3, firstName: " anna ", lastName: "PETROVA", key: "a@x.io")]
        let strict = ContactMatcher.match(draft(emails: ["a@x.io"]), byEmail: byEmail, byPhone: [], requireNameMatch: true)
        #expect(strict?.contactID == 3)
        let none = ContactMatcher.match(
            draft(first: "Olga", emails: ["a@x.io"]), byEmail: byEmail, byPhone: [], requireNameMatch: true)
        #expect(none == nil)
    }
}

@Suite struct ContactMergerTests {
    func contact(_ id: Int64, updated: Int64, build: (inout Contact) -> Void) -> Contact {
        var c = Contact()
        c.id = id
        c.updatedAtMilliseconds = updated
        c.createdAtMilliseconds = updated
        build(&c)
        return c
    }

    @Test func c3NonEmptyWinsThenNewerAndListsAreUnited() {
        let a = contact(1, updated: 100) {
            $0.firstName = "Anna"
            $0.company = "Old LLC"
            $0.emails = ["a@x.io"]
            $0.tags = ["vip"]
        }
        let b = contact(2, updated: 200) {
            $0.lastName = "Petrova"
            $0.company = "New LLC"
            $0.emails = ["a@x.io", "b@x.io"]
            $0.phones = [Phone(number: "+79161234567")]
            $0.tags = ["trial"]
        }
        let (merged, taken) = ContactMerger.merge(survivor: a, merged: b)
        #expect(merged.id == 1)
        #expect(merged.firstName == "Anna" && merged.lastName == "Petrova")
        #expect(merged.company == "New LLC")
        #expect(merged.emails == ["a@x.io", "b@x.io"])
        #expect(merged.phones == [Phone(number: "+79161234567")])
        #expect(merged.tags == ["vip", "trial"])
        #expect(merged.createdAtMilliseconds == 100)
        #expect(taken == ["lastName", "company", "emails", "phones", "tags"])
    }

    @Test func c3OlderMergedContactDoesNotOverwriteFilledFields() {
        let a = contact(1, updated: 300) { $0.company = "Current" }
        let b = contact(2, updated: 100) { $0.company = "Stale" }
        #expect(ContactMerger.merge(survivor: a, merged: b).contact.company == "Current")
    }
}

@Suite struct DuplicateGrouperTests {
    @Test func c3ChainsOfSharedKeysFormOneGroup() {
        let groups = DuplicateGrouper.groups([
            (1, "a@x.io"), (2, "a@x.io"), (2, "+79161234567"), (3, "+79161234567"), (4, "solo@x.io"), (5, "b@x.io"), (6, "b@x.io"),
        ])
        #expect(groups == [
            DuplicateGroup(contactIDs: [1, 2, 3], sharedKeys: ["+79161234567", "a@x.io"]),
            DuplicateGroup(contactIDs: [5, 6], sharedKeys: ["b@x.io"]),
        ])
    }
}

@Suite struct PageCursorTests {
    @Test func c6CursorRoundTripsAndForeignCursorsAreRefused() {
        #expect(PageCursor.decode(PageCursor.encode(afterID: 42)) == 42)
        #expect(PageCursor.decode("42") == nil)
        #expect(PageCursor.decode("not base64!") == nil)
    }
}

@Suite struct StaffTeamRuleTests {
    func member(_ id: Int64, _ role: StaffRole, reportsTo supervisor: Int64? = nil) -> StaffMember {
        var m = StaffMember()
        m.id = id
        m.role = role
        m.supervisorID = supervisor
        return m
    }

    @Test func g3ManagersSeeTheirWholeReportingTreeOperatorsThemselvesAdminsAll() {
        let staff = [
            member(1, .seniorManager), member(2, .manager, reportsTo: 1), member(3, .operator_, reportsTo: 2),
            member(4, .operator_, reportsTo: 1), member(5, .operator_), member(6, .admin),
        ]
        #expect(StaffTeamRule.team(of: staff[0], staff: staff).memberIDs == [1, 2, 3, 4])
        #expect(StaffTeamRule.team(of: staff[1], staff: staff).memberIDs == [2, 3])
        #expect(StaffTeamRule.team(of: staff[2], staff: staff).memberIDs == [3])
        #expect(!StaffTeamRule.team(of: staff[2], staff: staff).everyone)
        #expect(StaffTeamRule.team(of: staff[5], staff: staff).everyone)
    }
}

@Suite struct ContactVisibilityRuleTests {
    /// G3: a staff member sees their team's clients and the shared pool, never another's.
    @Test func g3ATeamSeesItsClientsAndTheSharedPool() {
        var team = Visibility()
        team.restricted = true
        team.staffIDs = [2, 3]
        #expect(team.seesContact(responsibleID: 2) && team.seesContact(responsibleID: nil))
        #expect(!team.seesContact(responsibleID: 4))
        #expect(Visibility().seesContact(responsibleID: 4))
        #expect(team.contactCondition("c.responsible_id").sql == "(c.responsible_id IS NULL OR c.responsible_id IN (?,?))")
        team.staffIDs = []
        #expect(team.contactCondition("r").sql == "r IS NULL")
    }
}
