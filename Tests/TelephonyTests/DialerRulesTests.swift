import Contracts
import Testing
import TelephonyService

/// T10 as plain values with the clock given: the score, its time-free key, outcomes,
/// calling hours.
@Suite struct DialerRulesTests {
    /// 2027-01-15 10:00 Moscow (07:00 UTC).
    static let tenMoscow: Int64 = 1_800_000_000_000 - (1_800_000_000_000 % 86_400_000) + 7 * 3_600_000
    static let hour: Int64 = 3_600_000

    static func entry(_ id: String, age hours: Int64 = 0, region: String = "", product: String = "", callbackAt: Int64? = nil, phone: String = "+79161234567") -> QueueEntry {
        var e = QueueEntry()
        e.id = id
        e.phone = phone
        e.region = region
        e.product = product
        e.state = .ready
        e.createdAtMilliseconds = tenMoscow - hours * hour
        e.callbackAtMilliseconds = callbackAt
        return e
    }

    func best(_ entries: [QueueEntry], _ s: DialerSettings, now: Int64) -> String {
        entries.max { DialScore.score($0, s, now: now) < DialScore.score($1, s, now: now) }!.id
    }

    @Test func t10ADueCallbackOutranksEverythingAndWeightsChangeTheOrder() {
        var s = DialScore.defaults
        s.regions = [NamedScore(name: "moscow", score: 100), NamedScore(name: "tver", score: 5)]
        s.products = [NamedScore(name: "windows", score: 40)]
        let old = Self.entry("old", age: 8, region: "tver")
        let moscow = Self.entry("moscow", age: 1, region: "moscow", product: "windows")
        let callback = Self.entry("callback", age: 0, callbackAt: Self.tenMoscow)
        #expect(best([old, moscow], s, now: Self.tenMoscow) == "moscow")
        #expect(best([old, moscow, callback], s, now: Self.tenMoscow) == "callback")
        // An admin puts Tver first.
        s.regions = [NamedScore(name: "moscow", score: 0), NamedScore(name: "tver", score: 500)]
        #expect(best([old, moscow], s, now: Self.tenMoscow) == "old")
        // Every component is shown: "why this lead now".
        let parts = DialScore.components(moscow, DialScore.defaults, now: Self.tenMoscow)
        #expect(parts.map(\.name) == ["callback", "age", "region", "product", "attempts", "rounds"])
        #expect(parts.first { $0.name == "age" }?.value == 10)
    }

    @Test func t10TheKeyOrdersTheQueueAsTheScoreDoesAtAnyTime() {
        var s = DialScore.defaults
        s.products = [NamedScore(name: "doors", score: 35)]
        var entries = (0..<40).map { Self.entry("e\($0)", age: Int64($0 % 7), product: $0 % 3 == 0 ? "doors" : "") }
        entries[5].attempts = 2
        entries[9].rounds = 1
        let byKey = entries.sorted { (DialScore.key($0, s), $0.id) > (DialScore.key($1, s), $1.id) }.map(\.id)
        for later in [Int64(0), 3 * Self.hour, 50 * Self.hour] {
            let now = Self.tenMoscow + later
            let byScore = entries.sorted { (DialScore.score($0, s, now: now) * 1000, $0.id) > (DialScore.score($1, s, now: now) * 1000, $1.id) }
            // Equal scores may tie differently than their keys (whole points vs thousandths); the order of distinct scores agrees.
            for (a, b) in zip(byScore, byScore.dropFirst()) where DialScore.score(a, s, now: now) > DialScore.score(b, s, now: now) {
                #expect(byKey.firstIndex(of: a.id)! < byKey.firstIndex(of: b.id)!, "\(a.id) before \(b.id) at +\(later / Self.hour) h")
            }
        }
    }

    @Test func t10ThreeNoAnswersThenARecallThirtyMinutesLaterLowerThenClosedAfterTheLastRound() throws {
        var s = DialScore.defaults
        s.maxRounds = 2
        var e = Self.entry("a")
        var now = Self.tenMoscow
        for attempt in 1...2 {
            e = try DialOutcomeRule.apply(e, .noAnswer, callbackAt: nil, callbackForOperator: nil, settings: s, now: now)
            #expect(e.state == .waiting && e.attempts == Int64(attempt) && e.notBeforeMilliseconds == now + 300_000)  // the minimum gap
            now += 600_000
        }
        let keyBefore = DialScore.key(e, s)
        e = try DialOutcomeRule.apply(e, .busy, callbackAt: nil, callbackForOperator: nil, settings: s, now: now)
        #expect(e.rounds == 1 && e.attempts == 0 && e.notBeforeMilliseconds == now + 30 * 60_000)
        #expect(DialScore.key(e, s) == keyBefore - 40_000, "back lower: a round (-50) instead of two attempts (-10)")
        for _ in 0..<3 { e = try DialOutcomeRule.apply(e, .noAnswer, callbackAt: nil, callbackForOperator: nil, settings: s, now: now) }
        #expect(e.state == .closed && e.lastOutcome == .noAnswer)
    }

    @Test func t10ACallbackWaitsForItsTimeAndItsOperatorAndCallsStayInsideCallingHours() throws {
        let s = DialScore.defaults
        let at = Self.tenMoscow + 2 * Self.hour
        let e = try DialOutcomeRule.apply(Self.entry("a"), .callback, callbackAt: at, callbackForOperator: 7, settings: s, now: Self.tenMoscow)
        #expect(e.state == .waiting && e.notBeforeMilliseconds == at && e.callbackFor == 7)
        #expect(throws: DialOutcomeRule.Refusal.self) { try DialOutcomeRule.apply(e, .callback, callbackAt: nil, callbackForOperator: nil, settings: s, now: Self.tenMoscow) }
        // A callback agreed for 23:00 Moscow is made at 09:00 the next morning.
        let late = try DialOutcomeRule.apply(Self.entry("b"), .callback, callbackAt: Self.tenMoscow + 13 * Self.hour, callbackForOperator: nil, settings: s, now: Self.tenMoscow)
        #expect(late.notBeforeMilliseconds == Self.tenMoscow + 23 * Self.hour)
        // Vladivostok numbers are not +7 apart in this table: a Kazakh (+77) one at 05:00 local waits to 09:00.
        let almaty = CallingHours.nextAllowed("+77011234567", now: Self.tenMoscow - 5 * Self.hour, from: 9, to: 21)
        #expect(almaty == Self.tenMoscow - 5 * Self.hour + 2 * Self.hour)
        #expect(CallingHours.nextAllowed("+79161234567", now: Self.tenMoscow, from: 9, to: 21) == Self.tenMoscow)
        // G1 (issue 22 item 21): a callback within a year, not in 9999.
        let year9999: Int64 = 253_402_214_400_000
        #expect(throws: DialOutcomeRule.Refusal.self) {
            try DialOutcomeRule.apply(Self.entry("c"), .callback, callbackAt: year9999, callbackForOperator: nil, settings: s, now: Self.tenMoscow)
        }
        #expect(try DialOutcomeRule.apply(Self.entry("c"), .callback, callbackAt: Self.tenMoscow + 300 * 86_400_000, callbackForOperator: nil, settings: s, now: Self.tenMoscow).state != .closed)
        // A sale ends the entry.
        #expect(try DialOutcomeRule.apply(Self.entry("c"), .offerMade, callbackAt: nil, callbackForOperator: nil, settings: s, now: Self.tenMoscow).state == .closed)
    }
}
