import Contracts
import Foundation
import JSON

/// Telegram's Updates, read leniently (real ones carry more than the documentation's
/// examples: `is_bot`, `chat_instance`): a `message` (`chat.id`, `text`) or a
/// `callback_query` (`message.chat.id`, `data`), keyed on `update_id`.
enum TelegramAdapter {
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
