import Contracts
import Foundation
@testable import NotificationsService
import Storage
import Testing
import TestSupport
import Wire

/// P5 (issue 29): the send log keeps its counts and costs past the retention and loses
/// what was said to whom.
@Suite struct SendLogRetentionTests {
    static let day: Int64 = 86_400_000
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func c8ASendOlderThanTheRetentionLosesItsAddressTextAndEventAndKeepsItsStatusAndCost() async throws {
        let folder = try temporaryFolder("send-log")
        let database = try Database(path: folder.appendingPathComponent("notifications.sqlite").path, migrations: NotificationsSchema.migrations)
        let nowMs = Int64(Self.now.timeIntervalSince1970 * 1000)
        func send(_ id: Int64, daysAgo: Int64, status: OutboundStatus) async throws {
            var m = OutboundMessage()
            m.id = id
            m.ruleID = 1
            m.channel = .sms
            m.status = status
            m.address = "+7916555000\(id)"
            m.body = "Anna, your measurement is tomorrow at 10:00"
            m.contactID = 7
            m.costMinor = 350
            m.currency = "RUB"
            m.dueAtMilliseconds = nowMs - daysAgo * Self.day
            m.history = [OutboundMessageChange(atMilliseconds: m.dueAtMilliseconds, status: status, note: "to +7916555000\(id)")]
            let (due, bytes) = (m.dueAtMilliseconds, m.wireBytes())
            try await database.write { tx in
                try tx.run(
                    """
                    INSERT INTO sends (id, rule_id, event_id, recipient_key, status, due_at, source_key, contact_id, event_type, payload, message)
                    VALUES (?, 1, ?, 'contact:7', ?, ?, '', 7, 'deal.won', ?, ?)
                    """,
                    [.integer(id), .text("e\(id)"), .integer(Int64(status.rawValue)), .integer(due), .blob(Array("Anna Petrova".utf8)), .blob(bytes)])
            }
        }
        try await send(1, daysAgo: 400, status: .delivered)
        try await send(2, daysAgo: 400, status: .scheduled)  // not done: left until it is
        try await send(3, daysAgo: 10, status: .delivered)

        let retention = SendLogRetention(days: 365)
        #expect(try await retention.apply(to: database, now: Self.now) == 1)
        #expect(try await retention.apply(to: database, now: Self.now) == 0)
        let log = OutboundLog(database: database)
        let sends = try await log.list(ListOutboundMessagesRequest())
        #expect(sends.sends.map(\.id) == [3, 2, 1], "every send is still counted")
        let old = try await log.get(1)
        #expect(old.address.isEmpty && old.body.isEmpty && old.history.allSatisfy { $0.note.isEmpty })
        #expect(old.status == .delivered && old.costMinor == 350 && old.contactID == 7 && old.history.count == 1)
        let (pending, recent) = (try await log.get(2), try await log.get(3))
        #expect(pending.address == "+79165550002" && recent.body.hasPrefix("Anna"))
        let payload = try await database.read { c in try c.queryFirst("SELECT payload FROM sends WHERE id = 1", []) { $0.blob(0) } }
        #expect(payload == [], "the event it was made from goes too")
    }
}
