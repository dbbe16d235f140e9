import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// B3: payments keyed on (provider, provider payment id), moved by
/// ``PaymentStateMachine`` inside one write, so two reports of one payment — however
/// close together — are applied one after the other to one row. Each report is kept in
/// the payment's history. payment.paid / .failed / .refunded are emitted once the payer
/// is known (``PayerIntake``), in the transaction that learns it, each at most once.
public struct PaymentStore: Sendable {
    let database: Database
    let clock: WallClock
    /// Attempts older than this are listed for follow-up.
    let staleAttemptMilliseconds: Int64

    public init(database: Database, clock: WallClock, staleAttemptMinutes: Int64 = 60) {
        self.database = database
        self.clock = clock
        self.staleAttemptMilliseconds = staleAttemptMinutes * 60_000
    }

    /// Most history entries a payment keeps (the latest ones).
    static let historyLimit = 100

    public func record(_ report: PaymentReport) async throws -> Payment {
        let now = clock.milliseconds
        let v = Self.violations(report, now: now)
        guard v.isEmpty else { throw RPCError.invalidArgument("the payment is not valid", details: v) }
        return try await database.write { tx in try Self.apply(tx, report, now: now) }
    }

    /// Most reports one batch takes.
    public static let batchLimit = PaymentReports.limit

    /// B3 (issue 30): `reports` in order, in one transaction, each as ``record(_:)`` takes it;
    /// one not valid refuses them all, naming it.
    public func record(all reports: [PaymentReport]) async throws -> Int {
        guard reports.count <= Self.batchLimit else {
            throw RPCError.invalidArgument("at most \(Self.batchLimit) reports at once", details: [FieldViolation(field: "reports", description: "has \(reports.count)")])
        }
        let now = clock.milliseconds
        let v = reports.enumerated().flatMap { i, report in
            Self.violations(report, now: now).map { FieldViolation(field: "reports[\(i)].\($0.field)", description: $0.description) }
        }
        guard v.isEmpty else { throw RPCError.invalidArgument("a payment is not valid", details: v) }
        return try await database.write { tx in
            for report in reports { _ = try Self.apply(tx, report, now: now) }
            return reports.count
        }
    }

    static func violations(_ report: PaymentReport, now: Int64) -> [FieldViolation] {
        var v: [FieldViolation] = []
        if report.provider == .unspecified { v.append(FieldViolation(field: "provider", description: "is missing")) }
        if report.providerPaymentID.isEmpty { v.append(FieldViolation(field: "reference", description: "is missing")) }
        if Money.exponents[report.currency] == nil { v.append(FieldViolation(field: "currency", description: "\(report.currency) is not a currency this service knows")) }
        if report.amountMinor <= 0 { v.append(FieldViolation(field: "amountMinor", description: "must be positive")) }
        if report.amountMinor > Money.maximumMinor { v.append(FieldViolation(field: "amountMinor", description: "must be at most \(Money.maximumMinor)")) }
        if report.refundMinor > Money.maximumMinor { v.append(FieldViolation(field: "refundMinor", description: "must be at most \(Money.maximumMinor)")) }
        if report.lessons > 0 && report.months > 0 { v.append(FieldViolation(field: "months", description: "a payment covers lessons or months, not both")) }
        if (report.lessons > 0 || report.months > 0) && report.groupID == nil { v.append(FieldViolation(field: "groupId", description: "name the group the prepayment is for")) }
        if let at = report.occurredAtMilliseconds, at > now + Horizon.skewMilliseconds {
            v.append(FieldViolation(field: "at", description: "is in the future: a payment is reported once it has happened"))
        }
        return v
    }

