import Contracts
import Foundation

/// For providers that never retry a hook (G2): pull the provider's own log for a period
/// and feed every record through the webhook's path. The services are idempotent on the
/// provider's ids, so what already arrived changes nothing and what was lost arrives.
/// Per kind: Timepad lists the organization's events in the period and each event's
/// orders; Ringostat lists its calls (`calls/list`, split to fit its 6,500 a request).
public struct Reconciliation: Sendable {
    public static let defaultWindow: TimeInterval = 48 * 3600
    public static let maxWindow: TimeInterval = 31 * 24 * 3600

    let webhooks: Webhooks

    public init(webhooks: Webhooks) {
        self.webhooks = webhooks
    }

    /// One event's orders (C5's resync).
    public func resync(_ integration: IntegrationEntry, eventID: String) async throws -> ResyncOutcome {
        let pulled = try await webhooks.timepad.ticketHooks(baseURL: integration.apiBaseURL, token: integration.apiToken, eventID: eventID)
        for body in pulled.bodies {
            _ = try await webhooks.store(integration, contentType: "application/json", headers: [], body: body, origin: "pull")
        }
        return ResyncOutcome(fetched: Int64(pulled.orders), stored: Int64(pulled.bodies.count), events: 1)
    }

    /// Everything the provider logged for the period.
    public func reconcile(_ integration: IntegrationEntry, from: Date, to: Date) async throws -> ResyncOutcome {
        guard Self.pulls(integration.kind) else { throw HookRefusal("\(integration.kind.name) has no log to pull yet") }
        guard !integration.apiBaseURL.isEmpty else { throw HookRefusal("\(integration.name) has no apiBaseUrl to pull from") }
        if integration.kind == .ringostat {
            let calls = try await webhooks.ringostat.callHooks(baseURL: integration.apiBaseURL, authKey: integration.apiToken, from: from, to: to)
            for body in calls { _ = try await webhooks.store(integration, contentType: "application/json", headers: [], body: body, origin: "pull") }
            return ResyncOutcome(fetched: Int64(calls.count), stored: Int64(calls.count))
        }
        let events = try await webhooks.timepad.events(
            baseURL: integration.apiBaseURL, token: integration.apiToken, organization: integration.accountID, from: from, to: to)
        var outcome = ResyncOutcome()
        for event in events {
            let one = try await resync(integration, eventID: event)
            outcome.fetched += one.fetched
            outcome.stored += one.stored
            outcome.events += 1
        }
        return outcome
    }

    /// The kinds whose log a reconciliation pulls.
    public static func pulls(_ kind: IntegrationKind) -> Bool { kind == .timepad || kind == .ringostat }

    /// The scheduled pass: every integration with a log and an API, over the last `window`.
    func reconcileAll(window: TimeInterval, now: Date = Date()) async -> [(String, Result<ResyncOutcome, any Error>)] {
        var results: [(String, Result<ResyncOutcome, any Error>)] = []
        for integration in webhooks.integrations.entries where Self.pulls(integration.kind) && !integration.apiBaseURL.isEmpty {
            do {
                results.append((integration.name, .success(try await reconcile(integration, from: now.addingTimeInterval(-window), to: now))))
            } catch {
                results.append((integration.name, .failure(error)))
            }
        }
        return results
    }
}
