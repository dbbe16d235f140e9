import Contracts
import Foundation

/// WhatsApp Cloud API: `POST <base>/<phone-number-id>/messages` (Bearer token) with
/// `{"messaging_product":"whatsapp","to":…,"type":"text","text":{"body":…}}`, answered
/// `{"messages":[{"id":"wamid…"}]}`. Numbers go without `+`. An approved template goes as
/// `"type":"template","template":{"name":…,"language":{"code":…},"components":[{"type":"body",
/// "parameters":[{"type":"text","text":…}]}]}`.
struct WhatsAppChannel: ChannelAdapter {
    func send(_ message: Outgoing, settings: ChannelSettings, baseURL: String, client: ProviderClient) async -> Result<Accepted, ProviderFailure> {
        var body: [String: Any] = ["messaging_product": "whatsapp", "to": message.address.filter(\.isNumber), "type": "text", "text": ["body": message.body]]
        if !message.buttons.isEmpty {
            // A bot's choices: reply buttons (at most three, titles of at most 20), else a numbered list the person answers by number.
            if message.buttons.count <= 3 && message.buttons.allSatisfy({ $0.text.count <= 20 }) {
                let buttons = message.buttons.map { ["type": "reply", "reply": ["id": String($0.data.prefix(256)), "title": $0.text]] }
                body = ["messaging_product": "whatsapp", "to": message.address.filter(\.isNumber), "type": "interactive",
                        "interactive": ["type": "button", "body": ["text": message.body], "action": ["buttons": buttons]]]
            } else {
                let list = message.buttons.enumerated().map { "\($0.offset + 1). \($0.element.text)" }.joined(separator: "\n")
                body["text"] = ["body": message.body + "\n\n" + list]
            }
        }
        if let template = message.template {
            var filled: [String: Any] = ["name": template.name, "language": ["code": template.language]]
            if !template.parameters.isEmpty {
                filled["components"] = [["type": "body", "parameters": template.parameters.map { ["type": "text", "text": $0] }]]
            }
            body = ["messaging_product": "whatsapp", "to": message.address.filter(\.isNumber), "type": "template", "template": filled]
        }
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let result = await client.post("\(base)/\(settings.sender)/messages", headers: [("Content-Type", "application/json"), ("Authorization", "Bearer \(settings.credential)")], body: Self.json(body), timeout: .seconds(15))
        return Self.answer(result, provider: "WhatsApp").flatMap { object in
            guard let id = ((object["messages"] as? [[String: Any]])?.first)?["id"] as? String else { return .failure(ProviderFailure("WhatsApp named no message id", retry: false)) }
            return .success(Accepted(providerMessageID: id))
        }
    }
}
