import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// Issue 26: an operator who left (contacts' `staff.deactivated`) leaves the dialer. The
/// inbox keeps each departure in this replica's own file (one transaction); this loop
/// gives back, in every shard this replica owns, the entry they lease and the callbacks
/// reserved for them (to who takes over), then forgets the departure. Routing needs
/// nothing: contacts released their numbers.
public final class StaffDepartures: BackgroundService {
    static let topic = "staff.departures"
    private let backlog: ReplicaBacklog

    public init(control: Database, shards: ShardSet, settings: DialerSettingsStore, logger: Logger) {
        backlog = ReplicaBacklog(control: control, topic: Self.topic, logger: logger, failure: "cannot hand over a departed operator's queue; retrying") {
            try await Self.handOver(control: control, shards: shards, settings: settings)
        }
    }

    /// The inbox handler.
    public func handle(_ event: EventEnvelope, _ tx: Transaction) throws {
        let left = try StaffDeactivated(wireBytes: event.payload)
        try tx.run("INSERT OR REPLACE INTO staff_departures (staff_id, hand_to) VALUES (?, ?)", [.integer(left.staffID), .integer(left.handToID)])
        tx.touch(Self.topic)
    }

    /// Hands over up to 100 departed operators' work; true when there may be more.
    static func handOver(control: Database, shards: ShardSet, settings: DialerSettingsStore) async throws -> Bool {
        let pending = try await control.read { c in
            try c.query("SELECT staff_id, hand_to FROM staff_departures ORDER BY staff_id LIMIT 100", []) { ($0.int64(0), $0.int64(1)) }
        }
        for (staffID, heir) in pending {
            for shard in shards.owned {
                try await shards.queue(shard).handOver(from: staffID, to: heir, settings: settings.settings)
            }
            _ = try await control.write { tx in try tx.run("DELETE FROM staff_departures WHERE staff_id = ?", [.integer(staffID)]) }
        }
        return pending.count == 100
    }

    public func start() { backlog.start() }
    public func stop() async { await backlog.stop() }
}
