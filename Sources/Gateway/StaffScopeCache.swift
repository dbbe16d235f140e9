import Contracts
import Foundation
import Synchronization

/// Scopes worked out recently, so a staff member's requests do not each cost two calls
/// to contacts. Kept `lifetime` seconds: a role or team change shows within that.
final class StaffScopeCache: Sendable {
    private let entries = Mutex<[Int64: (visibility: Visibility?, until: Date)]>([:])
    let lifetime: TimeInterval

    init(lifetime: TimeInterval = 5) {
        self.lifetime = lifetime
    }

    /// `.some(nil)` is a cached "sees everything"; nil means not cached.
    func lookup(_ staffID: Int64, now: Date = Date()) -> Visibility?? {
        entries.withLock { all in
            guard let entry = all[staffID], entry.until > now else { return nil }
            return .some(entry.visibility)
        }
    }

    func store(_ visibility: Visibility?, for staffID: Int64, now: Date = Date()) {
        entries.withLock { all in
            if all.count >= 10_000 { all = all.filter { $0.value.until > now } }
            all[staffID] = (visibility, now.addingTimeInterval(lifetime))
        }
    }
}
