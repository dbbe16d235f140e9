import Contracts
import Foundation
import HTTP

/// P5: what the audit log says of one request, decided from the route, the request and
/// the answer alone (plain values in, an entry or nothing out). Changes are requests that
/// write (POST, PATCH, PUT, DELETE) answered below 400; exports are reads answered with a
/// file (CSV, NDJSON) or on an export route; refusals are 401 and 403. Everything else
/// (reads, failed writes that changed nothing) is not recorded.
struct RequestAudit {
    let pattern: String
    let request: HTTPRequest
    let parameters: [String: String]
    let status: Int
    let responseHeaders: [(name: String, value: String)]

    var action: AuditAction? {
        if status == 401 || status == 403 { return .denied }
        guard status < 400 else { return nil }
        switch request.method {
        case "POST", "PATCH", "PUT", "DELETE": return .change
        case "GET":
            let type = responseHeaders.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
            let file = type.hasPrefix("text/csv") || type.hasPrefix("application/x-ndjson") || type.hasPrefix("text/calendar") || type.hasPrefix("text/vcard")
            return file || pattern.contains("/export") ? .export : nil
        // A phone's CardDAV account fetching cards (issue 29): the client list leaving on a phone.
        case "REPORT": return .export
        default: return nil
        }
    }

    /// What a route is about: its pattern up to its first parameter, after `/v1/` (`deals`
    /// for `/v1/deals/{id}/stage`, `admin/credentials` for `/v1/admin/credentials/{id}`).
    /// Worked out once per route, not per request.
    static func entity(of pattern: String) -> String {
        let segments = pattern.split(separator: "/").dropFirst(pattern.hasPrefix("/v1/") ? 1 : 0)
        return segments.prefix { !$0.hasPrefix("{") }.joined(separator: "/")
    }

    /// The thing's id: the path's `{id}`, else the last segment of the answer's Location.
    var entityID: String {
        if let id = parameters["id"] { return id }
        let location = responseHeaders.first { $0.name.lowercased() == "location" }?.value ?? ""
        return location.split(separator: "/").last.map(String.init) ?? ""
    }

    /// The fields that differ between two JSON answers (the thing before and after a
    /// change), each side as a JSON object of just those fields; empty when nothing
    /// readable changed.
    static func changedFields(before: [UInt8], after: [UInt8]) -> (before: String, after: String) {
        let old = (try? JSONSerialization.jsonObject(with: Data(before))) as? [String: Any] ?? [:]
        let new = (try? JSONSerialization.jsonObject(with: Data(after))) as? [String: Any] ?? [:]
        var was: [String: Any] = [:], now: [String: Any] = [:]
        for key in Set(old.keys).union(new.keys) {
            let a = old[key].map { Self.canonical($0) }, b = new[key].map { Self.canonical($0) }
            guard a != b else { continue }
            was[key] = old[key] ?? NSNull()
            now[key] = new[key] ?? NSNull()
        }
        guard !was.isEmpty else { return ("", "") }
        return (Self.text(was), Self.text(now))
    }

    private static func canonical(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject([value]), let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func text(_ object: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
