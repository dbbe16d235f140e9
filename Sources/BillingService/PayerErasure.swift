import Contracts
import ServiceKit
import Storage
import Wire

/// C8: erasing a person from billing. Money records stay as the law keeps them (amount,
/// currency, status, dates, reference, what they paid for, the contact id they count
/// for): only the payer's name, email and phone go, and from recurring payments the email
/// and the merchant's account id; their deals' offers lose the delivery address.
struct PayerErasure: Sendable {
    let database: Database
    let events: EventErasure

    func erase(_ request: ErasePersonRequest) async throws -> ErasureReport {
        let contact = SQLValue.integer(request.contactID)
        let needles = request.needles
        let deals = SQLList.integers(request.dealIDs)
        let (counts, subscriptions) = try await database.write { tx -> ([String: Int64], [Int64]) in
            var counts: [String: Int64] = [:]
            let inPayment = Database.condition(holding: needles, in: "payment")
            let payments = try tx.query("SELECT id, payment FROM payments WHERE payer_contact_id = ? OR \(inPayment.sql)", [contact] + inPayment.values) {
                ($0.int64(0), try Payment(wireBytes: $0.blob(1)))
            }
            for (id, payment) in payments where !payment.email.isEmpty || !payment.phone.isEmpty || !payment.payerName.isEmpty {
                var kept = payment
                (kept.email, kept.phone, kept.payerName) = ("", "", "")
                try tx.run("UPDATE payments SET payment = ? WHERE id = ?", [.blob(kept.wireBytes()), .integer(id)])
                counts["payments", default: 0] += 1
            }
            let inSubscription = Database.condition(holding: needles, in: "subscription")
            let subscriptions = try tx.query(
                "SELECT id, subscription FROM subscriptions WHERE payer_contact_id = ? OR \(inSubscription.sql)", [contact] + inSubscription.values
            ) { ($0.int64(0), try PaymentSubscription(wireBytes: $0.blob(1))) }
            for (id, subscription) in subscriptions where !subscription.email.isEmpty || !subscription.accountID.isEmpty {
                var kept = subscription
                (kept.email, kept.accountID) = ("", "")
                try tx.run("UPDATE subscriptions SET subscription = ? WHERE id = ?", [.blob(kept.wireBytes()), .integer(id)])
                counts["subscriptions", default: 0] += 1
            }
            let offers = try tx.query("SELECT deal_id, offer FROM offers WHERE deal_id IN (\(deals)) AND address != ''") {
                ($0.int64(0), try Offer(wireBytes: $0.blob(1)))
            }
            for (dealID, offer) in offers {
                var kept = offer
                kept.address = ""
                try tx.run("UPDATE offers SET address = '', offer = ? WHERE deal_id = ?", [.blob(kept.wireBytes()), .integer(dealID)])
            }
            counts["offers"] = Int64(offers.count)
            return (counts, subscriptions.map(\.0))
        }
        let aggregates = ["contact-\(request.contactID)"] + request.dealIDs.map { "deal-\($0)" } + subscriptions.map { "subscription-\($0)" }
        return try await events.report(counts, for: request, aggregates: aggregates)
    }
}
