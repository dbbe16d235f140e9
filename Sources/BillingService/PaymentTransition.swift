/// B3: a provider's payment moves attempt → paid | failed, paid → refunded (partly or
/// fully), and never back: a later status for the same provider id updates the one
/// payment; a stale or out-of-order one (a `failed` after `paid`, an `attempt` after
/// anything) is kept in the payment's history and changes nothing (never an error: an
/// error makes the provider retry forever).
public enum PaymentTransition {
    public enum Status: Int, Sendable, Comparable {
        case attempt = 1
        case failed = 2
        case paid = 3
        case refunded = 4

        public static func < (a: Status, b: Status) -> Bool { a.rawValue < b.rawValue }
    }

    public enum Outcome: Equatable, Sendable {
        /// The payment is now this (a first report, or a move forward).
        case moved(to: Status)
        /// Said again, or out of date: recorded, nothing changes.
        case unchanged
    }

    /// `current` nil: the first report of this payment.
    public static func apply(current: Status?, incoming: Status) -> Outcome {
        guard let current else { return .moved(to: incoming) }
        switch (current, incoming) {
        case (.attempt, .paid), (.attempt, .failed), (.paid, .refunded), (.failed, .paid):
            // A failed attempt the provider later charged after all (a retried card) is paid.
            return .moved(to: incoming)
        case (.refunded, .refunded):
            // A further partial refund: the amount changes, the status does not.
            return .moved(to: .refunded)
        default:
            return .unchanged
        }
    }
}
