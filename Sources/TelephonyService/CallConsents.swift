import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// C8: a person's word on calls (contacts' `contact.consent_changed`) reaches the dialer.
/// The inbox keeps each change in this replica's own file (one transaction); this loop
/// applies them in order to the shards this replica owns: a withdrawn word on `calls` (any
/// purpose) puts the person's numbers on the do-not-call list (closing their waiting
/// entries), and once every word on calls is given again the entries it made come off
/// (a mark an operator or an admin made stays).
public final class CallConsents: BackgroundService {
    static let topic = "call.consents"
    /// What the entries this loop makes say they came from.
    static let source = "consent"
    private let backlog: ReplicaBacklog

    public init(control: Database, shards: ShardSet, settings: DialerSettingsStore, logger: Logger) {
        backlog = ReplicaBacklog(control: control, topic: Self.topic, logger: logger, failure: "cannot apply a person's word on calls to the do-not-call list; retrying") {
            try await Self.applyKept(control: control, shards: shards, settings: settings)
        }
    }

    /// The inbox handler: only words on calls matter here.
    public func handle(_ event: EventEnvelope, _ tx: Transaction) throws {
        let change = try ConsentChanged(wireBytes: event.payload)
        guard change.consent.channel == .calls, !change.phones.isEmpty else { return }
        try tx.run("INSERT INTO call_consents (change) VALUES (?)", [.blob(change.wireBytes())])
        tx.touch(Self.topic)
    }

    /// Whether the person may be called, by their latest words on calls.
    static func callable(_ change: ConsentChanged) -> Bool {
        change.current.filter { $0.channel == .calls }.allSatisfy(\.granted)
    }

    /// Applies up to 100 kept changes in order; true when there may be more.
    static func applyKept(control: Database, shards: ShardSet, settings: DialerSettingsStore) async throws -> Bool {
        let pending = try await control.read { c in
            try c.query("SELECT seq, change FROM call_consents ORDER BY seq LIMIT 100", []) { ($0.int64(0), try ConsentChanged(wireBytes: $0.blob(1))) }
        }
        for (seq, change) in pending {
            try await apply(change, shards: shards, settings: settings)
            _ = try await control.write { tx in try tx.run("DELETE FROM call_consents WHERE seq = ?", [.integer(seq)]) }
        }
        return pending.count == 100
    }

    static func apply(_ change: ConsentChanged, shards: ShardSet, settings: DialerSettingsStore) async throws {
        let owned = Set(shards.owned)
        for phone in change.phones {
            let shard = shards.shards.of(phone)
            guard owned.contains(shard) else { continue }
            let queue = try shards.queue(shard)
            if Self.callable(change) {
                if try await queue.doNotCall(after: "", limit: 1, phone: phone).first?.source == Self.source { _ = try await queue.unmarkDoNotCall(phone) }
            } else {
                var entry = DoNotCallEntry(phone: phone, reason: "withdrew consent to calls (\(change.consent.purpose.name)): \(change.consent.source)")
                (entry.source, entry.by, entry.atMilliseconds) = (Self.source, change.consent.recordedBy, change.consent.atMilliseconds ?? 0)
                _ = try await queue.markDoNotCall(entry, settings: settings.settings)
            }
        }
    }

    public func start() { backlog.start() }
    public func stop() async { await backlog.stop() }
}
