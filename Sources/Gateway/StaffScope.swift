import Contracts
import Foundation
import Synchronization

/// G3: what a staff member sees of deals and tasks, by role: admins everything (nil),
/// managers and senior managers their own and everyone whose supervisor chain leads to
/// them, everyone else their own.
enum StaffScope {
    static func visibility(of member: StaffMember, staff: [StaffMember]) -> Visibility? {
        var visibility = Visibility()
        visibility.restricted = true
        visibility.staffIDs = [member.id]
        switch member.role {
        case .admin:
            return nil
        case .manager, .seniorManager:
            var frontier: Set<Int64> = [member.id]
            var team: Set<Int64> = [member.id]
            while !frontier.isEmpty {
                let reports = staff.filter { $0.supervisorID.map(frontier.contains) ?? false }.map(\.id).filter { !team.contains($0) }
                team.formUnion(reports)
                frontier = Set(reports)
            }
            visibility.staffIDs = team.sorted()
        default:
            break
        }
        return visibility
    }
}

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
