import Foundation
import ServiceKit
import Sockets
import URLSessionCalls
import FoundationNetworking

/// GETs from a provider's API for pulls (Timepad's orders, Ringostat's call log): one
/// request within `timeout`, 200 or a refusal naming the URL and what came back.
/// Redirects are never followed: these requests carry the provider's credentials, and a
/// `Location` to another host would hand them over (a 3xx is a refusal like any other).
public enum ProviderHTTP {
    static func get(
        baseURL: String, path: String, headers: [String: String], query: [(String, String)], timeout: Duration, outbound: OutboundPolicy
    ) async throws(HookRefusal) -> [UInt8] {
        let (status, body) = try await send("GET", baseURL: baseURL, path: path, headers: headers, query: query, timeout: timeout, outbound: outbound)
        guard status == 200 else { throw HookRefusal("\(host(baseURL)) answered \(status) to \(path)") }
        return body
    }

    /// One request to a provider's API (an import's reads, a push-back's writes): its status
    /// and body, whatever the status but a redirect; a refusal when it cannot be made or the
    /// outbound policy forbids the host.
    public static func send(
        _ method: String, baseURL: String, path: String, headers: [String: String], query: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration, outbound: OutboundPolicy
    ) async throws(HookRefusal) -> (status: Int, body: [UInt8]) {
        var components = URLComponents(string: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL)
        components?.path += path
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components?.url, ["http", "https"].contains(url.scheme ?? "") else { throw HookRefusal("\(baseURL) does not make an http(s) URL") }
        // The outbound policy, after DNS, right before URLSession resolves the name again.
        if let refusal = await outbound.refusalResolving(host: url.host ?? "") { throw HookRefusal("\(baseURL): \(refusal)") }
        var request = URLRequest(url: url, timeoutInterval: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if request.value(forHTTPHeaderField: "Accept") == nil { request.setValue("application/json", forHTTPHeaderField: "Accept") }
        if let body { request.httpBody = Data(body) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.dataUncancelled(for: request)
        } catch {
            throw HookRefusal("\(url.host ?? baseURL) did not answer \(method) \(url.path): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if (300..<400).contains(status) {
            throw HookRefusal("\(url.host ?? baseURL) answered \(status) (a redirect) to \(url.path); redirects are not followed with the integration's credentials")
        }
        return (status, Array(data))
    }

    static func host(_ baseURL: String) -> String { URLComponents(string: baseURL)?.host ?? baseURL }

    /// One session for every pull, refusing every redirect.
    private static let session = URLSession(configuration: .ephemeral, delegate: RedirectRefusal(), delegateQueue: nil)

    /// Answers every redirect with "do not follow": the 3xx itself becomes the response.
    private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }
}
