import Contracts
import Foundation

/// Leyka's donations, as a site forwards their status changes (Leyka has no webhook of its
/// own): a JSON object or a form with Leyka's field names — `id`, `status` (`submitted`,
/// `funded`, `refunded`, `failed`; `trash` is a deleted donation and is refused), `amount`,
/// `currency_id`, `donor_name`, `donor_email`, `donor_phone`, `campaign_id`,
/// `campaign_title`, `payment_title`, `date`, `date_funded`, `init_recurring_donation_id`.
/// Keyed on the donation id: "submitted" then "funded" is one payment (B3).
enum LeykaAdapter {
    static func report(contentType: String, body: [UInt8]) throws(HookRefusal) -> PaymentReport {
        let f = try RingostatAdapter.values(contentType: contentType, body: body)
        func field(_ name: String) -> String? { f[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        guard let id = field("id") ?? field("donation_id") else { throw HookRefusal("the Leyka donation has no id") }
        var r = PaymentReport()
        r.provider = .leyka
        r.providerPaymentID = id
        switch (field("status") ?? "").lowercased() {
        case "submitted": r.status = .attempt
        case "funded": r.status = .paid
        case "refunded": r.status = .refunded
        case "failed": r.status = .failed
        case let other: throw HookRefusal("Leyka status \"\(other)\" is not one of submitted, funded, refunded, failed")
        }
        r.currency = PaymentHookAmount.currency(field("currency_id") ?? field("currency") ?? "RUB")
        r.amountMinor = try PaymentHookAmount.minor(field("amount") ?? field("amount_total") ?? "", currency: r.currency, provider: "Leyka")
        r.email = field("donor_email") ?? ""
        r.phone = field("donor_phone") ?? ""
        r.payerName = field("donor_name") ?? ""
        r.purpose = field("campaign_title") ?? field("payment_title") ?? ""
        r.campaign = field("campaign_id") ?? ""
        r.subscriptionID = field("init_recurring_donation_id").flatMap { $0 == "0" ? nil : $0 } ?? ""
        let when = r.status == .paid ? field("date_funded") ?? field("date") : field("date")
        r.occurredAtMilliseconds = when.flatMap(RingostatAdapter.date)
        return r
    }
}

/// Amounts as providers write them ("500", "500.00", "1 500,50"), turned into minor units
/// exactly (B1: never through a floating-point number).
enum PaymentHookAmount {
    static func currency(_ code: String) -> String {
        let upper = code.uppercased()
        return upper == "RUR" ? "RUB" : upper
    }

    static func minor(_ text: String, currency: String, provider: String) throws(HookRefusal) -> Int64 {
        let clean = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{A0}", with: "").replacingOccurrences(of: ",", with: ".")
        do {
            let money = try Money(parsing: clean, currency: currency)
            guard money.minor > 0 else { throw HookRefusal("the \(provider) amount \"\(text)\" is not positive") }
            guard money.minor <= Money.maximumMinor else {
                throw HookRefusal("the \(provider) amount \"\(text)\" is over the largest amount taken (\(Money.maximumMinor) minor units)")
            }
            return money.minor
        } catch let error as HookRefusal {
            throw error
        } catch {
            throw HookRefusal("the \(provider) amount \"\(text)\" in \(currency) is not an amount (\(error))")
        }
    }
}
