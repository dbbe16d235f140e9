import Contracts
import Foundation
import JSON

/// WhatsApp Cloud API webhooks (signed `X-Hub-Signature-256`): the `statuses` of
/// `entry[].changes[].value` — `id` (the wamid the send API returned), `status` (sent,
/// delivered, read, failed), `timestamp` (Unix seconds, as text), `errors[].title`.
/// Incoming messages in the same webhook are not taken (no bot runs over WhatsApp).
enum WhatsAppAdapter {
    static func report(body: [UInt8]) throws(HookRefusal) -> DeliveryStatusReport {
        let root = try TimepadAdapter.object(body)
        var report = DeliveryStatusReport(channel: .whatsapp)
        guard case let .array(entries)? = root["entry"] else { throw HookRefusal("the WhatsApp webhook has no entry list") }
        for case let .object(entry) in entries {
            guard case let .array(changes)? = entry["changes"] else { continue }
            for case let .object(change) in changes {
                guard case let .object(value)? = change["value"], case let .array(statuses)? = value["statuses"] else { continue }
                for case let .object(s) in statuses {
                    guard let id = TimepadAdapter.text(s["id"]), let name = TimepadAdapter.text(s["status"]) else { continue }
                    var update = DeliveryStatusUpdate(providerMessageID: id, status: status(name))
                    if let seconds = TimepadAdapter.text(s["timestamp"]).flatMap({ Int64($0) }) { update.atMilliseconds = seconds * 1000 }
                    var detail = "WhatsApp \(name)"
                    if case let .array(errors)? = s["errors"], case let .object(first)? = errors.first {
                        detail += [TimepadAdapter.text(first["code"]), TimepadAdapter.text(first["title"])].compactMap { $0 }.map { " " + $0 }.joined()
                    }
                    update.detail = detail
                    report.updates.append(update)
                }
            }
        }
        guard !report.updates.isEmpty else { throw HookRefusal("the WhatsApp webhook holds no statuses (incoming messages are not taken)") }
        return report
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
