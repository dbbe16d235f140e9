import Contracts

/// G3 on the org chart (C4): admins oversee everyone; managers and senior managers
/// themselves and everyone whose supervisor chain leads to them; everyone else only
/// themselves.
public enum StaffTeamRule {
    public static func team(of member: StaffMember, staff: [StaffMember]) -> StaffTeam {
        var team = StaffTeam()
        team.staffID = member.id
        switch member.role {
        case .admin:
            team.everyone = true
            team.memberIDs = [member.id]
        case .manager, .seniorManager:
            var frontier: Set<Int64> = [member.id]
            var members: Set<Int64> = [member.id]
            while !frontier.isEmpty {
                let reports = staff.filter { $0.supervisorID.map(frontier.contains) ?? false }.map(\.id).filter { !members.contains($0) }
                members.formUnion(reports)
                frontier = Set(reports)
            }
            team.memberIDs = members.sorted()
        default:
            team.memberIDs = [member.id]
        }
        return team
    }
}
