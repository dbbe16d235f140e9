import Foundation
import Sockets

/// G7: a provider's API read politely by an import reader: one request at a time, no more
/// than `perSecond` a second (amoCRM allows 7), a 429 or 503 waited out and asked again,
/// every URL through the outbound policy. Answers are JSON objects; 204 is an empty page.
public final class ProviderPages: @unchecked Sendable {
    let baseURL: String
    let headers: [String: String]
    let outbound: OutboundPolicy
    let interval: Duration
    let timeout: Duration
    private var last: ContinuousClock.Instant?

    public init(baseURL: String, headers: [String: String], outbound: OutboundPolicy, perSecond: Int, timeout: Duration = .seconds(30)) {
        self.baseURL = baseURL
        self.headers = headers
        self.outbound = outbound
        // A little over the share of a second, so a provider counting arrivals never sees one too many.
        interval = .milliseconds(1000 / max(perSecond, 1) + 10)
        self.timeout = timeout
    }

    /// The API of a CRM Switchboard runs beside (G7): amoCRM with its bearer token, Bitrix24
    /// through the inbound webhook URL, each at its own pace.
    convenience init(crm integration: IntegrationEntry, outbound: OutboundPolicy) {
        let bitrix = integration.kind == .bitrix24
        self.init(
            baseURL: integration.apiBaseURL, headers: bitrix ? ["Content-Type": "application/json"] : ["Authorization": "Bearer \(integration.apiToken)"],
            outbound: outbound, perSecond: bitrix ? Bitrix24Reader.requestsPerSecond : AmoCRMReader.requestsPerSecond)
    }

    /// A JSON value as the text of an id or field (providers send numbers and strings alike).
    static func text(_ value: Any?) -> String {
        switch value {
        case let v as String: v
        case let v as Int: "\(v)"
        case let v as Double: v == v.rounded() && abs(v) < 1e15 ? "\(Int64(v))" : "\(v)"
        default: ""
        }
    }

    /// The answer's JSON object; nil for 204 (amoCRM's "no more").
    public func json(_ path: String, method: String = "GET", query: [(String, String)] = [], body: [UInt8]? = nil) async throws -> [String: Any]? {
        var attempt = 0
        while true {
            if let last { try await Task.sleep(until: last + interval, clock: .continuous) }
            last = .now
            let (status, bytes) = try await ProviderHTTP.send(
                method, baseURL: baseURL, path: path, headers: headers, query: query, body: body, timeout: timeout, outbound: outbound)
            if status == 204 { return nil }
            if (status == 429 || status == 503) && attempt < 5 {
                attempt += 1
                try await Task.sleep(for: .seconds(attempt))
                continue
            }
            guard status == 200 else {
                throw ReaderError("\(baseURL)\(path) answered \(status): \(String(decoding: bytes.prefix(300), as: UTF8.self))", status: status)
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
                throw ReaderError("\(baseURL)\(path) answered something that is not a JSON object")
            }
            return object
        }
    }
}

/// Why an import reader stopped.
public struct ReaderError: Error, CustomStringConvertible {
    public let description: String
    /// The provider's HTTP status, when it answered one.
    public let status: Int
    public init(_ description: String, status: Int = 0) {
        self.description = description
        self.status = status
    }
}
