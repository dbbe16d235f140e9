import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// B3: recurring payments' subscriptions keyed on (provider, subscription id), moved by
/// ``SubscriptionStateMachine`` inside one write. The payer is the one its charges found
/// (a charge names its subscription); becoming past due emits subscription.past_due once
/// per time, unless it is the provider's test mode.
public struct SubscriptionStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// Most history entries a subscription keeps (the latest ones).
    static let historyLimit = 50

    public func record(_ report: SubscriptionReport) async throws -> PaymentSubscription {
        var v: [FieldViolation] = []
        if report.provider == .unspecified { v.append(FieldViolation(field: "provider", description: "is missing")) }
        if report.subscriptionID.isEmpty || report.subscriptionID.count > 100 { v.append(FieldViolation(field: "subscriptionId", description: "must be 1 to 100 characters")) }
        if report.status == .unspecified { v.append(FieldViolation(field: "status", description: "is missing")) }
        if !report.currency.isEmpty, Money.exponents[report.currency] == nil { v.append(FieldViolation(field: "currency", description: "\(report.currency) is not a currency this service knows")) }
        if !(0...Money.maximumMinor).contains(report.amountMinor) { v.append(FieldViolation(field: "amountMinor", description: "must be 0 to \(Money.maximumMinor)")) }
        guard v.isEmpty else { throw RPCError.invalidArgument("the subscription report is not valid", details: v) }
        let now = clock.milliseconds
        return try await database.write { tx in
            let key: [SQLValue] = [.integer(Int64(report.provider.rawValue)), .text(report.subscriptionID)]
            let existing = try tx.queryFirst("SELECT id, subscription, payer_contact_id FROM subscriptions WHERE provider = ? AND subscription_id = ?", key) {
                ($0.int64(0), try PaymentSubscription(wireBytes: $0.blob(1)), $0.optionalInt64(2))
            }
            var s = existing?.1 ?? PaymentSubscription(provider: report.provider, subscriptionID: report.subscriptionID, test: report.test, createdAtMilliseconds: now)
            let decision = SubscriptionStateMachine.apply(current: existing?.1.status, incoming: report.status)
            if decision.applied {
                s.status = decision.status
                if !report.email.isEmpty { s.email = report.email }
                if !report.accountID.isEmpty { s.accountID = report.accountID }
                if !report.currency.isEmpty { (s.amountMinor, s.currency) = (report.amountMinor, report.currency) }
                if !report.purpose.isEmpty { s.purpose = report.purpose }
                s.nextChargeAtMilliseconds = SubscriptionStateMachine.final.contains(decision.status) ? nil : report.nextChargeAtMilliseconds
                s.successfulCharges = max(s.successfulCharges, report.successfulCharges)
                s.failedCharges = max(s.failedCharges, report.failedCharges)
            }
            s.history.append(SubscriptionChange(atMilliseconds: now, status: report.status, applied: decision.applied))
            if s.history.count > Self.historyLimit { s.history.removeFirst(s.history.count - Self.historyLimit) }
            s.updatedAtMilliseconds = now
            // The payer is its column's (a charge that finds them later sets it there); a new
            // subscription takes the one its charges found already.
            if let (id, _, payer) = existing {
                (s.id, s.payerContactID) = (id, payer)
            } else {
                s.payerContactID = try tx.queryFirst(
                    "SELECT payer_contact_id FROM payments WHERE provider = ? AND subscription_id = ? AND payer_contact_id IS NOT NULL ORDER BY id DESC LIMIT 1", key) { $0.int64(0) }
                try tx.run("INSERT INTO subscriptions (provider, subscription_id, status, payer_contact_id, subscription) VALUES (?, ?, 0, ?, ?)", key + [SQLValue(s.payerContactID), .blob([])])
                s.id = tx.lastInsertRowID
            }
            try tx.run("UPDATE subscriptions SET status = ?, subscription = ? WHERE id = ?", [.integer(Int64(s.status.rawValue)), .blob(s.wireBytes()), .integer(s.id)])
            if decision.becamePastDue, !s.test {
                try tx.appendEvent(type: Billing.Event.subscriptionPastDue, aggregateID: "subscription-\(s.id)", payload: s.wireBytes())
            }
            return s
        }
    }

    /// By id; one payer's, or those in one status.
    public func list(_ r: ListSubscriptionsRequest) async throws -> SubscriptionList {
        let page = try PageRequest(size: r.pageSize, default: 100, maximum: 500)
        var sql = "SELECT subscription, payer_contact_id FROM subscriptions WHERE id > ?"
        var values: [SQLValue] = [.integer(r.afterID ?? 0)]
        if r.status != .unspecified {
            sql += " AND status = ?"
            values.append(.integer(Int64(r.status.rawValue)))
        }
        if let contact = r.contactID {
            sql += " AND payer_contact_id = ?"
            values.append(.integer(contact))
        }
        sql += " ORDER BY id LIMIT ?"
        values.append(.integer(Int64(page.limit)))
        return try await database.read { [sql, values] c in
            SubscriptionList(subscriptions: try c.query(sql, values) { row in
                var s = try PaymentSubscription(wireBytes: row.blob(0))
                s.payerContactID = row.optionalInt64(1)
                return s
            })
        }
    }
}
