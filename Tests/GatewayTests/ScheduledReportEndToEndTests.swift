import Contracts
import Foundation
import Testing
import TestSupport

/// Issue 26 item 6 over the services: a monthly attribution report scheduled by an admin
/// goes out when the business clock reaches the 1st — its summary to the managers'
/// Telegram chat, an email with the CSV to a staff member — once, for the month before.
@Suite struct ScheduledReportEndToEndTests {
    @Test func d9n1AScheduledReportIsDeliveredWhenTheClockReachesItsTimeOnce() async throws {
        let system = try await NotificationsEndToEndTests.start()
        let telegram = try NotificationsEndToEndTests.Receiver()
        #expect(try await system.request("PUT", "/v1/notification-channels/telegram", body: #"{"provider":"telegram","baseUrl":"\#(telegram.url)","token":"42:SECRET"}"#).status == 200)
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Maria","role":"admin","email":"maria@example.com"}"#).status == 201)
        let lead = #"{"channel":"web","phone":"+79160000001","utmSource":"yandex","utmMedium":"cpc","utmCampaign":"winter"}"#
        #expect(try await system.request("POST", "/v1/leads", body: lead).status == 201)

        let bad = try await system.request("POST", "/v1/scheduled-reports", body: #"{"name":"x","kind":"attribution","groupBy":"operator","every":"month","staffIds":[1]}"#)
        #expect(bad.status == 422 && bad.body.contains("groupBy") && bad.body.contains("currency"), "\(bad.body)")
        let nobody = try await system.request("POST", "/v1/scheduled-reports", body: #"{"name":"x","kind":"leads","groupBy":"source","every":"week","staffIds":[99]}"#)
        #expect(nobody.status == 422 && nobody.body.contains("staffIds[0]"), "\(nobody.body)")
        let made = try await system.request(
            "POST", "/v1/scheduled-reports",
            body: #"{"name":"Monthly attribution","kind":"attribution","groupBy":"utm_campaign","currency":"RUB","every":"month","hour":9,"staffIds":[1],"telegramChat":"-1001"}"#)
        #expect(made.status == 201, "\(made.body)")
        let id = try #require(made.json["id"] as? Int)
        let next = try SchedulingEndToEndTests.milliseconds(made.json["nextAt"])
        // The first of the next month (UTC: the business's zone here), 09:00.
        let month = CivilDate(day: system.now / 86_400_000).parts
        let first = month.month == 12 ? CivilDate(year: month.year + 1, month: 1, day: 1) : CivilDate(year: month.year, month: month.month + 1, day: 1)
        #expect(next == first.day * 86_400_000 + 9 * 3_600_000)
        #expect(telegram.log.requests.withLock { $0.isEmpty })

        try system.clock.set(next + 1000)
        #expect(try await eventually(within: .seconds(20)) {
            telegram.log.requests.withLock { requests in
                requests.contains { String(decoding: $0.body, as: UTF8.self).contains("Attribution") && String(decoding: $0.body, as: UTF8.self).contains("1 leads") }
            }
        }, "the summary reached the chat")
        let monthStart = CivilDate(year: month.year, month: month.month, day: 1).text
        let sends = try await system.items("/v1/notification-sends?limit=50").filter { $0["eventType"] as? String == "report" }
        let email = try #require(sends.first { $0["channel"] as? String == "email" }, "\(sends)")
        #expect(email["address"] as? String == "maria@example.com" && (email["attachmentName"] as? String ?? "").hasPrefix("attribution-\(monthStart)-"))
        #expect(email["attachment"] == nil, "the file is not in the log's answers")
        let listed = try #require(try await system.items("/v1/scheduled-reports").first { $0["id"] as? Int == id })
        #expect((listed["lastNote"] as? String ?? "").hasPrefix("sent for \(monthStart)"), "\(listed)")
        #expect(try SchedulingEndToEndTests.milliseconds(listed["nextAt"]) > next)
        // Once: the run is done, and the next time is a month on.
        #expect(sends.filter { $0["channel"] as? String == "email" }.count == 1)
        #expect(try await system.request("DELETE", "/v1/scheduled-reports/\(id)").status == 200)
        #expect(try await system.request("DELETE", "/v1/scheduled-reports/\(id)").status == 404)
        try await system.stop()
    }

    @Test func d8n1AChannelsChangesAreKeptWithWhoAndWhenTheTokenNeverInWords() async throws {
        let system = try await NotificationsEndToEndTests.start()
        #expect(try await system.request("PUT", "/v1/notification-channels/telegram", body: #"{"provider":"telegram","baseUrl":"http://127.0.0.1:9","token":"42:SECRET"}"#).status == 200)
        #expect(try await system.request(
            "PUT", "/v1/notification-channels/telegram", body: #"{"provider":"telegram","baseUrl":"http://127.0.0.1:9","token":"43:OTHER","sender":"SchoolBot"}"#).status == 200)
        let history = try await system.request("GET", "/v1/notification-channels/telegram/history")
        #expect((history.json["items"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String } == [
            "set up: telegram at http://127.0.0.1:9", "token replaced", "sender \"\" → \"SchoolBot\"",
        ], "\(history.body)")
        #expect(!history.body.contains("SECRET") && !history.body.contains("OTHER"))
        try await system.stop()
    }
}
