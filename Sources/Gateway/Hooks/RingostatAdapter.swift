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
    /// The hook as the body of POST /v1/calls, read by that operation's own generated
    /// reader (G1): a hook meets every limit a call reported through the API does
    /// (lengths, one-line names, whole seconds within a day), its seconds as Ringostat
    /// wrote them.
    static func report(contentType: String, body: [UInt8], numbers: CallNumber) throws(HookRefusal) -> CallReport {
        let fields = try values(contentType: contentType, body: body)
        func field(_ name: String) -> String? {
            let v = fields[name] ?? fields["additional_call_data[\(name)]"] ?? fields["additional_call_data.\(name)"]
            return v.flatMap { $0.isEmpty ? nil : $0 }
        }
        func text(_ name: String) -> JSONValue { .string(field(name) ?? "") }
        func seconds(_ name: String) -> JSONValue { .number(JSONNumber(text: field(name)?.trimmingCharacters(in: .whitespaces) ?? "0")) }
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
        var call: [(key: String, value: JSONValue)] = [
            ("provider", .string("ringostat")), ("providerCallId", .string(id)), ("direction", .string(outbound ? "outbound" : "inbound")),
            ("clientNumber", .string(client)),
            // T4: the caller of an outbound call is the staff member.
            ("staffNumber", .string(outbound ? (number("employee_number") ?? caller) : "")), ("trackingNumber", .string(outbound ? "" : dst)),
            ("poolName", text("pool_name")), ("utmSource", text("utm_source")), ("utmMedium", text("utm_medium")), ("utmCampaign", text("utm_campaign")),
            ("ended", .bool(disposition != nil)),
        ]
        if let calldate = field("calldate") {
            guard let start = date(calldate) else {
                throw HookRefusal("calldate \"\(calldate)\" is not a date Ringostat writes (YYYY-MM-DD HH:MM:SS, RFC 3339 or Unix seconds)")
            }
            // "Before the call": nobody has answered yet, and it is not over.
            let before = disposition == nil && answerer == nil
            let leg = JSONObject([
                ("destination", .string(outbound ? dst : (answerer ?? dst))),
                ("disposition", .string((disposition ?? (answerer != nil ? .answered : .noAnswer)).name)),
                ("startedAt", .string(RFC3339.format(milliseconds: start))),
                ("durationSeconds", before ? .number(JSONNumber(text: "0")) : seconds("duration")), ("talkSeconds", seconds("billsec")),
                ("recordingUrl", .string(field("recording") ?? field("recording_wav") ?? "")),
            ])
            call.append(("legs", .array([.object(leg)])))
        }
        do {
            return try CallReport(json: JSONObject(call))
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