    /// One valid report, in the caller's transaction.
    static func apply(_ tx: Transaction, _ report: PaymentReport, now: Int64) throws -> Payment {
        let status = report.status == .unspecified ? PaymentStatus.paid : report.status
        let at = report.occurredAtMilliseconds ?? now
        let existing = try tx.queryFirst(
            "SELECT id, payment FROM payments WHERE provider = ? AND provider_id = ?",
            [.integer(Int64(report.provider.rawValue)), .text(report.providerPaymentID)]) { ($0.int64(0), try Payment(wireBytes: $0.blob(1))) }
        var payment = existing?.1 ?? Self.first(report, now: now)
        if let (_, current) = existing, current.currency != report.currency {
            payment.history.append(PaymentChange(atMilliseconds: at, status: status, amountMinor: report.amountMinor, applied: false, note: "in \(report.currency), not the payment's \(current.currency): ignored"))
            try Self.save(tx, &payment)
            return payment
        }
        let refunds = try existing.map { id, _ in
            Set(try tx.query("SELECT refund_id FROM refunds WHERE payment_id = ?", [.integer(id)]) { $0.string(0) })
        } ?? []
        let decision = PaymentStateMachine.apply(
            current: existing.map { ($0.1.status, $0.1.amountMinor, $0.1.refundedMinor) }, refundIDs: refunds,
            incoming: status, amountMinor: report.amountMinor, refundMinor: report.refundMinor, refundID: report.refundID)
        Self.fillBlanks(&payment, from: report)
        if decision.applied {
            if status == .paid || (existing == nil && status != .failed && status != .attempt) {
                payment.amountMinor = report.amountMinor
                payment.paidAtMilliseconds = payment.paidAtMilliseconds ?? at
            }
            payment.status = decision.status
            payment.refundedMinor = decision.refundedMinor
        }
        let note = [decision.note, report.note].filter { !$0.isEmpty }.joined(separator: "; ")
        payment.history.append(PaymentChange(atMilliseconds: at, status: status, amountMinor: status == .refunded ? report.refundMinor : report.amountMinor, applied: decision.applied, note: note))
        if payment.history.count > Self.historyLimit { payment.history.removeFirst(payment.history.count - Self.historyLimit) }
        payment.updatedAtMilliseconds = now
        try Self.save(tx, &payment)
        if decision.applied && !report.refundID.isEmpty && status == .refunded {
            try tx.run("INSERT OR IGNORE INTO refunds (payment_id, refund_id) VALUES (?, ?)", [.integer(payment.id), .text(report.refundID)])
        }
        let state = try tx.queryFirst("SELECT payer_state FROM payments WHERE id = ?", [.integer(payment.id)]) { $0.string(0) } ?? ""
        if state == "pending" {
            tx.touch(PayerIntake.pendingTopic)
        } else if state != Self.testPayerState {
            payment = try Self.announce(tx, payment.id) ?? payment
        }
        return payment
    }

    static func first(_ report: PaymentReport, now: Int64) -> Payment {
        var p = Payment()
        p.provider = report.provider
        p.providerPaymentID = report.providerPaymentID
        p.currency = report.currency
        p.amountMinor = report.amountMinor
        p.createdAtMilliseconds = now
        p.test = report.test
        // A test charge is in no group's money and has no payer.
        if !p.test { (p.groupID, p.lessons, p.months) = (report.groupID, report.lessons, report.months) }
        p.opens = PaymentOpens.unlessSaid(report.opens, provider: report.provider)
        return p
    }

    /// A test-mode payment's payer state: never looked up, never announced, in no group's money.
    static let testPayerState = "test"

    /// A later report may say what the first did not (the email with "paid").
    static func fillBlanks(_ p: inout Payment, from r: PaymentReport) {
        if p.email.isEmpty { p.email = r.email.trimming(.spaces) }
        if p.phone.isEmpty { p.phone = r.phone.trimming(.spaces) }
        if p.payerName.isEmpty { p.payerName = r.payerName }
        if p.purpose.isEmpty { p.purpose = r.purpose }
        if p.campaign.isEmpty { p.campaign = r.campaign }
        if p.subscriptionID.isEmpty { p.subscriptionID = r.subscriptionID }
        if p.dealID == nil { p.dealID = r.dealID }
        if p.payerContactID == nil, !p.test { p.payerContactID = r.contactID }
        if p.groupID == nil, !p.test, let g = r.groupID { (p.groupID, p.lessons, p.months) = (g, r.lessons, r.months) }
    }

