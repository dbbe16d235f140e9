/// A report as a table and in a few words, declared once: the gateway's CSV answers and
/// the reports notifications sends on schedule (issue 26 item 6) write the same columns.
public protocol ReportTable: Sendable {
    /// The column names, the grouping first.
    var tableHeader: [String] { get }
    /// One line per row, the total last.
    var tableRows: [[String]] { get }
    /// What a Telegram message says: the period and the total's main figures.
    var summary: String { get }
}

extension Money {
    /// `1234.50` for 123450 RUB: an amount without its currency, for a table.
    public static func plain(_ minor: Int64, _ currency: String) -> String {
        guard let money = try? Money(minor: minor, currency: currency) else { return String(minor) }
        return String(money.description.dropLast(currency.count + 1))
    }
}

extension LeadReport: ReportTable {
    public var tableHeader: [String] {
        [groupBy.name, "leads", "low_quality", "low_quality_share", "attempted", "offers", "won", "offer_rate", "won_rate",
         "first_attempt_median_seconds", "first_attempt_p90_seconds", "claims", "active_hours", "claims_per_hour", "talk_seconds",
         "no_answer", "busy", "callbacks", "offers_made", "refused", "invalid"]
    }

    public var tableRows: [[String]] {
        var last = total
        last.value = "total"
        return (rows + [last]).map { r in
            [r.value, String(r.leads), String(r.lowQuality), String(r.lowQualityShare), String(r.attempted), String(r.offers), String(r.won),
             String(r.offerRate), String(r.wonRate), r.firstAttemptMedianSeconds.map(String.init) ?? "", r.firstAttemptP90Seconds.map(String.init) ?? "",
             String(r.claims), String(r.activeHours), String(r.claimsPerHour), String(r.talkSeconds), String(r.noAnswer), String(r.busy),
             String(r.callbacks), String(r.offersMade), String(r.refused), String(r.invalid)]
        }
    }

    public var summary: String {
        "Leads \(from) – \(to): \(total.leads) leads, \(total.lowQuality) low quality, \(total.offers) offers, \(total.won) won."
    }
}

extension AttributionReport: ReportTable {
    public var tableHeader: [String] {
        [groupBy.name, "calls", "missed_calls", "leads", "deals_opened", "won", "revenue", "lead_rate", "deal_rate", "win_rate",
         "first_response_median_seconds", "spend", "cost_per_lead", "cost_per_won", "return_on_spend", "currency"]
    }

    public var tableRows: [[String]] {
        var last = total
        last.value = "total"
        let money = { (minor: Int64?) in minor.map { Money.plain($0, currency) } ?? "" }
        return (rows + [last]).map { r in
            [r.value, String(r.calls), String(r.missedCalls), String(r.leads), String(r.dealsOpened), String(r.won), money(r.revenueMinor),
             String(r.leadRate), String(r.dealRate), String(r.winRate), r.firstResponseMedianSeconds.map(String.init) ?? "", money(r.spendMinor),
             money(r.costPerLeadMinor), money(r.costPerWonMinor), r.returnOnSpend.map { String($0) } ?? "", currency]
        }
    }

    public var summary: String {
        "Attribution \(from) – \(to): \(total.calls) calls (\(total.missedCalls) missed), \(total.leads) leads, \(total.dealsOpened) deals, "
            + "\(total.won) won, revenue \(Money.plain(total.revenueMinor, currency)) \(currency), spend \(Money.plain(total.spendMinor, currency)) \(currency)."
    }
}

extension ManagerReport: ReportTable {
    public var tableHeader: [String] {
        ["staff_id", "won", "lost", "conversion", "revenue", "calls_made", "calls_answered", "talk_seconds", "tasks_on_time", "tasks_overdue",
         "leads", "first_response_median_seconds", "currency"]
    }

    public var tableRows: [[String]] {
        func line(_ name: String, _ r: ManagerFigures) -> [String] {
            let counts: [String] = [String(r.won), String(r.lost), String(r.conversion), Money.plain(r.revenueMinor, currency)]
            let calls: [String] = [String(r.callsMade), String(r.callsAnswered), String(r.talkSeconds)]
            let rest: [String] = [String(r.tasksOnTime), String(r.tasksOverdue), String(r.leads), r.firstResponseMedianSeconds.map(String.init) ?? "", currency]
            return [name] + counts + calls + rest
        }
        return rows.map { line(String($0.staffID), $0) } + [line("total", total)]
    }

    public var summary: String {
        "Managers \(from) – \(to): \(total.won) won, \(total.lost) lost, revenue \(Money.plain(total.revenueMinor, currency)) \(currency), "
            + "\(total.tasksOverdue) tasks overdue" + (rows.isEmpty ? "." : "; " + rows.map { "staff \($0.staffID): \($0.won) won" }.joined(separator: ", ") + ".")
    }
}

extension NPSReport: ReportTable {
    public var tableHeader: [String] {
        [groupBy == .field ? field : groupBy.name, "responses", "promoters", "passives", "detractors", "nps"] + (0...10).map { "score_\($0)" }
    }

    public var tableRows: [[String]] {
        var last = total
        last.value = "total"
        return (rows + [last]).map { r in
            [r.value, String(r.responses), String(r.promoters), String(r.passives), String(r.detractors), String(r.nps)] + r.distribution.map(String.init)
        }
    }

    public var summary: String {
        "NPS \(from) – \(to): \(total.nps) from \(total.responses) answers (\(total.promoters) promoters, \(total.detractors) detractors)."
    }
}
