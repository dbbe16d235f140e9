import Foundation
import Sockets

/// Pulls from Timepad's API (C5's resync): an event's orders, page by page, with the
/// integration's token. Bounded: pages of 250, at most 40 of them (10,000 orders), each
/// within the timeout.
struct TimepadClient: Sendable {
    static let pageSize = 250
    static let maxPages = 40

    let timeout: Duration
    /// Where an integration's apiBaseUrl may lead.
    let outbound: OutboundPolicy

    /// One hook body per ticket of `eventID`'s orders, and how many orders Timepad listed.
    func ticketHooks(baseURL: String, token: String, eventID: String) async throws(HookRefusal) -> (bodies: [[UInt8]], orders: Int) {
        var bodies: [[UInt8]] = []
        var orders = 0
        for page in 0..<Self.maxPages {
            let body = try await get(baseURL, "/v1/events/\(eventID)/orders", token: token, query: [
                ("limit", "\(Self.pageSize)"), ("skip", "\(page * Self.pageSize)"),
            ])
            let (tickets, total, listed) = try TimepadAdapter.hookBodies(fromOrders: body, eventID: eventID)
            bodies += tickets
            orders += listed
            if listed < Self.pageSize || (page + 1) * Self.pageSize >= total { break }
        }
        return (bodies, orders)
    }

    /// The ids of the organization's events starting within the period (Timepad's
    /// `GET /v1/events`, `organization_ids`, `starts_at_min`, `starts_at_max`).
    func events(baseURL: String, token: String, organization: String, from: Date, to: Date) async throws(HookRefusal) -> [String] {
        var ids: [String] = []
        let format = ISO8601DateFormatter()
        for page in 0..<Self.maxPages {
            var query = [("limit", "100"), ("skip", "\(page * 100)"), ("starts_at_min", format.string(from: from)), ("starts_at_max", format.string(from: to))]
            if !organization.isEmpty { query.append(("organization_ids", organization)) }
            let body = try await get(baseURL, "/v1/events", token: token, query: query)
            let (found, total) = try TimepadAdapter.eventIDs(fromEvents: body)
            ids += found
            if found.count < 100 || ids.count >= total { break }
        }
        return ids
    }

    private func get(_ baseURL: String, _ path: String, token: String, query: [(String, String)]) async throws(HookRefusal) -> [UInt8] {
        try await ProviderHTTP.get(baseURL: baseURL, path: path, headers: token.isEmpty ? [:] : ["Authorization": "Bearer \(token)"], query: query, timeout: timeout, outbound: outbound)
    }
}
