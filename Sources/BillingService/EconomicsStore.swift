import Contracts
import FoundationEssentials
import Glibc
import ServiceKit
import Storage
import Wire

/// B4–B6 over the stored facts: group costs, prepaid balances, a group's month
/// (``GroupEconomics``) and the bonus report (``BonusCalculator``) with its versioned formula.
public struct EconomicsStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// B6's default when no version was saved: 10% of the attributed margin, no minimum.
    public static let defaultFormula = BonusFormula(version: 0, rateBasisPoints: 1000, minimumMarginMinor: 0, effectiveFrom: "1970-01")

    public func putCosts(_ input: GroupCosts) async throws -> GroupCosts {
        guard Money.exponents[input.currency] != nil else {
            throw RPCError.invalidArgument("\(input.currency) is not a currency this service knows", details: [FieldViolation(field: "currency", description: "is unknown")])
        }
        return try await database.write { tx in
            var costs = input
            if costs.groupName.isEmpty {
                costs.groupName = try tx.queryFirst("SELECT group_name FROM students WHERE group_id = ? LIMIT 1", [.integer(input.groupID)]) { $0.string(0) } ?? "group \(input.groupID)"
            }
            try tx.run("INSERT INTO group_costs (group_id, costs) VALUES (?, ?) ON CONFLICT (group_id) DO UPDATE SET costs = excluded.costs",
                [.integer(costs.groupID), .blob(costs.wireBytes())])
            return costs
        }
    }

    public func economics(_ request: GroupMonthRequest) async throws -> GroupMonth {
        let month = try Self.month(request.month)
        let inputs = try await database.read { c in try Self.inputs(c, group: request.groupID) }
        guard let group = inputs.first else {
            throw RPCError.notFound("group \(request.groupID) has no costs set (PUT /v1/groups/\(request.groupID)/costs)")
        }
        return try Self.computed { () throws(Money.Problem) in try GroupEconomics.month(group, month) }
    }

    public func balances(_ request: BalanceRequest) async throws -> BalanceList {
        let now = BillingMonth(milliseconds: clock.milliseconds)
        return try await database.read { c in
            var sql = "SELECT group_id, student_id, paid_at, payment FROM payments WHERE group_id IS NOT NULL AND student_id IS NOT NULL AND status IN (2, 4)"
            var values: [SQLValue] = []
            if let g = request.groupID { sql += " AND group_id = ?"; values.append(.integer(g)) }
            if let s = request.contactID { sql += " AND student_id = ?"; values.append(.integer(s)) }
            var receipts: [Pair: [GroupEconomics.Receipt]] = [:]
            for (pair, receipt, _) in try c.query(sql, values, Self.receipt) { receipts[pair, default: []].append(receipt) }
            // Students with nothing prepaid are listed too: they have nothing left.
            var ssql = "SELECT group_id, contact_id FROM students WHERE status IN (1, 2)"
            var svalues: [SQLValue] = []
            if let g = request.groupID { ssql += " AND group_id = ?"; svalues.append(.integer(g)) }
            if let s = request.contactID { ssql += " AND contact_id = ?"; svalues.append(.integer(s)) }
            for pair in try c.query(ssql, svalues, { Pair(group: $0.int64(0), contact: $0.int64(1)) }) where receipts[pair] == nil { receipts[pair] = [] }
            var out: [Balance] = []
            for pair in receipts.keys.sorted() {
                let used = try c.queryFirst("SELECT count(*) FROM marks WHERE group_id = ? AND contact_id = ? AND mark IN (1, 2)", [.integer(pair.group), .integer(pair.contact)]) { $0.int64(0) } ?? 0
                let b = PrepaymentBalance.balance(groupID: pair.group, contactID: pair.contact, receipts: receipts[pair]!, lessonsUsed: used, now: now)
                if !request.exhaustedOnly || b.exhausted { out.append(b) }
            }
            return BalanceList(balances: out)
        }
    }

    public func putFormula(_ input: BonusFormula) async throws -> BonusFormula {
        let month = try Self.month(input.effectiveFrom, field: "effectiveFrom")
        let now = clock.milliseconds
        // B6: a new formula starts with the month in progress at the earliest; one from an
        // ended month would silently recompute every ended month nobody had opened yet.
        let current = BillingMonth(milliseconds: now)
        guard month.index >= current.index else {
            throw RPCError.invalidArgument(
                "a formula takes effect from the month in progress (\(current.description)) or a later one",
                details: [FieldViolation(field: "effectiveFrom", description: "\(month.description) is before the month in progress")])
        }
        return try await database.write { tx in
            var f = input
            f.effectiveFrom = month.description
            f.createdAtMilliseconds = now
            let latest = try tx.queryFirst("SELECT max(version) FROM bonus_formulas", []) { $0.optionalInt64(0) }
            f.version = (latest.flatMap { $0 } ?? 0) + 1
            try tx.run("INSERT INTO bonus_formulas (version, effective_from, formula) VALUES (?, ?, ?)", [.integer(f.version), .text(f.effectiveFrom), .blob(f.wireBytes())])
            return f
        }
    }

    public func formulas() async throws -> BonusFormulaList {
        try await database.read { c in
            BonusFormulaList(formulas: [Self.defaultFormula] + (try c.query("SELECT formula FROM bonus_formulas ORDER BY version", []) { try BonusFormula(wireBytes: $0.blob(0)) }))
        }
    }

    /// B6: a month that has ended keeps the formula version it was first computed with.
    public func bonusReport(_ request: BonusReportRequest) async throws -> BonusReport {
        let month = try Self.month(request.month)
        let ended = month.endMilliseconds <= clock.milliseconds
        let (formula, pinned) = try await database.write { tx -> (BonusFormula, Bool) in
            if let version = try tx.queryFirst("SELECT version FROM bonus_months WHERE month = ?", [.text(month.description)], { $0.int64(0) }) {
                return (try Self.formula(tx.connection, version: version), true)
            }
            let current = try tx.queryFirst(
                "SELECT formula FROM bonus_formulas WHERE effective_from <= ? ORDER BY version DESC LIMIT 1", [.text(month.description)],
                { try BonusFormula(wireBytes: $0.blob(0)) }) ?? Self.defaultFormula
            if ended {
                try tx.run("INSERT OR IGNORE INTO bonus_months (month, version) VALUES (?, ?)", [.text(month.description), .integer(current.version)])
            }
            return (current, ended)
        }
        let (inputs, won) = try await database.read { c in
            let won = try c.query(
                "SELECT responsible_id, count(*) FROM won_deals WHERE responsible_id IS NOT NULL AND won_at >= ? AND won_at < ? GROUP BY responsible_id",
                [.integer(month.startMilliseconds), .integer(month.endMilliseconds)]) { ($0.int64(0), $0.int64(1)) }
            return (try Self.inputs(c, group: nil), Dictionary(won, uniquingKeysWith: +))
        }
        var report = try Self.computed { () throws(Money.Problem) in
            let groups = try inputs.map { input throws(Money.Problem) in try GroupEconomics.month(input, month) }
            return try BonusCalculator.report(month: month, formula: formula, groups: groups, dealsWon: won, pinned: pinned)
        }
        if let manager = request.managerID { report.managers = report.managers.filter { $0.managerID == manager } }
        return report
    }

    static func formula(_ c: Connection, version: Int64) throws -> BonusFormula {
        guard version > 0 else { return defaultFormula }
        return try c.queryFirst("SELECT formula FROM bonus_formulas WHERE version = ?", [.integer(version)]) { try BonusFormula(wireBytes: $0.blob(0)) } ?? defaultFormula
    }

    static func month(_ text: String, field: String = "month") throws(RPCError) -> BillingMonth {
        guard let m = BillingMonth(parsing: text) else {
            throw RPCError.invalidArgument("\(field) is YYYY-MM", details: [FieldViolation(field: field, description: "\"\(text)\" is not a month such as 2027-03")])
        }
        return m
    }

    static func computed<T>(_ body: () throws(Money.Problem) -> T) throws(RPCError) -> T {
        do {
            return try body()
        } catch {
            throw RPCError(.failedPrecondition, "the amounts are too large to compute exactly (\(error)); nothing is rounded to fit")
        }
    }

    struct Pair: Hashable, Comparable {
        let group: Int64
        let contact: Int64
        static func < (a: Pair, b: Pair) -> Bool { (a.group, a.contact) < (b.group, b.contact) }
    }

    /// A paid payment row as a receipt, net of refunds.
    static func receipt(_ row: Row) throws -> (Pair, GroupEconomics.Receipt, String) {
        let p = try Payment(wireBytes: row.blob(3))
        return (Pair(group: row.int64(0), contact: row.int64(1)),
                GroupEconomics.Receipt(contactID: row.int64(1), paidAtMilliseconds: row.optionalInt64(2) ?? p.createdAtMilliseconds,
                                       netMinor: p.amountMinor - p.refundedMinor, months: p.months, lessons: p.lessons), p.currency)
    }

    /// Every group with costs (or the one asked for), with its facts.
    static func inputs(_ c: Connection, group: Int64?) throws -> [GroupEconomics.Inputs] {
        let filter = group.map { " AND group_id = \($0)" } ?? ""
        let costs = try c.query("SELECT group_id, costs FROM group_costs WHERE 1 = 1\(filter) ORDER BY group_id", []) { ($0.int64(0), try GroupCosts(wireBytes: $0.blob(1))) }
        guard !costs.isEmpty else { return [] }
        var students: [Int64: [GroupEconomics.Student]] = [:]
        var names: [Int64: String] = [:]
        let managerByDeal = Dictionary(try c.query("SELECT deal_id, responsible_id FROM won_deals WHERE responsible_id IS NOT NULL", []) { ($0.int64(0), $0.int64(1)) }, uniquingKeysWith: { a, _ in a })
        // A student without the deal that brought them: their latest won deal's manager.
        let managerByContact = Dictionary(try c.query("SELECT contact_id, responsible_id FROM won_deals WHERE responsible_id IS NOT NULL ORDER BY won_at, deal_id", []) { ($0.int64(0), $0.int64(1)) }, uniquingKeysWith: { _, b in b })
        for row in try c.query("SELECT group_id, contact_id, group_name, deal_id, joined_at FROM students WHERE joined_at IS NOT NULL\(filter)", [], {
            ($0.int64(0), $0.int64(1), $0.string(2), $0.optionalInt64(3), $0.int64(4))
        }) {
            let manager = row.3.flatMap { managerByDeal[$0] } ?? managerByContact[row.1]
            students[row.0, default: []].append(GroupEconomics.Student(contactID: row.1, joinedAtMilliseconds: row.4, dealID: row.3, managerID: manager))
            names[row.0] = row.2
        }
        var receipts: [Int64: [GroupEconomics.Receipt]] = [:]
        var packages: Set<Pair> = []
        let currencies = Dictionary(costs.map { ($0.0, $0.1.currency) }, uniquingKeysWith: { a, _ in a })
        // A payment in another currency than the group's costs is not added to them.
        for (pair, r, currency) in try c.query("SELECT group_id, student_id, paid_at, payment FROM payments WHERE group_id IS NOT NULL AND student_id IS NOT NULL AND status IN (2, 4)\(filter)", [], receipt) {
            guard currencies[pair.group] == currency else { continue }
            receipts[pair.group, default: []].append(r)
            if r.lessons > 0 { packages.insert(pair) }
        }
        var held: [Int64: [Int64]] = [:]
        for (g, start) in try c.query("SELECT group_id, start_at FROM lessons_held WHERE 1 = 1\(filter)", [], { ($0.int64(0), $0.int64(1)) }) { held[g, default: []].append(start) }
        var used: [Int64: [Int64: [Int64]]] = [:]
        for pair in packages {
            used[pair.group, default: [:]][pair.contact] = try c.query(
                "SELECT start_at FROM marks WHERE group_id = ? AND contact_id = ? AND mark IN (1, 2) ORDER BY start_at", [.integer(pair.group), .integer(pair.contact)]) { $0.int64(0) }
        }
        return costs.map { id, cost in
            GroupEconomics.Inputs(
                groupID: id, groupName: cost.groupName.isEmpty ? names[id] ?? "group \(id)" : cost.groupName, costs: cost,
                students: students[id] ?? [], receipts: receipts[id] ?? [], lessonsHeld: held[id] ?? [], usedLessons: used[id] ?? [:])
        }
    }
}
