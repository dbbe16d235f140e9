import Contracts
import Foundation
@testable import NotificationsService
import Testing

/// Issue 26 item 6 as plain values: when a scheduled report goes and which days it covers
/// in the business's zone; the email carries the CSV as a file.
@Suite struct ScheduledReportTests {
    static let dubai = TimeZone(identifier: "Asia/Dubai")!
    static func ms(_ text: String) -> Int64 { Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000) }

    @Test func d9n1AWeeklyReportGoesOnMondayAtTheHourInDubaiForTheWeekBefore() {
        // Friday 2027-01-15 10:00 UTC; 09:00 in Dubai (UTC+4) is 05:00 UTC.
        let friday = Self.ms("2027-01-15T10:00:00Z")
        let weekly = ReportSchedule.next(after: friday, every: .week, hour: 9, zone: Self.dubai)
        #expect(weekly == Self.ms("2027-01-18T05:00:00Z"))
        #expect(ReportSchedule.period(sentAt: weekly, every: .week, zone: Self.dubai) == ("2027-01-11", "2027-01-17"))
        // At its time exactly, the next is a week on.
        #expect(ReportSchedule.next(after: weekly, every: .week, hour: 9, zone: Self.dubai) == Self.ms("2027-01-25T05:00:00Z"))
        // Monday 01:00 in Dubai is still Sunday in UTC: the week before is Dubai's.
        let early = ReportSchedule.next(after: friday, every: .week, hour: 1, zone: Self.dubai)
        #expect(early == Self.ms("2027-01-17T21:00:00Z") && ReportSchedule.period(sentAt: early, every: .week, zone: Self.dubai) == ("2027-01-11", "2027-01-17"))
    }

    @Test func d9n1AMonthlyReportGoesOnTheFirstForTheMonthBeforeYearsIncluded() {
        let next = ReportSchedule.next(after: Self.ms("2027-01-15T10:00:00Z"), every: .month, hour: 9, zone: Self.dubai)
        #expect(next == Self.ms("2027-02-01T05:00:00Z"))
        #expect(ReportSchedule.period(sentAt: next, every: .month, zone: Self.dubai) == ("2027-01-01", "2027-01-31"))
        let january = ReportSchedule.next(after: Self.ms("2026-12-20T10:00:00Z"), every: .month, hour: 9, zone: Self.dubai)
        #expect(ReportSchedule.period(sentAt: january, every: .month, zone: Self.dubai) == ("2026-12-01", "2026-12-31"))
    }

    @Test func d9n1AReportsEmailCarriesItsCSVAsAFileBesideTheText() {
        var message = Outgoing(address: "maria@example.com", subject: "Monthly", body: "<p>Attribution</p>", messageID: "msg_send_7", eventType: "report")
        message.attachment = ("attribution-2027-01-01-2027-01-31.csv", "utm_campaign,calls\r\nwinter,2\r\n")
        let text = EmailChannel.message(message, from: "crm@example.com")
        #expect(text.contains("Content-Type: multipart/mixed; boundary=\"sb-mixed-msg_send_7\""))
        #expect(text.contains("Content-Disposition: attachment; filename=\"attribution-2027-01-01-2027-01-31.csv\""))
        #expect(text.contains(Data("utm_campaign,calls\r\nwinter,2\r\n".utf8).base64EncodedString()))
        #expect(text.hasSuffix("--sb-mixed-msg_send_7--"))
        message.attachment = nil
        #expect(!EmailChannel.message(message, from: "crm@example.com").contains("multipart/mixed"))
    }
}
