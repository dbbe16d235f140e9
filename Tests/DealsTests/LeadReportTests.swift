import Contracts
import DealsService
import ServiceKit
import Testing
import TestSupport
import Wire

/// D7's figures as plain values (a lead's contributions, percentiles, report days) and
/// talk time kept from call.recorded, repeats and all.
@Suite struct LeadReportTests {
    @Test func d7ALeadsChangeMovesItsCountsFromTheOldGroupsToTheNewAndARepeatChangesNothing() {
        var old = LeadFacts(day: 20_000)
        old.partner = "alpha"
        let new = { () -> LeadFacts in
            var f = old
            f.operatorID = 7
            f.firstAttemptSeconds = 700
            f.offered = true
            return f
        }()
        let fresh = LeadFacts.changes(from: nil, to: old)
        #expect(fresh.counts.count == LeadFacts.dimensions.count && fresh.counts.values.allSatisfy { $0.leads == 1 } && fresh.delays.isEmpty)
        let moved = LeadFacts.changes(from: old, to: new).counts
        // The operator dimension moves the lead from "none" to operator 7; the others gain an attempt and an offer.
        #expect(moved[LeadFacts.Key(dimension: .operator, day: 20_000, value: "")]?.leads == -1)
        #expect(moved[LeadFacts.Key(dimension: .operator, day: 20_000, value: "7")]?.offers == 1)
        #expect(moved[LeadFacts.Key(dimension: .partner, day: 20_000, value: "alpha")] == LeadFacts.Counts(leads: 0, lowQuality: 0, attempted: 1, offers: 1, won: 0))
        #expect(LeadFacts.changes(from: new, to: new).counts.isEmpty)
        // 700 s falls in the 11-minute bucket.
        #expect(LeadFacts.changes(from: old, to: new).delays.keys.allSatisfy { $0.bucket == 660 })
    }

    @Test func d7PercentilesAreNearestRankOverBucketsExactUnderTenMinutes() {
        #expect(DelayHistogram.bucket(59) == 59 && DelayHistogram.bucket(599) == 590 && DelayHistogram.bucket(659) == 600)
        #expect(DelayHistogram.bucket(9_299) == 9_000 && DelayHistogram.bucket(90_061) == 90_000)
        // Stored as bytes, changed by differences; an emptied bucket goes.
        let stored = DelayHistogram.encode([(600, 2), (10, 1)])
        #expect(DelayHistogram.decode(stored).map(\.bucket) == [10, 600])
        let changed = DelayHistogram.adding([10: -1, 3600: 1], to: stored)
        #expect(DelayHistogram.decode(changed).map { [$0.bucket, $0.count] } == [[600, 2], [3600, 1]])
        let values: [(bucket: Int64, count: Int64)] = [(10, 1), (20, 1), (30, 1), (40, 1)]
        #expect(DelayHistogram.percentile(50, of: values) == 20)
        #expect(DelayHistogram.percentile(90, of: values) == 40)
        #expect(DelayHistogram.percentile(50, of: [(5, 3), (100, 1)]) == 5)
        #expect(DelayHistogram.percentile(50, of: []) == nil)
    }

    @Test func d7ReportDaysAreCalendarDatesInTheConfiguredZone() {
        #expect(ReportCalendar.day(parsing: "1970-01-01") == 0)
        #expect(ReportCalendar.day(parsing: "2024-02-29").map(ReportCalendar.text) == "2024-02-29")
        for bad in ["2023-02-29", "2027-13-01", "2027-1-15", "15.01.2027", "2027-01-15T00", "+027-01-15", "2027-00-10"] {
            #expect(ReportCalendar.day(parsing: bad) == nil, "\(bad)")
        }
        // 22:30 UTC is already the next day in Moscow (+180), and still the same in UTC.
        let late: Int64 = 86_400_000 * 20_000 + 22 * 3_600_000 + 30 * 60_000
        #expect(ReportCalendar(offsetMinutes: 0).day(late) == 20_000)
        #expect(ReportCalendar(offsetMinutes: 180).day(late) == 20_001)
        #expect(ReportCalendar(offsetMinutes: -60).day(-1) == -1)
    }

    @Test func d7TalkTimeComesFromCallRecordedOncePerCallAsItGrows() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let inbox = EventInbox(database: f.database)
        f.api.subscribe(inbox)
        var session = CallSession()
        session.id = "3-1"
        session.clientNumber = "+79160000001"
        session.direction = .outbound
        session.startedAtMilliseconds = 86_400_000 * 20_000 + 3_600_000
        session.answered = true
        session.answeredByStaffID = 4
        session.talkSeconds = 30
        func deliver(_ id: String) async throws {
            let event = EventEnvelope(
                id: id, type: Telephony.Event.recorded, aggregateID: "call-1", sequence: 1, occurredAtMilliseconds: session.startedAtMilliseconds,
                source: "telephony", payload: session.wireBytes())
            try await inbox.apply(EventBatch(events: [event]))
        }
        try await deliver("e-1")
        try await deliver("e-1")  // a redelivery
        session.talkSeconds = 95  // the call went on
        try await deliver("e-2")
        try await deliver("e-3")  // the same report again under a new id
        let day = ReportCalendar.text(20_000)
        let report = try await f.api.leadReport(LeadReportRequest(from: day, to: day, groupBy: .operator))
        #expect(report.rows.first { $0.value == "4" }?.talkSeconds == 95)
        #expect(report.total.talkSeconds == 95)
        // D7 (issue 22): in any grouping the rows add up to the total; talk time is an operator's.
        for dimension in [ReportDimension.source, .partner, .geography, .product] {
            let other = try await f.api.leadReport(LeadReportRequest(from: day, to: day, groupBy: dimension))
            #expect(other.rows.reduce(0) { $0 + $1.talkSeconds } == other.total.talkSeconds && other.rows.reduce(0) { $0 + $1.claims } == other.total.claims, "\(dimension)")
        }
    }

    @Test func d7AGroupWhoseLeadsAllMovedOnIsNotListed() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let at: Int64 = 86_400_000 * 20_000 + 3_600_000
        try await f.database.write { tx in
            var lead = Lead()
            lead.channel = "partner"
            try LeadReportStore.received(tx, leadID: 1, lead, lowQuality: false, at: at)
            var recorded = OutcomeRecorded()
            recorded.entry.leadID = 1
            recorded.operatorID = 3
            recorded.outcome = .noAnswer
            recorded.claimedAtMilliseconds = at + 90_000
            try LeadReportStore.outcome(tx, recorded)
        }
        let day = ReportCalendar.text(20_000)
        let report = try await f.api.leadReport(LeadReportRequest(from: day, to: day, groupBy: .operator))
        #expect(report.rows.map(\.value) == ["3"], "the lead left the no-operator group: \(report.rows.map(\.value))")
        #expect(report.total.firstAttemptMedianSeconds == 90 && report.total.noAnswer == 1)
    }
}
