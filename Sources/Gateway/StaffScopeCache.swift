import Contracts
import Foundation
import Synchronization

/// Scopes worked out recently, so a staff member's requests do not each cost two calls
/// to contacts. Kept `lifetime` seconds: a role or team change shows within that.
final class StaffScopeCache: Sendable {
    private let entries = Mutex<[Int64: (visibility: Visibility?, passwordStamp: Int64, until: Date)]>([:])
    let lifetime: TimeInterval

    init(lifetime: TimeInterval = 5) {
        self.lifetime = lifetime
    }

    /// What a member sees (nil inside: everything) and when their console password last
    /// changed (G6); nil when not cached.
    func lookup(_ staffID: Int64, now: Date = Date()) -> (visibility: Visibility?, passwordStamp: Int64)? {
        entries.withLock { all in
            guard let entry = all[staffID], entry.until > now else { return nil }
            return (entry.visibility, entry.passwordStamp)
        }
    }

    /// Drops what is cached of a member (their password or role changed here).
    func forget(_ staffID: Int64) {
        _ = entries.withLock { $0.removeValue(forKey: staffID) }
    }

    func store(_ visibility: Visibility?, passwordStamp: Int64 = 0, for staffID: Int64, now: Date = Date()) {
        entries.withLock { all in
            if all.count >= 10_000 { all = all.filter { $0.value.until > now } }
            all[staffID] = (visibility, passwordStamp, now.addingTimeInterval(lifetime))
        }
    }
}
