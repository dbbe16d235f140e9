import Foundation
import FoundationNetworking

/// GETs from a provider's API for pulls (Timepad's orders, Ringostat's call log): one
/// request within `timeout`, 200 or a refusal naming the URL and what came back.
enum ProviderHTTP {
    static func get(baseURL: String, path: String, headers: [String: String], query: [(String, String)], timeout: Duration) async throws(HookRefusal) -> [UInt8] {
        var components = URLComponents(string: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL)
        components?.path += path
        components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components?.url else { throw HookRefusal("the integration's apiBaseUrl \(baseURL) does not make a URL") }
        var request = URLRequest(url: url, timeoutInterval: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw HookRefusal("\(url.host ?? baseURL) did not answer \(url.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else { throw HookRefusal("\(url.host ?? baseURL) answered \(status) to \(url.absoluteString)") }
        return Array(data)
    }
}
