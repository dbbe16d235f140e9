import Contracts
import Foundation
import ServiceKit
import SchedulingService
import Testing

/// S1–S2 as plain values: working time in the resource's wall clock across a
/// daylight-saving change, days off and overrides; slots around appointments and buffers.
@Suite struct SchedulingRulesTests {
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000

    static func resource(_ zone: String, hours: [WorkingHours] = (1...5).map { WorkingHours(weekday: $0, fromMinute: 540, toMinute: 1080) }) -> Resource {
        var r = Resource()
        r.id = 1
        r.name = "Ivan"
        r.kind = .engineer
        r.timeZone = zone
        r.hours = hours
        return r
    }

    static func utc(_ text: String) -> Int64 {
        Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000)
    }

    @Test func s1NineOClockStaysNineLocalAcrossADaylightSavingChange() {
        // Berlin moved from CET (+1) to CEST (+2) on Sunday 2027-03-28.
        let r = Self.resource("Europe/Berlin")
        let friday = WorkingTime.open(r, from: Self.utc("2027-03-26T00:00:00Z"), to: Self.utc("2027-03-27T00:00:00Z"))
        let monday = WorkingTime.open(r, from: Self.utc("2027-03-29T00:00:00Z"), to: Self.utc("2027-03-30T00:00:00Z"))
        #expect(friday == [WorkingTime.Stretch(Self.utc("2027-03-26T08:00:00Z"), Self.utc("2027-03-26T17:00:00Z"))])
        #expect(monday == [WorkingTime.Stretch(Self.utc("2027-03-29T07:00:00Z"), Self.utc("2027-03-29T16:00:00Z"))])
        // The weekend in between: no work.
        #expect(WorkingTime.open(r, from: Self.utc("2027-03-27T00:00:00Z"), to: Self.utc("2027-03-29T00:00:00Z")).isEmpty)
        // A shift starting in the skipped hour (02:30 on the change day) starts later by the gap: 03:30 CEST.
        let night = Self.resource("Europe/Berlin", hours: [WorkingHours(weekday: 7, fromMinute: 150, toMinute: 300)])
        #expect(WorkingTime.open(night, from: Self.utc("2027-03-27T12:00:00Z"), to: Self.utc("2027-03-28T12:00:00Z"))
            == [WorkingTime.Stretch(Self.utc("2027-03-28T01:30:00Z"), Self.utc("2027-03-28T03:00:00Z"))])
        // In autumn (2027-10-31, CEST to CET) 9:00 is 08:00 UTC again.
        #expect(WorkingTime.open(r, from: Self.utc("2027-11-01T00:00:00Z"), to: Self.utc("2027-11-02T00:00:00Z")).first?.start == Self.utc("2027-11-01T08:00:00Z"))
    }

    @Test func s1ASkippedHourIsReadWithTheOffsetBeforeTheChangeOnBothSidesOfUTC() {
        // Issue 22: New York skipped 02:00–03:00 on 2027-03-14 (EST -5 to EDT -4). Hours
        // 02:10–02:50 are 03:10–03:50 EDT, 07:10Z–07:50Z (java.time, zoneinfo); 01:10–02:50
        // is 100 minutes of wall time, 40 of them real.
        let york = Self.resource("America/New_York", hours: [WorkingHours(weekday: 7, fromMinute: 130, toMinute: 170)])
        #expect(WorkingTime.open(york, from: Self.utc("2027-03-13T12:00:00Z"), to: Self.utc("2027-03-15T00:00:00Z"))
            == [WorkingTime.Stretch(Self.utc("2027-03-14T07:10:00Z"), Self.utc("2027-03-14T07:50:00Z"))])
        let wider = Self.resource("America/New_York", hours: [WorkingHours(weekday: 7, fromMinute: 70, toMinute: 170)])
        let stretch = WorkingTime.open(wider, from: Self.utc("2027-03-13T12:00:00Z"), to: Self.utc("2027-03-15T00:00:00Z"))
        #expect(stretch == [WorkingTime.Stretch(Self.utc("2027-03-14T06:10:00Z"), Self.utc("2027-03-14T07:50:00Z"))])
        // Either side of the change, the plain offsets.
        let zone = ZoneRules.named("America/New_York")!
        #expect(WorkingTime.instant(CivilDate(parsing: "2027-03-13")!, minute: 540, zone) == Self.utc("2027-03-13T14:00:00Z"))
        #expect(WorkingTime.instant(CivilDate(parsing: "2027-03-15")!, minute: 540, zone) == Self.utc("2027-03-15T13:00:00Z"))
        // A repeated hour (2027-11-07, EDT back to EST) takes the earlier instant, as east of UTC.
        #expect(WorkingTime.instant(CivilDate(parsing: "2027-11-07")!, minute: 90, zone) == Self.utc("2027-11-07T05:30:00Z"))
        #expect(WorkingTime.instant(CivilDate(parsing: "2027-10-31")!, minute: 150, ZoneRules.named("Europe/Berlin")!) == Self.utc("2027-10-31T00:30:00Z"))
        // Berlin's gap as before: 02:30 on 2027-03-28 is 03:30 CEST.
        #expect(WorkingTime.instant(CivilDate(parsing: "2027-03-28")!, minute: 150, ZoneRules.named("Europe/Berlin")!) == Self.utc("2027-03-28T01:30:00Z"))
    }

    @Test func s1DaysOffAndOverridesReplaceTheWeekday() {
        var r = Self.resource("Europe/Moscow")
        r.daysOff = ["2027-01-15"]
        r.overrides = [DateOverride(date: "2027-01-16", hours: [WorkingHours(weekday: 6, fromMinute: 600, toMinute: 720)])]
        let open = WorkingTime.open(r, from: Self.utc("2027-01-14T00:00:00Z"), to: Self.utc("2027-01-18T00:00:00Z"))
        #expect(open == [
            WorkingTime.Stretch(Self.utc("2027-01-14T06:00:00Z"), Self.utc("2027-01-14T15:00:00Z")),  // Thursday 9–18 Moscow
            WorkingTime.Stretch(Self.utc("2027-01-16T07:00:00Z"), Self.utc("2027-01-16T09:00:00Z")),  // Saturday by override 10–12
        ])
    }

    @Test func s2SlotsSkipAppointmentsWithTheirBuffersAndTheirOwnTravel() {
        let day = Self.utc("2027-01-14T06:00:00Z")  // 9:00 Moscow
        let open = [WorkingTime.Stretch(day, day + 9 * Self.hour)]
        // Booked 10:00–11:00 with 30 minutes of travel after: busy 10:00–11:30.
        let busy = [WorkingTime.Stretch(day + Self.hour, day + 2 * Self.hour + 30 * Self.minute)]
        let slots = SlotFinder.find(
            [SlotFinder.Candidate(resourceID: 7, open: open, busy: busy)], duration: Self.hour, bufferBefore: 15 * Self.minute, bufferAfter: 0,
            from: day, limit: 3)
        // 9:00 fits (its 15 min travel before is outside hours but free); 9:15 would end 10:15: clash;
        // after the busy 11:30 and 15 min of travel: 11:45.
        #expect(slots.map(\.startMilliseconds) == [day, day + 2 * Self.hour + 45 * Self.minute, day + 3 * Self.hour])
        #expect(slots.allSatisfy { $0.endMilliseconds - $0.startMilliseconds == Self.hour && $0.resourceID == 7 })
    }

    @Test func s2TheEarliestAcrossResourcesComeFirstAndTheirCommonTimeServesATeam() {
        let t: Int64 = 1_800_000_000_000 - 1_800_000_000_000 % (24 * Self.hour)
        let a = SlotFinder.Candidate(resourceID: 1, open: [.init(t + 2 * Self.hour, t + 4 * Self.hour)], busy: [])
        let b = SlotFinder.Candidate(resourceID: 2, open: [.init(t + Self.hour, t + 3 * Self.hour)], busy: [])
        let slots = SlotFinder.find([a, b], duration: Self.hour, bufferBefore: 0, bufferAfter: 0, from: t, limit: 3)
        #expect(slots.map { [$0.resourceID, ($0.startMilliseconds - t) / SlotFinder.grid] } == [[2, 4], [2, 5], [2, 6]])
        #expect(SlotFinder.intersect([a.open, b.open]) == [WorkingTime.Stretch(t + 2 * Self.hour, t + 3 * Self.hour)])
    }
}

