import Foundation
import FoundationNetworking

/// Pulls from Timepad's API (C5's resync): an event's orders, page by page, with the
/// integration's token. Bounded: pages of 250, at most 40 of them (10,000 orders), each
/// within the timeout.
struct TimepadClient: Sendable {
    static let pageSize = 250
    static let maxPages = 40

    let timeout: Duration

    /// One hook body per ticket of `eventID`'s orders, and how many orders Timepad listed.
    func ticketHooks(baseURL: String, token: String, eventID: String) async throws(HookRefusal) -> (bodies: [[UInt8]], orders: Int) {
        var bodies: [[UInt8]] = []
        var orders = 0
        for page in 0..<Self.maxPages {
            var components = URLComponents(string: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL)
            components?.path += "/v1/events/\(eventID)/orders"
            components?.queryItems = [URLQueryItem(name: "limit", value: "\(Self.pageSize)"), URLQueryItem(name: "skip", value: "\(page * Self.pageSize)")]
            guard let url = components?.url else { throw HookRefusal("the integration's apiBaseUrl \(baseURL) does not make a URL") }
            var request = URLRequest(url: url, timeoutInterval: Double(timeout.components.seconds))
            if !token.isEmpty { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await URLSession.shared.data(for: request)
            } catch {
                throw HookRefusal("Timepad did not answer \(url.absoluteString): \(error.localizedDescription)")
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else { throw HookRefusal("Timepad answered \(status) to \(url.absoluteString)") }
            let (tickets, total, listed) = try TimepadAdapter.hookBodies(fromOrders: Array(data), eventID: eventID)
            bodies += tickets
            orders += listed
            if listed < Self.pageSize || (page + 1) * Self.pageSize >= total { break }
        }
        return (bodies, orders)
    }
}
