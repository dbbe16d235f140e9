import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Synchronization
import Wire

/// T10's settings on this replica: every version kept with who set it and when (the
/// audit), the newest in memory. A change names the version it was made from, so two
/// admins editing at once cannot overwrite each other unseen.
public final class DialerSettingsStore: Sendable {
    let database: Database
    let clock: WallClock
    private let current = Mutex<DialerSettings>(DialScore.defaults)

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    public func load() async throws {
        if let newest = try await database.read({ c in
            try c.queryFirst("SELECT settings FROM dialer_settings ORDER BY version DESC LIMIT 1", []) { try DialerSettings(wireBytes: $0.blob(0)) }
        }) {
            current.withLock { $0 = newest }
        }
    }

    public var settings: DialerSettings { current.withLock { $0 } }

    /// Checks and stores a new version; returns it.
    public func set(_ input: DialerSettings, by: String, expectedVersion: Int64) async throws -> DialerSettings {
        var violations: [FieldViolation] = []
        if input.callingHourFrom >= input.callingHourTo {
            violations.append(FieldViolation(field: "callingHourTo", description: "must be after callingHourFrom (\(input.callingHourFrom))"))
        }
        for (field, list) in [("regions", input.regions), ("products", input.products)] {
            var seen: Set<String> = []
            for (i, named) in list.enumerated() where !seen.insert(named.name).inserted {
                violations.append(FieldViolation(field: "\(field)[\(i)].name", description: "\"\(named.name)\" appears twice"))
            }
        }
        // The first few say enough; a list of hundreds would not fit an error.
        guard violations.isEmpty else {
            throw RPCError.invalidArgument("the settings are not valid (\(violations.count) problems)", details: Array(violations.prefix(20)))
        }
        let now = clock.milliseconds
        let stored = try await database.write { tx -> DialerSettings in
            let newest: Int64? = try tx.queryFirst("SELECT MAX(version) FROM dialer_settings") { $0.optionalInt64(0) } ?? nil
            let version = newest ?? DialScore.defaults.version
            // A change made from an older version than this replica's is stale. One made
            // from a newer version is one this replica missed (it was down when the others
            // took it): it catches up, so every replica ends at the same version.
            guard expectedVersion >= version else {
                throw RPCError(.aborted, "the settings are at version \(version), not \(expectedVersion): read them again and make the change on top")
            }
            var next = input
            next.version = expectedVersion + 1
            next.updatedBy = by
            next.updatedAtMilliseconds = now
            try tx.run("INSERT INTO dialer_settings (version, settings, set_by, set_at) VALUES (?, ?, ?, ?)",
                [.integer(next.version), .blob(next.wireBytes()), .text(by), .integer(now)])
            return next
        }
        current.withLock { $0 = stored }
        return stored
    }
}
