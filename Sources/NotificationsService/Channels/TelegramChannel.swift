import Contracts
import Foundation

/// Telegram's Bot API: `POST <base>/bot<token>/sendMessage` with `chat_id`, `text` in
/// HTML parse mode and, for surveys, an inline keyboard; answered
/// `{"ok":true,"result":{"message_id":…}}`.
struct TelegramChannel: ChannelAdapter {
    func send(_ message: Outgoing, settings: ChannelSettings, baseURL: String, client: ProviderClient) async -> Result<Accepted, ProviderFailure> {
        var body: [String: Any] = ["chat_id": message.address, "text": message.body, "parse_mode": "HTML"]
        if !message.buttons.isEmpty {
            body["reply_markup"] = ["inline_keyboard": [message.buttons.map { ["text": $0.text, "callback_data": $0.data] }]]
        }
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let result = await client.post("\(base)/bot\(settings.credential)/sendMessage", headers: [("Content-Type", "application/json")], body: Self.json(body), timeout: .seconds(15))
        return Self.answer(result, provider: "Telegram").flatMap { object in
            guard object["ok"] as? Bool == true, let id = (object["result"] as? [String: Any])?["message_id"] else {
                return .failure(ProviderFailure("Telegram did not say ok", retry: false))
            }
            return .success(Accepted(providerMessageID: "\(id)"))
        }
    }
}
