import Contracts
import Foundation

/// CloudPayments' notifications (forms, signed with Content-HMAC over the raw body):
/// `check` (before the charge: an attempt), `pay` (paid; `Status` Authorized is a
/// two-stage hold, still an attempt), `fail`, `refund`. Which one it is comes from the URL
/// it was configured with (`/v1/hooks/<name>?type=pay`), else from its fields (a refund
/// names `PaymentTransactionId`, a failure `ReasonCode`). Keyed on `InvoiceId`; recurring
/// charges come with an empty InvoiceId and only `SubscriptionId`, so on `TransactionId`
/// then (a refund: on the payment's `PaymentTransactionId`, its own TransactionId is the
/// refund's id). `DateTime` is UTC. A Recurrent notification (`?type=recurrent`, or a body
/// with the subscription's `Id` and no transaction) is a subscription's state instead.
public enum CloudPaymentsAdapter {
    public static let types = ["check", "pay", "fail", "refund", "recurrent"]

    /// CloudPayments' subscription statuses, as it spells them.
    static let subscriptionStatuses: [String: SubscriptionStatus] = [
        "active": .active, "pastdue": .pastDue, "cancelled": .cancelled, "rejected": .rejected, "expired": .expired,
    ]

    /// A payment's notification or a subscription's; `paymentOpens` is the integration's word
    /// on what a paid payment opens (B3).
    static func delivery(contentType: String, body: [UInt8], type: String?, paymentOpens: PaymentOpens = .unspecified) throws(HookRefusal) -> HookDelivery {
        let f = try RingostatAdapter.values(contentType: contentType, body: body)
        let recurrent = type == "recurrent" || (type == nil && f["Id"] != nil && f["TransactionId"] == nil && f["InvoiceId"] == nil)
        if recurrent { return .subscription(try subscription(f)) }
        var payment = try report(f, type: type)
        payment.opens = paymentOpens
        return .payment(payment)
    }

    /// A field's value, trimmed; nil when absent or blank.
    static func field(_ f: [String: String], _ name: String) -> String? {
        f[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
    }

    /// A test-mode charge moved no money: billing records it as test and opens nothing.
    static func testMode(_ f: [String: String]) -> Bool {
        field(f, "TestMode").map { $0 == "1" || $0.lowercased() == "true" } ?? false
    }

    /// A Recurrent notification: `Id` (the subscription), `Status`, `AccountId`, `Email`,
    /// `Amount`, `Currency`, `Description`, `NextTransactionDate`,
    /// `SuccessfulTransactionsNumber`, `FailedTransactionsNumber` (times in UTC).
    static func subscription(_ f: [String: String]) throws(HookRefusal) -> SubscriptionReport {
        func field(_ name: String) -> String? { Self.field(f, name) }
        guard let id = field("Id") else { throw HookRefusal("the CloudPayments Recurrent notification has no Id") }
        guard let status = field("Status").flatMap({ subscriptionStatuses[$0.lowercased()] }) else {
            throw HookRefusal("the subscription's Status \"\(field("Status") ?? "")\" is not one of Active, PastDue, Cancelled, Rejected, Expired")
        }
        var r = SubscriptionReport()
        r.provider = .cloudpayments
        r.subscriptionID = id
        r.status = status
        r.email = field("Email") ?? ""
        r.accountID = field("AccountId") ?? ""
        r.purpose = field("Description") ?? ""
        if let amount = field("Amount") {
            r.currency = PaymentHookAmount.currency(field("Currency") ?? "RUB")
            r.amountMinor = try PaymentHookAmount.minor(amount, currency: r.currency, provider: "CloudPayments")
        }
        r.nextChargeAtMilliseconds = field("NextTransactionDate").flatMap(RingostatAdapter.date)
        r.successfulCharges = field("SuccessfulTransactionsNumber").flatMap { Int64($0) }.map { max(0, $0) } ?? 0
        r.failedCharges = field("FailedTransactionsNumber").flatMap { Int64($0) }.map { max(0, $0) } ?? 0
        r.test = testMode(f)
        return r
    }

    /// A payment's notification, from its fields.
    static func report(_ f: [String: String], type: String?) throws(HookRefusal) -> PaymentReport {
        func field(_ name: String) -> String? { Self.field(f, name) }
        let kind = type ?? (field("PaymentTransactionId") != nil || field("OperationType")?.lowercased() == "refund" ? "refund" : field("ReasonCode").map { $0 == "0" ? "pay" : "fail" } ?? "pay")
        var r = PaymentReport()
        r.provider = .cloudpayments
        let transaction = field("TransactionId")
        switch kind {
        case "check": r.status = .attempt
        case "pay": r.status = field("Status")?.lowercased() == "authorized" ? .attempt : .paid
        case "fail": r.status = .failed
        case "refund":
            r.status = .refunded
            r.refundID = transaction ?? ""
        default: throw HookRefusal("CloudPayments notification type \"\(kind)\" is not one of check, pay, fail, refund, recurrent")
        }
        guard let key = field("InvoiceId") ?? (kind == "refund" ? field("PaymentTransactionId") : transaction) else {
            throw HookRefusal("the CloudPayments notification has neither InvoiceId nor TransactionId")
        }
        r.providerPaymentID = key
        r.currency = PaymentHookAmount.currency(field("Currency") ?? "RUB")
        r.amountMinor = try PaymentHookAmount.minor(field("Amount") ?? "", currency: r.currency, provider: "CloudPayments")
        if kind == "refund" { r.refundMinor = r.amountMinor }
        r.subscriptionID = field("SubscriptionId") ?? ""
        r.email = field("Email") ?? ""
        r.payerName = field("Name") ?? ""
        r.purpose = field("Description") ?? ""
        r.campaign = field("AccountId") ?? ""
        if let reason = field("Reason") { r.note = "CloudPayments: \(reason)" + (field("ReasonCode").map { " (\($0))" } ?? "") }
        // `Data` may be a JSON string of the site's own fields (a phone, a name).
        if let data = field("Data"), let extra = try? RingostatAdapter.values(contentType: "application/json", body: Array(data.utf8)) {
            if r.phone.isEmpty { r.phone = extra["phone"] ?? extra["Phone"] ?? "" }
            if r.payerName.isEmpty { r.payerName = extra["name"] ?? extra["Name"] ?? "" }
        }
        r.occurredAtMilliseconds = field("DateTime").flatMap(RingostatAdapter.date)
        r.test = testMode(f)
        return r
    }
}
