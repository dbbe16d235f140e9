import Contracts
import ServiceKit
import Testing
import TelephonyService
import Wire

/// The telephony rules as plain values, each named by its DOMAIN.md id.
@Suite struct TelephonyRulesTests {
    static let t0: Int64 = 1_760_000_000_000

    static func leg(_ destination: String, _ disposition: LegDisposition, at offset: Int64, staff: Int64? = nil, talk: Int64 = 0, duration: Int64 = 20, recording: String = "") -> CallLeg {
        CallLeg(destination: destination, staffID: staff, disposition: disposition, startedAtMilliseconds: t0 + offset * 1000, durationSeconds: duration, talkSeconds: talk, recordingURL: recording)
    }

    static func report(_ legs: [CallLeg], id: String = "1718000000.42", tracking: String = "", utm: String = "") -> CallReport {
        CallReport(provider: "ringostat", providerCallID: id, direction: .inbound, clientNumber: "+79161234567", trackingNumber: tracking, utmSource: utm, legs: legs)
    }

    @Test func t1AForwardedCallReportedAsThreeLegsAndARepeatIsOneSessionAnsweredByTheLastAnswerer() {
        let now = Self.t0 + 100_000
        var (s, changed) = CallSessionizer.merge(nil, Self.report([Self.leg("201", .noAnswer, at: 0, staff: 1)], tracking: "+74951112233"), clientNumber: "+79161234567", now: now)
        #expect(changed && !s.answered)
        (s, changed) = CallSessionizer.merge(s, Self.report([Self.leg("202", .answered, at: 15, staff: 2, talk: 30, duration: 35, recording: "https://rec/1.mp3")], utm: "yandex"), clientNumber: "+79161234567", now: now)
        (s, changed) = CallSessionizer.merge(s, Self.report([Self.leg("203", .answered, at: 55, staff: 3, talk: 60, duration: 65)]), clientNumber: "+79161234567", now: now)
        #expect(changed)
        #expect(s.legs.map(\.destination) == ["201", "202", "203"])
        #expect(s.answered && s.answeredByStaffID == 3)  // T4: the last answered leg after forwarding
        #expect(s.talkSeconds == 90 && s.durationSeconds == 120)
        #expect(s.recordingURL == "https://rec/1.mp3")  // T8: from any leg that has one
        #expect(s.trackingNumber == "+74951112233" && s.utmSource == "yandex" && s.providerCallIDs == ["ringostat:1718000000.42"])
        // The whole call again (Ringostat's after-call hook): nothing changes.
        let again = CallSessionizer.merge(s, Self.report(s.legs), clientNumber: "+79161234567", now: now + 5000)
        #expect(!again.changed && again.session == s)
    }

    @Test func t1ALateOrOutOfOrderReportNeverMakesTheSessionWorse() {
        let answered = Self.leg("202", .answered, at: 0, staff: 2, talk: 40, duration: 45, recording: "https://rec/2.mp3")
        let (s, _) = CallSessionizer.merge(nil, Self.report([answered]), clientNumber: "+79161234567", now: Self.t0)
        // The "before the call" hook for the same leg arrives last: no answer, no talk, no recording.
        let late = CallSessionizer.merge(s, Self.report([Self.leg("202", .noAnswer, at: 0, duration: 0)], tracking: "+74951112233"), clientNumber: "+79161234567", now: Self.t0 + 1)
        #expect(late.session.legs == [answered])
        #expect(late.session.answered && late.session.talkSeconds == 40 && late.session.recordingURL == "https://rec/2.mp3")
        #expect(late.changed && late.session.trackingNumber == "+74951112233", "an empty field is still filled in")
    }

    @Test func numbersComeInOneForm() {
        let ru = CallNumber(phones: PhoneNormalizer(defaultCountry: "RU")!)
        #expect(ru.normalize("+380441112233") == "+380441112233")
        #expect(ru.normalize("+7 (916) 123-45-67") == "+79161234567")
        #expect(ru.normalize("8 916 123 45 67") == "+79161234567")
        #expect(ru.normalize("9161234567") == "+79161234567")
        #expect(ru.normalize("201") == "201" && CallNumber.isExtension("201"))
        #expect(ru.normalize("") == nil && ru.normalize("12a4") == nil && ru.normalize("1234567") == nil)
        // C1 (issue 22 item 1): one phone rule with the deployment's country. A number
        // without + is national, as contacts reads it; a provider that drops the + says so.
        #expect(ru.normalize("380441112233") == nil)
        #expect(ru.withoutPlus.normalize("380441112233") == "+380441112233")
        #expect(ru.withoutPlus.normalize("89161234567") == "+79161234567")
        #expect(ru.withoutPlus.normalize("79161234567") == "+79161234567")
        let ua = CallNumber(phones: PhoneNormalizer(defaultCountry: "UA")!)
        #expect(ua.normalize("067 111 22 33") == "+380671112233")
        #expect(ua.withoutPlus.normalize("0671112233") == "+380671112233")
        #expect(ua.withoutPlus.normalize("79161234567") == "+79161234567")
    }

