import Contracts
import Foundation

/// A message ready to go: where, what, and for surveys the buttons to offer.
public struct Outgoing: Sendable {
    public var address: String
    public var subject: String
    public var body: String
    public var buttons: [(text: String, data: String)] = []
    /// Stable across attempts: the generic webhook's `webhook-id`.
    public var messageID: String
    public var eventType: String
    /// Email: the one-click unsubscribe link for the recipient (empty: none).
    public var unsubscribeURL: String = ""
    /// WhatsApp: an approved template instead of the body (outside the 24-hour window).
    public var template: WhatsAppTemplate? = nil
    /// Email: a file attached (a scheduled report's CSV), its name and text.
    public var attachment: (name: String, text: String)? = nil
}

/// What a provider said to one attempt.
public struct Accepted: Sendable {
    public var providerMessageID: String
    /// Provider-reported cost in minor units, when it reports one.
    public var costMinor: Int64?
    public var currency: String?
}

/// N1: one channel's provider behind one interface; each has a configurable base URL so
/// tests talk to local servers.
public protocol ChannelAdapter: Sendable {
    func send(_ message: Outgoing, settings: ChannelSettings, baseURL: String, client: ProviderClient) async -> Result<Accepted, ProviderFailure>
}

extension ChannelAdapter {
    /// A 2xx JSON answer's object, or the failure to report (5xx and 429 are worth retrying).
    static func answer(_ result: Result<ProviderClient.Answer, ProviderFailure>, provider: String) -> Result<[String: Any], ProviderFailure> {
        switch result {
        case let .failure(f): return .failure(f)
        case let .success(a):
            let object = (try? JSONSerialization.jsonObject(with: Data(a.body))) as? [String: Any] ?? [:]
            guard (200..<300).contains(a.status) else {
                // The provider's own error code, never its words: the send log is read by
                // admins, and an endpoint's text echoed there would make the API a window
                // onto whatever answered (issue 21). Codes are what providers document.
                let code = [object["error_code"], object["status_code"], (object["error"] as? [String: Any])?["code"]]
                    .lazy.compactMap { $0 as? Int }.first.map { " (provider error code \($0))" } ?? ""
                return .failure(ProviderFailure("\(provider) answered \(a.status)\(code)", retry: a.status >= 500 || a.status == 429))
            }
            return .success(object)
        }
    }

    static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}

/// The adapter of each channel.
public enum ChannelAdapters {
    public static func adapter(for channel: NotificationChannel) -> any ChannelAdapter {
        switch channel {
        case .telegram: TelegramChannel()
        case .sms: SMSRuChannel()
        case .whatsapp: WhatsAppChannel()
        case .webhook: SignedWebhookChannel()
        case .email, .unspecified: EmailChannel()
        }
    }
}
