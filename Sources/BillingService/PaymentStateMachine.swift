import Contracts

/// B3: a provider's payment moves attempt → paid | failed, paid → refunded (partly or
/// fully, refunds adding up to at most the amount), and never back: a later status for
/// the same provider id updates the one payment; a stale or out-of-order one (a `failed`
/// after `paid`, an `attempt` after anything) is kept in the payment's history and changes
/// nothing — never an error, since an error makes the provider retry forever. A failed
/// attempt the provider later charges after all (a retried card) becomes paid.
public enum PaymentStateMachine {
    /// What a report does to a payment.
    public struct Decision: Equatable, Sendable {
        public var status: PaymentStatus
        public var refundedMinor: Int64
        /// False: recorded in the history only.
        public var applied: Bool
        public var note: String

        public init(status: PaymentStatus, refundedMinor: Int64, applied: Bool, note: String) {
            (self.status, self.refundedMinor, self.applied, self.note) = (status, refundedMinor, applied, note)
        }
    }

    /// `current` nil: the first report of this provider id. `refundIDs`: refunds counted
    /// already (a refund re-delivered counts once).
    public static func apply(
        current: (status: PaymentStatus, amountMinor: Int64, refundedMinor: Int64)?, refundIDs: Set<String>,
        incoming: PaymentStatus, amountMinor: Int64, refundMinor: Int64, refundID: String
    ) -> Decision {
        guard let current else {
            if incoming == .refunded {
                // The refund is the first word we hear: it was paid, and is refunded now.
                let refund = refundMinor > 0 ? min(refundMinor, amountMinor) : amountMinor
                return Decision(status: .refunded, refundedMinor: refund, applied: true, note: "first heard of as refunded")
            }
            return Decision(status: incoming, refundedMinor: 0, applied: true, note: "")
        }
        let unchanged = { (note: String) in Decision(status: current.status, refundedMinor: current.refundedMinor, applied: false, note: note) }
        switch (current.status, incoming) {
        case (.attempt, .paid), (.attempt, .failed), (.failed, .paid):
            return Decision(status: incoming, refundedMinor: 0, applied: true, note: "")
        case (.paid, .refunded), (.refunded, .refunded):
            if !refundID.isEmpty, refundIDs.contains(refundID) { return unchanged("refund \(refundID) was counted already") }
            let left = current.amountMinor - current.refundedMinor
            guard left > 0 else { return unchanged("refunded in full already") }
            // Without its own id a refund is the rest of the payment (Leyka's "refunded"):
            // said twice, the second finds nothing left.
            let wanted = refundMinor > 0 ? refundMinor : left
            let refund = min(wanted, left)
            let note = wanted > left ? "refund of \(wanted) capped at the \(left) not yet refunded" : ""
            return Decision(status: .refunded, refundedMinor: current.refundedMinor + refund, applied: true, note: note)
        case let (a, b) where a == b:
            return unchanged("said again")
        default:
            return unchanged("\(incoming.name) after \(current.status.name): out of order, ignored")
        }
    }
}
