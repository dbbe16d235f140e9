import Contracts

/// B6: a month's bonus per manager from plain values. For each group's month (B5) and each
/// manager who sold students in it (the won deal's responsible): their revenue is their
/// students' accrued revenue; the attributed margin is the group's margin × their revenue ÷
/// the group's revenue (half-even); the bonus is `rate` of the attributed margin when the
/// group broke even and its margin is at least `minimumMargin`, else nothing. A manager's
/// bonus is the sum over their groups, one line per currency. Everything sorted by id, so
/// the same inputs always give the same report.
public enum BonusCalculator {
    public static func report(month: BillingMonth, formula: BonusFormula, groups: [GroupMonth], dealsWon: [Int64: Int64], pinned: Bool) throws(Money.Problem) -> BonusReport {
        var report = BonusReport(month: month.description, formulaVersion: formula.version, rateBasisPoints: formula.rateBasisPoints, minimumMarginMinor: formula.minimumMarginMinor, pinned: pinned)
        struct Key: Hashable, Comparable {
            let manager: Int64
            let currency: String
            static func < (a: Key, b: Key) -> Bool { (a.manager, a.currency) < (b.manager, b.currency) }
        }
        var lines: [Key: ManagerBonus] = [:]
        for g in groups.sorted(by: { $0.groupID < $1.groupID }) {
            func money(_ minor: Int64) -> String { (try? Money(minor: minor, currency: g.currency))?.description ?? "\(minor) \(g.currency)" }
            let byManager = Dictionary(grouping: g.students.filter { $0.managerID != nil }, by: { $0.managerID! })
            for (manager, students) in byManager.sorted(by: { $0.key < $1.key }) {
                let revenue = try Money.sum(students.map(\.revenueMinor))
                let attributed = g.revenueMinor > 0 ? try Money.scaled(g.marginMinor, times: revenue, over: g.revenueMinor) : 0
                let qualifies = g.brokeEven && g.marginMinor >= formula.minimumMarginMinor && attributed > 0
                let bonus = qualifies ? try Money(minor: attributed, currency: g.currency).percent(basisPoints: formula.rateBasisPoints).minor : 0
                let why: String
                if !g.brokeEven {
                    why = "no bonus: the group has not broken even"
                } else if g.marginMinor < formula.minimumMarginMinor {
                    why = "no bonus: margin \(money(g.marginMinor)) is below the minimum \(money(formula.minimumMarginMinor))"
                } else if attributed <= 0 {
                    why = "no bonus: attributed margin \(money(attributed))"
                } else {
                    why = "\(GroupEconomics.percent(formula.rateBasisPoints)) of \(money(attributed)) = margin \(money(g.marginMinor)) × \(money(revenue)) ÷ \(money(g.revenueMinor)) (their students' share of the revenue)"
                }
                let key = Key(manager: manager, currency: g.currency)
                var line = lines[key] ?? ManagerBonus(managerID: manager, dealsWon: dealsWon[manager] ?? 0, currency: g.currency)
                line.groups.append(ManagerGroup(
                    groupID: g.groupID, groupName: g.groupName, currency: g.currency, students: Int64(students.count), revenueMinor: revenue,
                    groupMarginMinor: g.marginMinor, brokeEven: g.brokeEven, breakEvenStudents: g.breakEvenStudents, attributedMarginMinor: attributed,
                    bonusMinor: bonus, explanation: why))
                line.revenueMinor = try Money.sum([line.revenueMinor, revenue])
                line.bonusMinor = try Money.sum([line.bonusMinor, bonus])
                lines[key] = line
            }
        }
        // Managers who won deals this month but sold no group seats still get their line.
        for (manager, won) in dealsWon where !lines.keys.contains(where: { $0.manager == manager }) && won > 0 {
            lines[Key(manager: manager, currency: "")] = ManagerBonus(managerID: manager, dealsWon: won)
        }
        report.managers = lines.sorted { $0.key < $1.key }.map { key, line in
            var line = line
            let counted = line.groups.filter { $0.bonusMinor > 0 }
            line.explanation = counted.isEmpty
                ? "no bonus in \(month): no group of theirs qualified"
                : "bonus = the sum over \(counted.count) group(s) that broke even: " + counted.map { "\($0.groupName) \((try? Money(minor: $0.bonusMinor, currency: $0.currency))?.description ?? "")" }.joined(separator: ", ")
            return line
        }
        return report
    }
}
