import Contracts
import Foundation
import JSON

/// WhatsApp Cloud API webhooks (signed `X-Hub-Signature-256`), `entry[].changes[].value`:
/// - `messages` people sent (D3, D5): `from` (wa_id), `id` (wamid), `timestamp` (Unix seconds
///   as text) and by `type`: `text.body`; `button` (a template's quick reply: `text`,
///   `payload`); `interactive` (`button_reply` or `list_reply`: `id`, `title`); media
///   (`image`, `audio`, `voice`, `video`, `document`, `sticker`: `id`, `mime_type`,
///   `caption`); `contacts` (a shared card: `phones[].phone`). The sender's name is in the
///   sibling `contacts[].profile.name` under the same `wa_id`.
/// - `statuses` of what we sent: `id` (the wamid the send API returned), `status` (sent,
///   delivered, read, failed), `timestamp`, `errors[].title`.
enum WhatsAppAdapter {
    static func delivery(body: [UInt8]) throws(HookRefusal) -> HookDelivery {
        let root = try TimepadAdapter.object(body)
        guard case let .array(entries)? = root["entry"] else { throw HookRefusal("the WhatsApp webhook has no entry list") }
        var statuses = DeliveryStatusReport(channel: .whatsapp)
        var messages: [InboundMessage] = []
        for case let .object(entry) in entries {
            guard case let .array(changes)? = entry["changes"] else { continue }
            for case let .object(change) in changes {
                guard case let .object(value)? = change["value"] else { continue }
                if case let .array(list)? = value["statuses"] { statuses.updates += list.compactMap(update) }
                if case let .array(list)? = value["messages"] {
                    var names: [String: String] = [:]
                    if case let .array(contacts)? = value["contacts"] {
                        for case let .object(c) in contacts {
                            if let id = TimepadAdapter.text(c["wa_id"]), case let .object(profile)? = c["profile"] { names[id] = TimepadAdapter.text(profile["name"]) }
                        }
                    }
                    messages += list.compactMap { message($0, names: names) }
                }
            }
        }
        if messages.isEmpty {
            guard !statuses.updates.isEmpty else { throw HookRefusal("the WhatsApp webhook holds neither messages nor statuses") }
            return .deliveryStatus(statuses)
        }
        return .messages(InboundMessages(messages: messages, statuses: statuses.updates.isEmpty ? nil : statuses))
    }

    static func update(_ value: JSONValue) -> DeliveryStatusUpdate? {
        guard case let .object(s) = value, let id = TimepadAdapter.text(s["id"]), let name = TimepadAdapter.text(s["status"]) else { return nil }
        var update = DeliveryStatusUpdate(providerMessageID: id, status: status(name))
        if let seconds = TimepadAdapter.text(s["timestamp"]).flatMap({ Int64($0) }) { update.atMilliseconds = seconds * 1000 }
        var detail = "WhatsApp \(name)"
        if case let .array(errors)? = s["errors"], case let .object(first)? = errors.first {
            detail += [TimepadAdapter.text(first["code"]), TimepadAdapter.text(first["title"])].compactMap { $0 }.map { " " + $0 }.joined()
        }
        update.detail = detail
        return update
    }

    static let mediaTypes: Set<String> = ["image", "audio", "voice", "video", "document", "sticker"]

    static func message(_ value: JSONValue, names: [String: String]) -> InboundMessage? {
        guard case let .object(m) = value, let from = TimepadAdapter.text(m["from"]), let id = TimepadAdapter.text(m["id"]) else { return nil }
        var out = InboundMessage(channel: .whatsapp, providerMessageID: id, chatID: from, phone: "+" + from, profileName: names[from] ?? "", kind: .text)
        if let seconds = TimepadAdapter.text(m["timestamp"]).flatMap({ Int64($0) }) { out.atMilliseconds = seconds * 1000 }
        let type = TimepadAdapter.text(m["type"]) ?? "text"
        func object(_ key: String) -> JSONObject? {
            if case let .object(o)? = m[key] { return o }
            return nil
        }
        switch type {
        case "text":
            out.text = TimepadAdapter.text(object("text")?["body"]) ?? ""
        case "button":
            out.kind = .button
            out.text = TimepadAdapter.text(object("button")?["text"]) ?? ""
            out.buttonData = TimepadAdapter.text(object("button")?["payload"]) ?? out.text
        case "interactive":
            out.kind = .button
            let interactive = object("interactive")
            for key in ["button_reply", "list_reply"] {
                if case let .object(reply)? = interactive?[key] {
                    out.buttonData = TimepadAdapter.text(reply["id"]) ?? ""
                    out.text = TimepadAdapter.text(reply["title"]) ?? ""
                }
            }
        case "contacts":
            out.kind = .contact
            if case let .array(cards)? = m["contacts"], case let .object(card)? = cards.first, case let .array(phones)? = card["phones"],
                case let .object(phone)? = phones.first
            {
                out.sharedPhone = TimepadAdapter.text(phone["phone"]) ?? TimepadAdapter.text(phone["wa_id"]).map { "+" + $0 } ?? ""
            }
        case _ where mediaTypes.contains(type):
            out.kind = .media
            let media = object(type)
            out.mediaID = TimepadAdapter.text(media?["id"]) ?? ""
            out.mimeType = TimepadAdapter.text(media?["mime_type"]) ?? type
            out.text = TimepadAdapter.text(media?["caption"]) ?? ""
        default:
            // Reactions, locations and what WhatsApp calls unsupported: kept as what they are.
            out.text = "[\(type)]"
        }
        return out
    }

    static func status(_ name: String) -> OutboundStatus {
        switch name.lowercased() {
        case "delivered": .delivered
        case "read": .read
        case "sent": .sent
        default: .undelivered
        }
    }
}
