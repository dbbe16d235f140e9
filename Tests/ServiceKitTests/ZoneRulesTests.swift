import Foundation
import ServiceKit
import Testing

/// S1/D7's time zones, read from the system's zone files without ICU (issue 30), held to
/// Foundation's ICU time zones over a century: transitions, the footer's rule for the
/// years after them, both hemispheres and negative transition times.
struct ZoneRulesTests {
    static let zones = [
        "Europe/Moscow", "Europe/Kaliningrad", "Asia/Yekaterinburg", "Asia/Vladivostok", "Europe/Minsk", "Europe/Berlin", "Europe/London",
        "America/New_York", "America/Los_Angeles", "America/Sao_Paulo", "America/Nuuk", "Australia/Sydney", "Pacific/Auckland", "Asia/Tokyo",
        "Asia/Kolkata", "Asia/Tehran", "UTC",
    ]

    @Test(arguments: zones) func s1OffsetsAreICUsFrom1970To2060(_ name: String) throws {
        let rules = try #require(ZoneRules.named(name))
        let zone = try #require(TimeZone(identifier: name))
        var mismatches: [String] = []
        // Every 6 hours and 17 minutes: every day of the year in turn, at every hour of it.
        var instant: Int64 = 0
        while instant < 2_871_000_000 {
            let expected = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
            if rules.secondsFromGMT(at: instant) != expected, mismatches.count < 5 {
                mismatches.append("\(Date(timeIntervalSince1970: Double(instant))): \(rules.secondsFromGMT(at: instant)) not \(expected)")
            }
            instant += 6 * 3600 + 17 * 60
        }
        #expect(mismatches.isEmpty, "\(name): \(mismatches)")
    }

    @Test func s1TheHourAroundAChangeIsReadToTheSecond() throws {
        let newYork = try #require(ZoneRules.named("America/New_York"))
        // 2045-03-12 07:00 UTC is 02:00 EST, the footer's second Sunday of March.
        let change: Int64 = 2_372_914_800
        #expect(newYork.secondsFromGMT(at: change - 1) == -5 * 3600)
        #expect(newYork.secondsFromGMT(at: change) == -4 * 3600)
        let sydney = try #require(ZoneRules.named("Australia/Sydney"))
        #expect(sydney.secondsFromGMT(at: change) == 11 * 3600, "March: summer in Sydney")
    }

    @Test func s1NamesThatAreNotZonesAreRefused() {
        for name in ["", "Mars/Olympus", "../../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "Europe/Moscow\u{0}", String(repeating: "A", count: 200)] {
            #expect(ZoneRules.named(name) == nil, "\(name)")
        }
        #expect(ZoneRules(identifier: "x", tzif: Array("TZif2 not really".utf8)) == nil)
        #expect(ZoneRules(identifier: "x", tzif: []) == nil)
    }
}
