import Contracts
import Foundation
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
    let control: Database
    let shards: ShardSet
    let settings: DialerSettingsStore
    let logger: Logger
    private let loop = BackgroundLoop()

    public init(control: Database, shards: ShardSet, settings: DialerSettingsStore, logger: Logger) {
        self.control = control
        self.shards = shards
        self.settings = settings
        self.logger = logger
        control.onCommit { [loop] commit in if commit.topics.contains(Self.topic) { loop.wake() } }
    }

    /// The inbox handler.
    public func handle(_ event: EventEnvelope, _ tx: Transaction) throws {
        let left = try StaffDeactivated(wireBytes: event.payload)
        try tx.run("INSERT OR REPLACE INTO staff_departures (staff_id, hand_to) VALUES (?, ?)", [.integer(left.staffID), .integer(left.handToID)])
        tx.touch(Self.topic)
    }

    public func start() {
        loop.start { [self] in
            while !Task.isCancelled {
                do {
                    let pending = try await control.read { c in
                        try c.query("SELECT staff_id, hand_to FROM staff_departures ORDER BY staff_id LIMIT 100", []) { ($0.int64(0), $0.int64(1)) }
                    }
                    for (staffID, heir) in pending {
                        for shard in shards.owned {
                            try await shards.queue(shard).handOver(from: staffID, to: heir, settings: settings.settings)
                        }
                        _ = try await control.write { tx in try tx.run("DELETE FROM staff_departures WHERE staff_id = ?", [.integer(staffID)]) }
                    }
                    if pending.count == 100 { continue }
                } catch {
                    logger.error("cannot hand over a departed operator's queue; retrying", ["error": "\(error)"])
                }
                await loop.wait(upTo: .seconds(5))
            }
        }
    }

    public func stop() async {
        await loop.stop()
    }
}
