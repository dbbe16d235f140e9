import Foundation
import Storage
import Testing

/// C8 in the outbox: events that name an erased person go once every subscriber that
/// takes their type has them; one still on its way is left (and counted) for later, and
/// events about other people stay.
@Suite struct EventErasureTests {
    @Test func c8EventsNamingAPersonGoOnceDeliveredToEverySubscriberThatTakesThem() async throws {
        let temp = try TemporaryDatabase()
        defer { temp.remove() }
        let database = try Database(path: temp.path, migrations: [])
        try await database.write { tx in
            try tx.appendEvent(type: "contact.created", aggregateID: "contact-1", payload: Array("+79165557001 Zinaida".utf8))
            try tx.appendEvent(type: "deal.created", aggregateID: "deal-5", payload: Array("Windows".utf8))
            try tx.appendEvent(type: "contact.created", aggregateID: "contact-2", payload: Array("+79165557002 Oleg".utf8))
            try tx.appendEvent(type: "payment.paid", aggregateID: "payment-3", payload: Array("z@example.com".utf8))
            try tx.setTimer(kind: "reminder", key: "1", at: Date(timeIntervalSince1970: 2_000_000_000), payload: Array("+79165557001".utf8))
        }
        // deals takes contact events and has had the first three; billing takes payments and has had none.
        try await database.markDelivered(subscriber: "deals", through: 3)
        let subscribers: [(name: String, types: Set<String>?)] = [("deals", ["contact.created", "deal.created"]), ("billing", ["payment.paid"])]
        let first = try await database.eraseEvents(holding: ["+79165557001", "z@example.com"], aggregates: ["deal-5"], subscribers: subscribers)
        #expect(first.erased == 3 && first.waiting == 1, "two events and the timer go; the payment waits for billing: \(first)")
        try await database.markDelivered(subscriber: "billing", through: 4)
        let second = try await database.eraseEvents(holding: ["+79165557001", "z@example.com"], aggregates: ["deal-5"], subscribers: subscribers)
        #expect(second.erased == 1 && second.waiting == 0)
        let left = try await database.read { c in try c.query("SELECT aggregate_id FROM outbox ORDER BY sequence") { $0.string(0) } }
        #expect(left == ["contact-2"])
        try await database.close()
    }
}
