import Contracts

/// N1: how a provider's delivery status moves a send it took. A send only moves forward —
/// sent, then undelivered, delivered, read, in that order — so a repeat or a report
/// overtaken by a later one (a "delivered" arriving after "read") changes nothing: a
/// message reported delivered stays delivered whatever comes late. A send the provider
/// never took (scheduled, failed, skipped, cancelled) takes no status.
public enum DeliveryProgress {
    static func rank(_ status: OutboundStatus) -> Int? {
        switch status {
        case .sent: 1
        case .undelivered: 2
        case .delivered: 3
        case .read: 4
        default: nil
        }
    }

    /// The send's status after `reported`; nil when it stays as it is.
    public static func next(from current: OutboundStatus, reported: OutboundStatus) -> OutboundStatus? {
        guard let now = rank(current), let new = rank(reported), new > now else { return nil }
        return reported
    }
}
