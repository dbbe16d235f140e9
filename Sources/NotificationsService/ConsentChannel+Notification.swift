import Contracts

extension ConsentChannel {
    /// The consent a message over `channel` needs (C8); nil for a webhook, which reaches a system, not a person.
    init?(_ channel: NotificationChannel) {
        switch channel {
        case .email: self = .email
        case .sms: self = .sms
        case .whatsapp: self = .whatsapp
        case .telegram: self = .telegram
        case .webhook, .unspecified: return nil
        }
    }
}
