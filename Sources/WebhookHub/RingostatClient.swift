import Foundation
import Sockets
import JSON

/// Ringostat's call log for reconciliation (its webhooks are never retried):
/// `GET /calls/list?export_type=json&from=&to=` with the `Auth-key` header, times as
/// `YYYY-MM-DD HH:MM:SS` (UTC). It answers at most 6,500 calls a request, so a period
/// that comes back full is split in halves until each part fits (down to a minute).
struct RingostatClient: Sendable {
    static let maxPerRequest = 6500
    static let fields = "uniqueid,calldate,caller,dst,disposition,billsec,duration,call_type,connected_with,employee_number,recording,utm_source,utm_medium,utm_campaign,pool_name"

    let timeout: Duration
    /// Where an integration's apiBaseUrl may lead.
    let outbound: OutboundPolicy

    /// One hook body per call of the period (each call as Ringostat lists it, as JSON).
    func callHooks(baseURL: String, authKey: String, from: Date, to: Date) async throws(HookRefusal) -> [[UInt8]] {
        let calls = try await page(baseURL, authKey, from, to)
        if calls.count >= Self.maxPerRequest, to.timeIntervalSince(from) > 60 {
            let middle = from.addingTimeInterval(to.timeIntervalSince(from) / 2)
            return try await callHooks(baseURL: baseURL, authKey: authKey, from: from, to: middle)
                + callHooks(baseURL: baseURL, authKey: authKey, from: middle.addingTimeInterval(1), to: to)
        }
        return calls.map { call in
            var out = JSONOutput()
            out.value(call)
            return out.bytes
        }
    }

    private func page(_ baseURL: String, _ authKey: String, _ from: Date, _ to: Date) async throws(HookRefusal) -> [JSONValue] {
        let body = try await ProviderHTTP.get(
            baseURL: baseURL, path: "/calls/list", headers: ["Auth-key": authKey],
            query: [("export_type", "json"), ("from", Self.format(from)), ("to", Self.format(to)), ("fields", Self.fields)], timeout: timeout, outbound: outbound)
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw HookRefusal("Ringostat's call list is not JSON: \(error)")
        }
        guard case let .array(calls) = value else { throw HookRefusal("Ringostat's call list is \(value.kindDescription), not a list") }
        return calls.filter { if case .object = $0 { true } else { false } }
    }

    static func format(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: date)
    }
}
