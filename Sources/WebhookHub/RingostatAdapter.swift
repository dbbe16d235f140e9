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
    /// The hook as the call POST /v1/calls takes, held to that operation's own generated
    /// checks (G1, `CallReport.violations()`): a hook meets every limit a call reported
    /// through the API does (lengths, one-line names, whole seconds within a day), its
    /// seconds as Ringostat wrote them.
    static func report(contentType: String, body: [UInt8], numbers: CallNumber) throws(HookRefusal) -> CallReport {
        let fields = try values(contentType: contentType, body: body)
        func field(_ name: String) -> String? {
            let v = fields[name] ?? fields["additional_call_data[\(name)]"] ?? fields["additional_call_data.\(name)"]
            return v.flatMap { $0.isEmpty ? nil : $0 }
        }
        var unreadable: [String] = []
        func seconds(_ name: String, as jsonName: String) -> Int64 {
            guard let text = field(name)?.trimmingCharacters(in: .whitespaces) else { return 0 }
            guard let value = Int64(text) else {
                unreadable.append("legs[0].\(jsonName) must be a whole number of seconds, not \"\(text)\"")
                return 0
            }
            return value
        }
        guard let id = field("uniqueid") else { throw HookRefusal("the Ringostat hook has no uniqueid") }
        let type = (field("call_type") ?? "").lowercased()
        let outbound = type.contains("out") || type == "callback"
        // Every number in the system's one form; what is not a number (a SIP login) as it came.
        func number(_ name: String) -> String? { field(name).map { numbers.normalize($0) ?? $0 } }
        let caller = number("caller") ?? ""
        let dst = number("dst") ?? ""
        let client = outbound ? dst : caller
        guard !client.isEmpty else { throw HookRefusal("the Ringostat hook has no \(outbound ? "dst" : "caller") (the client's number)") }
        let disposition = field("disposition").map(Self.disposition)
        let answerer = number("connected_with") ?? number("employee_number")
        var call = CallReport()
        call.provider = "ringostat"
        call.providerCallID = id
        call.direction = outbound ? .outbound : .inbound
        call.clientNumber = client
        // T4: the caller of an outbound call is the staff member.
        call.staffNumber = outbound ? (number("employee_number") ?? caller) : ""
        call.trackingNumber = outbound ? "" : dst
        call.poolName = field("pool_name") ?? ""
        call.utmSource = field("utm_source") ?? ""
        call.utmMedium = field("utm_medium") ?? ""
        call.utmCampaign = field("utm_campaign") ?? ""
        call.ended = disposition != nil
        if let calldate = field("calldate") {
            guard let start = date(calldate) else {
                throw HookRefusal("calldate \"\(calldate)\" is not a date Ringostat writes (YYYY-MM-DD HH:MM:SS, RFC 3339 or Unix seconds)")
            }
            // "Before the call": nobody has answered yet, and it is not over.
            let before = disposition == nil && answerer == nil
            var leg = CallLeg()
            leg.destination = outbound ? dst : (answerer ?? dst)
            leg.disposition = disposition ?? (answerer != nil ? .answered : .noAnswer)
            leg.startedAtMilliseconds = start
            leg.durationSeconds = before ? 0 : seconds("duration", as: "durationSeconds")
            leg.talkSeconds = seconds("billsec", as: "talkSeconds")
            leg.recordingURL = field("recording") ?? field("recording_wav") ?? ""
            call.legs = [leg]
        }
        let problems = unreadable + call.violations().map { "\($0.field) \($0.description)" }
        guard problems.isEmpty else {
            throw HookRefusal("the Ringostat hook is not a call POST /v1/calls takes: \(problems.joined(separator: "; "))")
        }
        return call
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
