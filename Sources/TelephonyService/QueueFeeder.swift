import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// T10: accepted leads (deals' lead.accepted) into the queue of the shard that owns the
/// phone. The inbox records each event with its lead in this replica's own file (one
/// transaction); this loop moves them into their shard's file, where a lead is queued
/// once whatever happens in between.
public final class QueueFeeder: BackgroundService {
    static let topic = "queue.inbox"
    let control: Database
    let shards: ShardSet
    let settings: DialerSettingsStore
    private let backlog: ReplicaBacklog

    public init(control: Database, shards: ShardSet, settings: DialerSettingsStore, logger: Logger) {
        self.control = control
        self.shards = shards
        self.settings = settings
        backlog = ReplicaBacklog(control: control, topic: Self.topic, logger: logger, failure: "cannot queue accepted leads; retrying") {
            try await Self.feed(control: control, shards: shards, settings: settings)
        }
    }

    /// The inbox handler: keep the lead if its phone is this replica's.
    public func handle(_ event: EventEnvelope, _ tx: Transaction) throws {
        let lead = try AcceptedLead(wireBytes: event.payload)
        guard let phone = shards.numbers.normalize(lead.phone) else { return }
        let shard = shards.shards.of(phone)
        guard shards.owned.contains(shard) else { return }  // another replica's
        var stored = lead
        stored.phone = phone
        try tx.run("INSERT OR IGNORE INTO queue_inbox (lead_id, lead) VALUES (?, ?)", [.integer(lead.leadID), .blob(stored.wireBytes())])
        tx.touch(Self.topic)
    }

    /// Moves up to 500 kept leads into their shards' queues; true when there may be more.
    static func feed(control: Database, shards: ShardSet, settings: DialerSettingsStore) async throws -> Bool {
        let pending = try await control.read { c in
            try c.query("SELECT lead_id, lead FROM queue_inbox ORDER BY lead_id LIMIT 500", []) { ($0.int64(0), try AcceptedLead(wireBytes: $0.blob(1))) }
        }
        for (shard, leads) in Dictionary(grouping: pending.map(\.1), by: { shards.shards.of($0.phone) }) {
            try await shards.queue(shard).enqueue(leads, settings: settings.settings)
        }
        let ids = pending.map(\.0)
        _ = try await control.write { tx in
            for id in ids { try tx.run("DELETE FROM queue_inbox WHERE lead_id = ?", [.integer(id)]) }
        }
        return pending.count == 500
    }

    public func start() { backlog.start() }
    public func stop() async { await backlog.stop() }
}
