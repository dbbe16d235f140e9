import Contracts

/// B3: a recurring payment's subscription moves between active and past due as its
/// charges fail and are retried, until a final status (cancelled, rejected, expired) —
/// after which a report is kept in the history and changes nothing (never an error: an
/// error makes the provider retry forever).
public enum SubscriptionStateMachine {
    public static let final: Set<SubscriptionStatus> = [.cancelled, .rejected, .expired]

    /// What a report does to a subscription.
    public struct Decision: Equatable, Sendable {
        public var status: SubscriptionStatus
        /// False: recorded in the history only.
        public var applied: Bool
        /// It has just become past due: say so once (subscription.past_due).
        public var becamePastDue: Bool

        public init(status: SubscriptionStatus, applied: Bool, becamePastDue: Bool) {
            (self.status, self.applied, self.becamePastDue) = (status, applied, becamePastDue)
        }
    }

    /// `current` nil: the first report of this subscription.
    public static func apply(current: SubscriptionStatus?, incoming: SubscriptionStatus) -> Decision {
        if let current, final.contains(current) {
            return Decision(status: current, applied: current == incoming, becamePastDue: false)
        }
        return Decision(status: incoming, applied: true, becamePastDue: incoming == .pastDue && current != .pastDue)
    }
}
