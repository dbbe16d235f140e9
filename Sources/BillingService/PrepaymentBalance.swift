import Contracts

/// B4: what a student's prepayments in a group cover. Lessons bought add up over paid
/// payments (a payment refunded in full buys nothing); each lesson held where the student
/// was marked present or absent uses one (an excused absence does not); months run from
/// the month a payment was made. A student is exhausted with no lesson left and no month
/// covered from the current one on.
public enum PrepaymentBalance {
    public static func balance(groupID: Int64, contactID: Int64, receipts: [GroupEconomics.Receipt], lessonsUsed: Int64, now: BillingMonth) -> Balance {
        var b = Balance(groupID: groupID, contactID: contactID)
        var through: BillingMonth?
        for r in receipts where r.netMinor > 0 {
            b.lessonsBought += r.lessons
            b.monthsBought += r.months
            if r.months > 0 {
                let last = BillingMonth(index: BillingMonth(milliseconds: r.paidAtMilliseconds).index + r.months - 1)
                through = max(through ?? last, last)
            }
        }
        b.lessonsUsed = lessonsUsed
        // Lessons used beyond those bought (a months-prepayment, a debt) leave none, not fewer.
        b.lessonsLeft = max(0, b.lessonsBought - lessonsUsed)
        b.paidThrough = through?.description ?? ""
        b.exhausted = b.lessonsLeft <= 0 && (through.map { $0 < now } ?? true)
        return b
    }
}