    /// Inserts or updates the row (a new one gets its id).
    static func save(_ tx: Transaction, _ p: inout Payment) throws {
        if p.id == 0 {
            let payerState = p.test ? Self.testPayerState : p.payerContactID != nil ? "found" : (p.email.isEmpty && p.phone.isEmpty ? "none" : "pending")
            try tx.run(
                "INSERT INTO payments (provider, provider_id, status, payer_state, payer_contact_id, student_id, group_id, created_at, paid_at, payment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [.integer(Int64(p.provider.rawValue)), .text(p.providerPaymentID), .integer(Int64(p.status.rawValue)), .text(payerState),
                 SQLValue(p.payerContactID), SQLValue(p.payerContactID), SQLValue(p.groupID), .integer(p.createdAtMilliseconds), SQLValue(p.paidAtMilliseconds), .blob([])])
            p.id = tx.lastInsertRowID
        }
        try tx.run(
            "UPDATE payments SET status = ?, paid_at = ?, group_id = ?, subscription_id = ?, payment = ? WHERE id = ?",
            [.integer(Int64(p.status.rawValue)), SQLValue(p.paidAtMilliseconds), SQLValue(p.groupID), p.subscriptionID.isEmpty ? .null : .text(p.subscriptionID),
             .blob(p.wireBytes()), .integer(p.id)])
    }

    /// Emits what the payment's events have not said yet: paid (with first or repeat
    /// payer), then a refund, or failed. Returns the payment as announced.
    static func announce(_ tx: Transaction, _ id: Int64) throws -> Payment? {
        guard var (p, announced, announcedRefund) = try tx.queryFirst(
            "SELECT payment, announced_status, announced_refund FROM payments WHERE id = ?", [.integer(id)],
            { (try Payment(wireBytes: $0.blob(0)), PaymentStatus(rawValue: $0.int(1)) ?? .unspecified, $0.int64(2)) })
        else { return nil }
        let aggregate = "payment-\(id)"
        if p.status == .paid || p.status == .refunded, announced != .paid, announced != .refunded {
            if let payer = p.payerContactID {
                let earlier = try tx.queryFirst(
                    "SELECT 1 FROM payments WHERE payer_contact_id = ? AND id != ? AND status IN (2, 4) AND (paid_at < ? OR (paid_at = ? AND id < ?)) LIMIT 1",
                    [.integer(payer), .integer(id), SQLValue(p.paidAtMilliseconds), SQLValue(p.paidAtMilliseconds), .integer(id)]) { $0.int(0) } != nil
                p.repeatPayer = earlier
                p.firstPayment = !earlier
            }
            try tx.run("UPDATE payments SET payment = ? WHERE id = ?", [.blob(p.wireBytes()), .integer(id)])
            try tx.appendEvent(type: Billing.Event.paymentPaid, aggregateID: aggregate, payload: p.wireBytes())
            announced = .paid
        }
        if p.status == .refunded, p.refundedMinor > announcedRefund {
            try tx.appendEvent(type: Billing.Event.paymentRefunded, aggregateID: aggregate, payload: p.wireBytes())
            announced = .refunded
            announcedRefund = p.refundedMinor
        }
        if p.status == .failed, announced == .unspecified {
            try tx.appendEvent(type: Billing.Event.paymentFailed, aggregateID: aggregate, payload: p.wireBytes())
            announced = .failed
        }
        try tx.run("UPDATE payments SET announced_status = ?, announced_refund = ? WHERE id = ?",
            [.integer(Int64(announced.rawValue)), .integer(announcedRefund), .integer(id)])
        if let payer = p.payerContactID, !p.subscriptionID.isEmpty {
            // A charge that found its payer names its subscription's payer too.
            try tx.run("UPDATE subscriptions SET payer_contact_id = ? WHERE provider = ? AND subscription_id = ? AND payer_contact_id IS NULL",
                [.integer(payer), .integer(Int64(p.provider.rawValue)), .text(p.subscriptionID)])
        }
        return p
    }

    public func get(_ id: Int64) async throws -> Payment {
        guard let p = try await database.read({ c in
            try c.queryFirst("SELECT payment FROM payments WHERE id = ?", [.integer(id)]) { try Payment(wireBytes: $0.blob(0)) }
        }) else { throw RPCError.notFound("payment \(id) does not exist") }
        return p
    }

    /// By id; `stale`: attempts older than the follow-up time.
    public func list(_ r: ListPaymentsRequest) async throws -> PaymentList {
        let page = try PageRequest(size: r.pageSize, default: 100, maximum: 500)
        var sql = "SELECT payment FROM payments WHERE id > ?"
        var values: [SQLValue] = [.integer(r.afterID ?? 0)]
        if r.staleOnly {
            sql += " AND status = 1 AND created_at < ?"
            values.append(.integer(clock.milliseconds - staleAttemptMilliseconds))
        } else if r.status != .unspecified {
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
            PaymentList(payments: try c.query(sql, values) { try Payment(wireBytes: $0.blob(0)) })
        }
    }
}
