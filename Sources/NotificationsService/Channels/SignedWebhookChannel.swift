import Contracts
import Foundation

/// The generic signed webhook: `POST <address>` with `{"type","text","subject"}` and the
/// Standard Webhooks headers, signed with the channel's token as the secret.
struct SignedWebhookChannel: ChannelAdapter {
    func send(_ message: Outgoing, settings: ChannelSettings, baseURL: String, client: ProviderClient) async -> Result<Accepted, ProviderFailure> {
        let body = Self.json(["type": message.eventType, "subject": message.subject, "text": message.body])
        let now = Int64(Date().timeIntervalSince1970)
        let headers = [("Content-Type", "application/json")] + WebhookSignature.headers(secret: settings.credential, id: message.messageID, timestamp: now, body: body)
        let result = await client.post(message.address, headers: headers, body: body, timeout: .seconds(15))
        return Self.answer(result, provider: "the endpoint").map { _ in Accepted(providerMessageID: message.messageID) }
    }
}
