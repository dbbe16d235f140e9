import Contracts
import Foundation
import Sockets
import ServiceKit
import Storage
import Synchronization

/// G2 in the gateway: the integrations, the stored hooks, the relay that hands them to
/// their services, and pulls from providers' APIs (Timepad's resync).
public final class Webhooks: Sendable {
    public let integrations: IntegrationStore
    public let hooks: HookStore
    let relay: HookRelay
    let pushBack: PushBack
    let timepad: TimepadClient
    let ringostat: RingostatClient
    /// Hooks refused for a bad signature or token, since start (nothing of them is stored).
    public let rejected = Atomic<Int>(0)
    let received = Atomic<Int>(0)

    /// `outbound`: where integrations' API base URLs may point (GATEWAY_OUTBOUND_ALLOW).
    public init(
        database: Database, targets: HookTargets, logger: Logger, pullTimeout: Duration = .seconds(30),
        outbound: OutboundPolicy = OutboundPolicy()
    ) {
        integrations = IntegrationStore(database: database, outbound: outbound)
        hooks = HookStore(database: database)
        relay = HookRelay(store: hooks, targets: targets, logger: logger, mirror: CRMMirror(integrations: integrations, targets: targets, outbound: outbound))
        pushBack = PushBack(integrations: integrations, database: database, targets: targets, outbound: outbound, logger: logger)
        timepad = TimepadClient(timeout: pullTimeout, outbound: outbound)
        ringostat = RingostatClient(timeout: pullTimeout, outbound: outbound)
    }

    /// A hook was put back in line (a replay): the relay looks now.
    public func wakeRelay() { relay.wake() }

    /// Reads the integrations in force; before serving.
    public func load() async throws {
        try await integrations.load()
    }

    /// The relay, for the host to start and stop.
    public var delivery: any BackgroundService { relay }

    /// G7: Switchboard's changes sent to the CRMs it runs beside, for the host to start and stop.
    public var pushing: any BackgroundService { pushBack }

    /// Pulls every Timepad and Ringostat integration's last two days, now and every
    /// `interval`: what a hook the provider failed to send (or we failed to take) brought.
    public func scheduledReconciliation(every interval: Duration, logger: Logger) -> PeriodicJob {
        PeriodicJob("reconciling hooks", every: interval, logger: logger) { [self] in
            for (name, result) in await Reconciliation(webhooks: self).reconcileAll(window: Reconciliation.defaultWindow) {
                switch result {
                case let .success(outcome):
                    logger.info("reconciled", ["integration": name, "events": "\(outcome.events)", "stored": "\(outcome.stored)"])
                case let .failure(error):
                    logger.warn("reconciliation failed; the next pass tries again", ["integration": name, "error": "\(error)"])
                }
            }
        }
    }

    /// Stores a hook and wakes the relay; the id once it is committed.
    public func store(_ entry: IntegrationEntry, contentType: String, headers: [(name: String, value: String)], body: [UInt8], origin: String) async throws -> Int64 {
        let id = try await hooks.store(integrationID: entry.id, contentType: contentType, headers: headers, body: body, origin: origin)
        received.add(1, ordering: .relaxed)
        relay.wake()
        return id
    }

    /// Drops delivered hooks older than `age` (the housekeeping pass).
    public func prune(olderThan age: TimeInterval, now: Date = Date()) async throws -> Int {
        try await hooks.prune(deliveredBefore: now.addingTimeInterval(-age))
    }

    /// Prometheus families for the gateway's /metrics.
    public func renderMetrics() async -> String {
        let counts = (try? await hooks.counts()) ?? (pending: 0, failed: 0)
        let p = relay.progress
        return """
            # HELP switchboard_hooks_received_total Webhooks authenticated and stored since start.
            # TYPE switchboard_hooks_received_total counter
            switchboard_hooks_received_total \(received.load(ordering: .relaxed))
            # HELP switchboard_hooks_rejected_total Webhooks refused for a bad signature or token (not stored).
            # TYPE switchboard_hooks_rejected_total counter
            switchboard_hooks_rejected_total \(rejected.load(ordering: .relaxed))
            # HELP switchboard_hooks_stored Stored webhooks by status.
            # TYPE switchboard_hooks_stored gauge
            switchboard_hooks_stored{status="pending"} \(counts.pending)
            switchboard_hooks_stored{status="failed"} \(counts.failed)
            # HELP switchboard_hook_deliveries_total What the relay did since start.
            # TYPE switchboard_hook_deliveries_total counter
            switchboard_hook_deliveries_total{outcome="delivered"} \(p.delivered)
            switchboard_hook_deliveries_total{outcome="failed"} \(p.failed)
            switchboard_hook_deliveries_total{outcome="retried"} \(p.retries)

            """
    }
}
