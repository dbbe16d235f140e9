import Contracts
import Foundation

/// SMS.ru's api callback: a form whose `data[...]` fields (`data[0]`, `data[1]`... or
/// repeated `data[]`) each hold lines `sms_status`, the sms id, the status code and a Unix
/// time; answered `100` or SMS.ru sends them again. Codes: 100–102 on the way, 103
/// delivered, 110 read (Viber), any other 1xx from 104 on (expired, deleted by the operator,
/// phone off, rejected, no route) undelivered.
enum SMSRuAdapter {
    static func report(body: [UInt8]) throws(HookRefusal) -> DeliveryStatusReport {
        guard let fields = FormBody.pairs(body) else { throw HookRefusal("the SMS.ru callback is not a UTF-8 form") }
        var report = DeliveryStatusReport(channel: .sms)
        for (name, value) in fields where name.hasPrefix("data[") {
            let lines = value.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            // Other kinds of lines (a test ping, incoming messages) are not statuses.
            guard lines.first == "sms_status", lines.count >= 3, !lines[1].isEmpty, let code = Int(lines[2]) else { continue }
            var update = DeliveryStatusUpdate(providerMessageID: lines[1], status: status(code), detail: "SMS.ru \(code)")
            if lines.count >= 4, let seconds = Int64(lines[3]) { update.atMilliseconds = seconds * 1000 }
            report.updates.append(update)
        }
        guard !report.updates.isEmpty else { throw HookRefusal("the SMS.ru callback holds no sms_status line (fields data[...], lines sms_status, id, code, time)") }
        return report
    }

    static func status(_ code: Int) -> OutboundStatus {
        switch code {
        case 103: .delivered
        case 110: .read
        case 100...102: .sent
        default: .undelivered
        }
    }
}