/// S3: the iCalendar text as RFC 5545 wants it (CI also parses a served feed with Python's
/// icalendar).
@Suite struct ICalendarTests {
    @Test func s3EventsAreEscapedFoldedAndMovesRaiseTheSequence() {
        var r = Resource()
        r.name = "Ivan; measurer"
        r.timeZone = "Europe/Moscow"
        var a = Appointment()
        a.id = 7
        a.dealID = 3
        a.kind = .measurement
        a.startMilliseconds = 1_800_000_000_000
        a.endMilliseconds = 1_800_003_600_000
        a.address = "Lenina 1, flat 2"
        a.notes = String(repeating: "ключ у консьержа; ", count: 6) + "\nзвонить"
        a.history = [AppointmentChange()]
        var cancelled = a
        cancelled.id = 8
        cancelled.status = .cancelled
        let text = ICalendar.document(r, [a, cancelled], now: 1_799_000_000_000)
        let lines = text.components(separatedBy: "\r\n")
        #expect(text.hasSuffix("END:VCALENDAR\r\n") && lines.first == "BEGIN:VCALENDAR")
        #expect(lines.contains("X-WR-CALNAME:Ivan\\; measurer") && lines.contains("LOCATION:Lenina 1\\, flat 2"))
        #expect(lines.contains("DTSTART:20270115T080000Z") && lines.contains("DTEND:20270115T090000Z") && lines.contains("SEQUENCE:1"))
        #expect(lines.contains("UID:appointment-8@switchboard") && lines.contains("STATUS:CANCELLED"))
        // No line over 75 octets; continuation lines start with a space and unfold to the original.
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("DESCRIPTION:" + String(repeating: "ключ у консьержа\\; ", count: 6) + "\\nзвонить"))
    }
}

