import Contracts
import Foundation
import JSON

/// Ringostat's call webhooks, translated only (T1's merging is telephony's). The body
/// is whatever the account owner set up (JSON or a form, GET parameters too), so the
/// adapter reads Ringostat's own variable names, at the top or nested under
/// `additional_call_data`: `uniqueid`, `calldate`, `caller`, `dst`, `disposition`
/// (`ANSWERED`, `NO ANSWER`, `BUSY`, `FAILED`), `billsec`, `duration`, `call_type`,
/// `connected_with`, `employee_number`, `recording`, `utm_source`, `utm_medium`,
/// `utm_campaign`, `pool_name`. Numbers come without `+` and are read by the system's
/// phone rule as international (C1, `CallNumber.withoutPlus`). A hook with a disposition is
/// the after-call one: the call is over. `calldate` may be `YYYY-MM-DD HH:MM:SS` (UTC),
/// RFC 3339, or Unix seconds.
enum RingostatAdapter {
    static func report(contentType: String, body: [UInt8], numbers: CallNumber) throws(HookRefusal) -> CallReport {
        let fields = try values(contentType: contentType, body: body)
        func field(_ name: String) -> String? {
            let v = fields[name] ?? fields["additional_call_data[\(name)]"] ?? fields["additional_call_data.\(name)"]
            return v.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let id = field("uniqueid") else { throw HookRefusal("the Ringostat hook has no uniqueid") }
        let type = (field("call_type") ?? "").lowercased()
        let outbound = type.contains("out") || type == "callback"
        var report = CallReport()
        report.provider = "ringostat"
        report.providerCallID = id
        report.direction = outbound ? .outbound : .inbound
        // Every number in the system's one form; what is not a number (a SIP login) as it came.
        func number(_ name: String) -> String? { field(name).map { numbers.normalize($0) ?? $0 } }
        let caller = number("caller") ?? ""
        let dst = number("dst") ?? ""
        report.clientNumber = outbound ? dst : caller
        // T4: the caller of an outbound call is the staff member.
        report.staffNumber = outbound ? (number("employee_number") ?? caller) : ""
        report.trackingNumber = outbound ? "" : dst
        report.poolName = field("pool_name") ?? ""
        report.utmSource = field("utm_source") ?? ""
        report.utmMedium = field("utm_medium") ?? ""
        report.utmCampaign = field("utm_campaign") ?? ""
        guard !report.clientNumber.isEmpty else { throw HookRefusal("the Ringostat hook has no \(outbound ? "dst" : "caller") (the client's number)") }
        let start = try field("calldate").map { text throws(HookRefusal) -> Int64 in
            guard let ms = date(text) else { throw HookRefusal("calldate \"\(text)\" is not a date Ringostat writes (YYYY-MM-DD HH:MM:SS, RFC 3339 or Unix seconds)") }
            return ms
        }
        let disposition = field("disposition").map(Self.disposition)
        let answerer = number("connected_with") ?? number("employee_number")
        report.ended = disposition != nil
        if let start {
            var leg = CallLeg()
            leg.startedAtMilliseconds = start
            leg.destination = outbound ? dst : (answerer ?? dst)
            leg.disposition = disposition ?? (answerer != nil ? .answered : .noAnswer)
            leg.durationSeconds = Int64(field("duration") ?? "") ?? 0
            leg.talkSeconds = Int64(field("billsec") ?? "") ?? 0
            leg.recordingURL = field("recording") ?? field("recording_wav") ?? ""
            // "Before the call": nobody has answered yet, and it is not over.
            if disposition == nil && answerer == nil { leg.disposition = .noAnswer; leg.durationSeconds = 0 }
            report.legs = [leg]
        }
        // G1: the report goes through POST /v1/calls' own reader, so a hook meets every
        // limit a call reported through the API does (lengths, one-line names, whole
        // seconds within a day); the seconds as Ringostat wrote them, not as parsed.
        let seconds = (duration: field("duration"), talk: field("billsec"))
        let bareLeg = disposition == nil && answerer == nil
        return try Self.checked(report, durationText: bareLeg ? nil : seconds.duration, talkText: seconds.talk)
    }

    /// `report` as the NewCall JSON body, read back by the generated reader.
    static func checked(_ report: CallReport, durationText: String?, talkText: String?) throws(HookRefusal) -> CallReport {
        func number(_ text: String?, _ parsed: Int64) -> JSONValue {
            .number(JSONNumber(text: text.map { $0.trimmingCharacters(in: .whitespaces) } ?? String(parsed)))
        }
        let legs: [JSONValue] = report.legs.map { leg in
            .object(JSONObject([
                ("destination", .string(leg.destination)), ("disposition", .string(leg.disposition.name)),
                ("startedAt", .string(RFC3339.format(milliseconds: leg.startedAtMilliseconds))),
                ("durationSeconds", number(durationText, leg.durationSeconds)), ("talkSeconds", number(talkText, leg.talkSeconds)),
                ("recordingUrl", .string(leg.recordingURL)),
            ]))
        }
        let body = JSONObject([
            ("provider", .string(report.provider)), ("providerCallId", .string(report.providerCallID)), ("direction", .string(report.direction.name)),
            ("clientNumber", .string(report.clientNumber)), ("staffNumber", .string(report.staffNumber)), ("trackingNumber", .string(report.trackingNumber)),
            ("poolName", .string(report.poolName)), ("utmSource", .string(report.utmSource)), ("utmMedium", .string(report.utmMedium)),
            ("utmCampaign", .string(report.utmCampaign)), ("legs", .array(legs)), ("ended", .bool(report.ended)),
        ])
        do {
            return try CallReport(json: body)
        } catch {
            let fields = error.details.map { "\($0.field) \($0.description)" }.joined(separator: "; ")
            throw HookRefusal("the Ringostat hook is not a call POST /v1/calls takes: \(fields.isEmpty ? error.message : fields)")
        }
    }

    static func disposition(_ text: String) -> LegDisposition {
        switch text.uppercased().replacingOccurrences(of: "_", with: " ") {
        case "ANSWERED": .answered
        case "BUSY": .busy
        case "FAILED", "CONGESTION", "CANCEL": .failed
        default: .noAnswer
        }
    }

    static func date(_ text: String) -> Int64? {
        if let seconds = Int64(text), seconds > 1_000_000_000 { return seconds * 1000 }
        if let ms = RFC3339.parse(text) { return ms }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2 else { return nil }
        return RFC3339.parse("\(parts[0])T\(parts[1])Z")
    }

    /// The body's values, flat: a JSON object (nested objects as `parent.child`) or a form.
    static func values(contentType: String, body: [UInt8]) throws(HookRefusal) -> [String: String] {
        let type = contentType.lowercased()
        if type.contains("json") || body.first == UInt8(ascii: "{") {
            let object = try TimepadAdapter.object(body)
            var out: [String: String] = [:]
            func flatten(_ o: JSONObject, _ prefix: String) {
                for (k, v) in o.members {
                    if case let .object(inner) = v { flatten(inner, prefix + k + ".") } else if let text = TimepadAdapter.text(v) { out[prefix + k] = text }
                }
            }
            flatten(object, "")
            return out
        }
        guard let form = FormBody.parse(body) else { throw HookRefusal("the body is neither JSON nor a form") }
        return form
    }
}
