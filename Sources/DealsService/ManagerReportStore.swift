import Contracts
import Storage
import Wire

/// Issue 26 item 4 (000, 004): each responsible's period, for month-end KPIs. Deals count
/// when they closed in it, tasks when they were due in it, leads when they came in it
/// (their first response from D7's lead facts). Only the staff the caller sees (G3): a
/// manager gets their team, an operator themselves. Calls are telephony's figures; the
/// gateway adds them.
public enum ManagerReportStore {
    static func report(_ c: Connection, _ request: ManagerReportRequest, now: Int64) throws -> ManagerReport {
        let (from, to) = try LeadReportStore.period(from: request.from, to: request.to)
        guard Money.exponents[request.currency] != nil else {
            throw RPCError.invalidArgument("\(request.currency) is not a currency this service knows", details: [FieldViolation(field: "currency", description: "is unknown")])
        }
        let calendar = try LeadReportStore.calendar(c)
        // The period's first and last millisecond, in the report days' time zone.
        let start = from * 86_400_000 - calendar.offsetMinutes * 60_000, end = (to + 1) * 86_400_000 - calendar.offsetMinutes * 60_000
        let visibility = request.visibility.resolved
        let seen = visibility.sqlCondition("responsible_id")
        var rows: [Int64: ManagerFigures] = [:]
        func row(_ id: Int64) -> ManagerFigures { rows[id] ?? ManagerFigures(staffID: id) }
        for deal in try c.query(
            "SELECT \(DealStore.columns) FROM deals WHERE closed_at >= ? AND closed_at < ? AND closed_at IS NOT NULL AND responsible_id IS NOT NULL AND \(seen.sql)",
            [.integer(start), .integer(end)] + seen.values.map { .integer($0) }, DealStore.deal)
        {
            guard let staff = deal.responsibleID else { continue }
            var r = row(staff)
            if deal.status == .won {
                r.won += 1
                if deal.currency == request.currency { r.revenueMinor = try Money.sum([r.revenueMinor, deal.amountMinor]) }
            } else if deal.status == .lost {
                r.lost += 1
            }
            rows[staff] = r
        }
        let assignees = visibility.sqlCondition("assignee_id")
        for (staff, onTime, overdue) in try c.query(
            """
            SELECT assignee_id, SUM(status = 2 AND completed_at <= due_at), SUM((status = 2 AND completed_at > due_at) OR (status = 1 AND due_at < ?))
            FROM tasks WHERE due_at >= ? AND due_at < ? AND assignee_id IS NOT NULL AND \(assignees.sql) GROUP BY assignee_id
            """, [.integer(min(end, now)), .integer(start), .integer(end)] + assignees.values.map { .integer($0) },
            { ($0.int64(0), $0.int64(1), $0.int64(2)) })
        {
            var r = row(staff)
            (r.tasksOnTime, r.tasksOverdue) = (onTime, overdue)
            rows[staff] = r
        }
        var responses: [Int64: [Int64]] = [:]
        let dealSeen = visibility.sqlCondition("d.responsible_id")
        for (staff, seconds) in try c.query(
            """
            SELECT d.responsible_id, f.first_attempt_seconds FROM report_lead_facts f JOIN deals d ON d.id = f.deal_id
            WHERE f.day BETWEEN ? AND ? AND d.responsible_id IS NOT NULL AND \(dealSeen.sql)
            """, [.integer(from), .integer(to)] + dealSeen.values.map { .integer($0) },
            { ($0.int64(0), $0.optionalInt64(1)) })
        {
            var r = row(staff)
            r.leads += 1
            rows[staff] = r
            if let seconds { responses[staff, default: []].append(seconds) }
        }
        var total = ManagerFigures()
        var every: [Int64] = []
        for (staff, r) in rows {
            (total.won, total.lost, total.revenueMinor) = (total.won + r.won, total.lost + r.lost, try Money.sum([total.revenueMinor, r.revenueMinor]))
            (total.tasksOnTime, total.tasksOverdue, total.leads) = (total.tasksOnTime + r.tasksOnTime, total.tasksOverdue + r.tasksOverdue, total.leads + r.leads)
            every += responses[staff] ?? []
        }
        let ordered = rows.values.sorted { $0.staffID < $1.staffID }.map { finished($0, responses[$0.staffID] ?? []) }
        return ManagerReport(
            from: ReportCalendar.text(from), to: ReportCalendar.text(to), currency: request.currency, rows: ordered, total: finished(total, every),
            utcOffsetMinutes: calendar.offsetMinutes)
    }

    /// Conversion and the median (nearest rank) first response.
    static func finished(_ figures: ManagerFigures, _ responses: [Int64]) -> ManagerFigures {
        var r = figures
        r.conversion = r.won + r.lost == 0 ? 0 : (Double(r.won) / Double(r.won + r.lost) * 10_000).rounded() / 10_000
        let sorted = responses.sorted()
        r.firstResponseMedianSeconds = sorted.isEmpty ? nil : sorted[(sorted.count + 1) / 2 - 1]
        return r
    }
}
