import Contracts

/// N1: what a sent message cost, as the send log records it: the provider's own figure
/// when it reports one; else, for SMS and WhatsApp, the channel's cost for the country
/// of the recipient's number (``PhoneCountry``); else the channel's cost per send.
public struct SendCost: Sendable, Equatable {
    public var minor: Int64
    public var currency: String
    /// The recipient's country when the address is a phone number of a known country; empty otherwise.
    public var country: String

    public init(minor: Int64, currency: String, country: String) {
        self.minor = minor
        self.currency = currency
        self.country = country
    }

    public init(channel: NotificationChannel, address: String, reportedMinor: Int64?, reportedCurrency: String?, settings: ChannelSettings?) {
        let country = channel == .sms || channel == .whatsapp ? PhoneCountry.of(address) : nil
        self.country = country ?? ""
        let configured = country.flatMap { c in settings?.countryCosts.first { $0.country == c }?.costMinor } ?? settings?.costMinor ?? 0
        minor = reportedMinor ?? configured
        currency = reportedMinor != nil ? (reportedCurrency ?? settings?.currency ?? "") : (settings?.currency ?? "")
    }
}