    @Test func t2ACallBetweenTwoStaffNumbersIsInternal() {
        let staff: Set<String> = ["201", "202", "+79160000001"]
        #expect(InternalCallRule.isInternal(clientNumber: "+79160000001", staffNumber: "202", staffNumbers: staff))
        #expect(InternalCallRule.isInternal(clientNumber: "201", staffNumber: "202", staffNumbers: staff))
        #expect(!InternalCallRule.isInternal(clientNumber: "+79161234567", staffNumber: "202", staffNumbers: staff))
    }

    @Test func t9RoutingGoesToTheResponsibleElseTheAdministratorThenTheLeastLoadedManagers() {
        let maria = RoutingRule.Person(staffID: 3, destination: "203")
        let admin = RoutingRule.Person(staffID: 9, destination: "200")
        let managers = [RoutingRule.Person(staffID: 4, destination: "204", offeredRecently: 5), RoutingRule.Person(staffID: 5, destination: "205", offeredRecently: 2)]
        #expect(RoutingRule.route(responsible: maria, administrators: [admin], managers: managers, fallback: "100") == RouteAnswer(destination: "203", staffID: 3, reason: "responsible"))
        let unknown = RoutingRule.route(responsible: nil, administrators: [admin], managers: managers, fallback: "100")
        #expect(unknown.destination == "200" && unknown.reason == "administrator" && unknown.then == ["205", "204"])
        #expect(RoutingRule.route(responsible: nil, administrators: [], managers: managers, fallback: "100").destination == "205")
        #expect(RoutingRule.route(responsible: nil, administrators: [], managers: [], fallback: "100") == RouteAnswer(destination: "100", reason: "fallback"))
    }

    @Test func t12ANumberHasOneShardAndAShardOneOwnerAddingAReplicaMovesOnlyWhatItWins() {
        let shards = CallShard()
        #expect(shards.of("+79161234567") == shards.of("+79161234567"))
        let spread = Set((0..<300).map { shards.of("+7916\(1_000_000 + $0)") })
        #expect(spread.count == 16)
        let two = ["telephony-0", "telephony-1"]
        let three = two + ["telephony-2"]
        for shard in 0..<16 {
            let before = two[shards.owner(of: shard, replicas: two)!]
            let after = three[shards.owner(of: shard, replicas: three)!]
            #expect(after == before || after == "telephony-2", "shard \(shard) moved between old replicas")
        }
        #expect(Set(two.flatMap { shards.shards(ownedBy: $0, replicas: two) }).count == 16)
    }

    @Test func t11CallsCountByWeekdayAndHourInTheBusinesssZoneAcrossADaylightSavingChange() throws {
        func call(_ utc: Int64) -> CallSession {
            var s = CallSession()
            s.direction = .inbound
            s.clientNumber = "+79160000001"
            s.startedAtMilliseconds = utc * 1000
            return s
        }
        // Monday 2026-11-23 23:30 UTC is Tuesday 03:30 in Dubai (UTC+4, no daylight time).
        let late = call(1_795_476_600)
        #expect(CallStatistics.of([late]).byHour == [HourCount(weekday: 1, hour: 23, calls: 1)])
        #expect(CallStatistics.of([late], in: try #require(ZoneRules.named("Asia/Dubai"))).byHour == [HourCount(weekday: 2, hour: 3, calls: 1)])
        // 13:00 UTC on Friday 2027-03-12 is 08:00 in New York; on Monday 2027-03-15, after the change, it is 09:00.
        let newYork = try #require(ZoneRules.named("America/New_York"))
        let hours = CallStatistics.of([call(1_804_856_400), call(1_805_115_600)], in: newYork).byHour
        #expect(hours == [HourCount(weekday: 1, hour: 9, calls: 1), HourCount(weekday: 5, hour: 8, calls: 1)])
    }
}
