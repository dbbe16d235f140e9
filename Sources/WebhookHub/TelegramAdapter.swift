import Contracts
import Foundation
import JSON

/// Telegram's Updates, read leniently (real ones carry more than the documentation's
/// examples: `is_bot`, `chat_instance`), keyed on `update_id`:
/// - a `message` in a private chat is what a person wrote (D3, D5): `chat.id`,
///   `message_id`, `from` (`first_name`, `last_name`, `username`), `date`, and `text`, a
///   shared `contact` (`phone_number`; the sender's own when its `user_id` is theirs), or media (`photo[]`, `document`, `voice`, `audio`,
///   `video`, `sticker`: `file_id`, `mime_type`, `caption`); it is kept in the person's
///   conversation and offered to the survey or bot waiting in the chat;
/// - a `callback_query` (`message.chat.id`, `data`) is a button pressed under a bot's
///   question (N6); so is a message in a group, which no conversation takes.
enum TelegramAdapter {
    static func delivery(fromUpdate body: [UInt8]) throws(HookRefusal) -> HookDelivery {
        let update = try TimepadAdapter.object(body)
        if case let .object(message)? = update["message"], case let .object(chat)? = message["chat"],
            (TimepadAdapter.text(chat["type"]) ?? "private") == "private", let chatID = TimepadAdapter.text(chat["id"]),
            let messageID = TimepadAdapter.text(message["message_id"])
        {
            return .messages(InboundMessages(messages: [Self.message(message, chat: chatID, id: messageID)]))
        }
        return .reply(try reply(fromUpdate: body))
    }

    static func message(_ message: JSONObject, chat: String, id: String) -> InboundMessage {
        var out = InboundMessage(channel: .telegram, providerMessageID: "\(chat):\(id)", chatID: chat, kind: .text)
        if case let .object(from)? = message["from"] {
            out.profileName = [TimepadAdapter.text(from["first_name"]), TimepadAdapter.text(from["last_name"])].compactMap { $0 }.joined(separator: " ")
            out.userName = TimepadAdapter.text(from["username"]) ?? ""
        }
        if let date = TimepadAdapter.text(message["date"]).flatMap({ Int64($0) }) { out.atMilliseconds = date * 1000 }
        out.text = TimepadAdapter.text(message["text"]) ?? TimepadAdapter.text(message["caption"]) ?? ""
        if case let .object(contact)? = message["contact"] {
            out.kind = .contact
            let number = TimepadAdapter.text(contact["phone_number"]) ?? ""
            // Telegram sends the number without its plus when the user's own app does.
            out.sharedPhone = number.hasPrefix("+") || number.isEmpty ? number : "+" + number
            // Their own card (the bot's "share my number" button): the sender's phone.
            if case let .object(from)? = message["from"], let user = TimepadAdapter.text(contact["user_id"]), user == TimepadAdapter.text(from["id"]) {
                out.phone = out.sharedPhone
            }
        } else if case let .array(sizes)? = message["photo"], case let .object(largest)? = sizes.last {
            out.kind = .media
            out.mediaID = TimepadAdapter.text(largest["file_id"]) ?? ""
            out.mimeType = "image/jpeg"
        } else {
            for key in ["document", "voice", "audio", "video", "sticker", "video_note"] {
                guard case let .object(file)? = message[key] else { continue }
                out.kind = .media
                out.mediaID = TimepadAdapter.text(file["file_id"]) ?? ""
                out.mimeType = TimepadAdapter.text(file["mime_type"]) ?? key
                break
            }
        }
        return out
    }

    static func reply(fromUpdate body: [UInt8]) throws(HookRefusal) -> InboundReply {
        let update = try TimepadAdapter.object(body)
        var r = InboundReply()
        r.channel = .telegram
        r.updateID = TimepadAdapter.text(update["update_id"]) ?? ""
        if case let .object(callback)? = update["callback_query"] {
            r.buttonData = TimepadAdapter.text(callback["data"]) ?? ""
            if case let .object(message)? = callback["message"], case let .object(chat)? = message["chat"] { r.chatID = TimepadAdapter.text(chat["id"]) ?? "" }
        } else if case let .object(message)? = update["message"] ?? update["edited_message"] {
            r.text = TimepadAdapter.text(message["text"]) ?? ""
            if case let .object(chat)? = message["chat"] { r.chatID = TimepadAdapter.text(chat["id"]) ?? "" }
            if let date = TimepadAdapter.text(message["date"]).flatMap({ Int64($0) }) { r.atMilliseconds = date * 1000 }
        }
        guard !r.chatID.isEmpty else { throw HookRefusal("the Telegram update has neither a message nor a button press with a chat") }
        return r
    }
}