/// S5: the reminders a series should have, with the clock given.
@Suite struct ReminderPlanTests {
    let hour: Int64 = 3_600_000
    let t0: Int64 = 1_800_000_000_000


    func session(_ id: Int64, at hours: Int64, cancelled: Bool = false) -> SeriesSession {
        SeriesSession(id: id, seriesID: 1, startMilliseconds: t0 + hours * hour, endMilliseconds: t0 + hours * hour + hour, cancelled: cancelled)
    }

    @Test func s5FromTheSecondSessionOnMovedWithItGoneWhenCancelledAndOnlyAheadForLateJoiners() {
        let early = ReminderPlan.Participant(contact: 10, joinedAt: t0 - hour)
        var sessions = [session(1, at: 24), session(2, at: 48), session(3, at: 72)]
        var plan = ReminderPlan.plan(sessions: sessions, participants: [early], minutes: 120, now: t0, sent: [])
        #expect(plan.count == 2 && plan[ReminderPlan.Key(session: 1, contact: 10)] == nil, "the first session has none")
        #expect(plan[ReminderPlan.Key(session: 2, contact: 10)]?.due == t0 + 46 * hour && plan[ReminderPlan.Key(session: 2, contact: 10)]?.number == 2)
        // Session 2 moved a day later: its reminder moves; cancelled: it goes, and 3 becomes the second.
        sessions[1] = session(2, at: 96)
        plan = ReminderPlan.plan(sessions: sessions, participants: [early], minutes: 120, now: t0, sent: [])
        #expect(plan[ReminderPlan.Key(session: 2, contact: 10)]?.due == t0 + 94 * hour && plan[ReminderPlan.Key(session: 3, contact: 10)]?.number == 2)
        sessions[1] = session(2, at: 96, cancelled: true)
        plan = ReminderPlan.plan(sessions: sessions, participants: [early], minutes: 120, now: t0, sent: [])
        #expect(plan.keys.map { $0.session } == [3])
        // Someone joining after session 3 began gets nothing for it; one joining between gets only what is ahead.
        let late = ReminderPlan.Participant(contact: 11, joinedAt: t0 + 50 * hour)
        plan = ReminderPlan.plan(sessions: [session(1, at: 24), session(2, at: 48), session(3, at: 72)], participants: [late], minutes: 120, now: t0 + 50 * hour, sent: [])
        #expect(plan.keys.map { $0.session } == [3])
        // Sent once for a start: not again; the time passed with the session ahead: at once.
        let sent: Set<ReminderPlan.SentReminder> = [ReminderPlan.SentReminder(session: 3, contact: 11, start: t0 + 72 * hour)]
        #expect(ReminderPlan.plan(sessions: [session(1, at: 24), session(2, at: 48), session(3, at: 72)], participants: [late], minutes: 120, now: t0 + 50 * hour, sent: sent).isEmpty)
        let now = t0 + 71 * hour
        #expect(ReminderPlan.plan(sessions: [session(1, at: 24), session(3, at: 72)], participants: [early], minutes: 120, now: now, sent: [])[ReminderPlan.Key(session: 3, contact: 10)]?.due == now)
    }
}

/// S4: a group's weekly lessons as plain values.
@Suite struct GroupLessonTests {
    @Test func s4EveryWeeklyLessonBetweenTheDatesStaysAtItsWallTimeAcrossADaylightSavingChange() {
        var g = Group()
        g.timeZone = "Europe/Berlin"
        g.weekly = [WorkingHours(weekday: 2, fromMinute: 1140, toMinute: 1230), WorkingHours(weekday: 4, fromMinute: 1140, toMinute: 1230)]
        g.firstDate = "2027-03-15"
        g.lastDate = "2027-04-04"
        let lessons = GroupStore.occurrences(g)
        // Tuesdays and Thursdays of three weeks: six lessons, none skipped.
        #expect(lessons.count == 6)
        let utc = ISO8601DateFormatter()
        func at(_ ms: Int64) -> String { utc.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) }
        // 19:00 in Berlin: 18:00 UTC before 28 March, 17:00 UTC after.
        #expect(at(lessons[0].start) == "2027-03-16T18:00:00Z" && at(lessons[3].start) == "2027-03-25T18:00:00Z")
        #expect(at(lessons[4].start) == "2027-03-30T17:00:00Z" && at(lessons[5].end) == "2027-04-01T18:30:00Z")
    }
}
