import Contracts
import FoundationEssentials
import Glibc
import Storage
import Wire

/// Issue 26 item 3 (002): which advertising brings calls, leads, deals and money. Read
/// from the counters ``LeadReportStore`` keeps current (calls by the day they began,
/// leads by the day they came with what their deals did since), so a month's report reads
/// a few thousand rows whatever the number of leads and calls; ad spend is entered per
/// campaign and month and spread over the days of the month the period covers.
public enum AttributionStore {
    static let groupings: [ReportDimension] = [.source, .utmSource, .utmMedium, .utmCampaign, .trackingNumber]

    static func report(_ c: Connection, _ request: AttributionRequest) throws -> AttributionReport {
        let (from, to) = try LeadReportStore.period(from: request.from, to: request.to)
        guard groupings.contains(request.groupBy) else {
            throw RPCError.invalidArgument("say what to group by", details: [
                FieldViolation(field: "groupBy", description: "must be source, utm_source, utm_medium, utm_campaign or tracking_number")])
        }
        guard Money.exponents[request.currency] != nil else {
            throw RPCError.invalidArgument("\(request.currency) is not a currency this service knows", details: [FieldViolation(field: "currency", description: "is unknown")])
        }
        let dimension = Int64(request.groupBy.rawValue)
        let days: [SQLValue] = [.integer(dimension), .integer(from), .integer(to)]
        var rows: [String: AttributionRow] = [:]
        for (value, calls, missed) in try c.query(
            "SELECT value, SUM(calls), SUM(missed) FROM report_call_counts WHERE dimension = ? AND day BETWEEN ? AND ? GROUP BY value", days,
            { ($0.string(0), $0.int64(1), $0.int64(2)) })
        {
            rows[value, default: AttributionRow(value: value)].calls = calls
            rows[value, default: AttributionRow(value: value)].missedCalls = missed
        }
        for (value, leads, opened, won) in try c.query(
            "SELECT value, SUM(leads), SUM(opened), SUM(deals_won) FROM report_counts WHERE dimension = ? AND day BETWEEN ? AND ? GROUP BY value", days,
            { ($0.string(0), $0.int64(1), $0.int64(2), $0.int64(3)) })
        {
            var row = rows[value] ?? AttributionRow(value: value)
            (row.leads, row.dealsOpened, row.won) = (leads, opened, won)
            rows[value] = row
        }
        for (value, revenue) in try c.query(
            "SELECT value, SUM(revenue_minor) FROM report_revenue WHERE dimension = ? AND day BETWEEN ? AND ? AND currency = ? GROUP BY value",
            days + [.text(request.currency)], { ($0.string(0), $0.int64(1)) })
        {
            rows[value, default: AttributionRow(value: value)].revenueMinor = revenue
        }
        var histograms: [String: [Int64: Int64]] = [:]
        for (value, buckets) in try c.query(
            "SELECT value, buckets FROM report_histograms WHERE dimension = ? AND day BETWEEN ? AND ?", days, { ($0.string(0), DelayHistogram.decode($0.blob(1))) })
        {
            for (bucket, count) in buckets { histograms[value, default: [:]][bucket, default: 0] += count }
        }
        let spend = try spendByCampaign(c, from: from, to: to, currency: request.currency)
        if request.groupBy == .utmCampaign {
            for (campaign, amount) in spend { rows[campaign, default: AttributionRow(value: campaign)].spendMinor = amount }
        }
        rows = rows.filter { $0.value.calls != 0 || $0.value.leads != 0 || $0.value.revenueMinor != 0 || $0.value.spendMinor != 0 }
        var total = AttributionRow()
        for r in rows.values {
            (total.calls, total.missedCalls, total.leads) = (total.calls + r.calls, total.missedCalls + r.missedCalls, total.leads + r.leads)
            (total.dealsOpened, total.won, total.revenueMinor) = (total.dealsOpened + r.dealsOpened, total.won + r.won, total.revenueMinor + r.revenueMinor)
        }
        total.spendMinor = try Money.sum(spend.values.map { $0 })
        var all: [Int64: Int64] = [:]
        for histogram in histograms.values { for (bucket, count) in histogram { all[bucket, default: 0] += count } }
        let ordered = rows.values.sorted { ($0.leads, $0.calls, $1.value) > ($1.leads, $1.calls, $0.value) }
            .map { finished($0, histograms[$0.value] ?? [:], currency: request.currency) }
        return AttributionReport(
            from: ReportCalendar.text(from), to: ReportCalendar.text(to), groupBy: request.groupBy, currency: request.currency, rows: ordered,
            total: finished(total, all, currency: request.currency), utcOffsetMinutes: try LeadReportStore.calendar(c).offsetMinutes)
    }

    /// The ratios, the median first response and what the spend bought.
    static func finished(_ row: AttributionRow, _ histogram: [Int64: Int64], currency _: String) -> AttributionRow {
        var r = row
        func ratio(_ a: Int64, _ b: Int64) -> Double { b == 0 ? 0 : (Double(a) / Double(b) * 10_000).rounded() / 10_000 }
        r.leadRate = ratio(r.leads, r.calls)
        r.dealRate = ratio(r.dealsOpened, r.leads)
        r.winRate = ratio(r.won, r.dealsOpened)
        r.firstResponseMedianSeconds = DelayHistogram.percentile(50, of: histogram.map { (bucket: $0.key, count: $0.value) })
        if r.spendMinor > 0 {
            r.costPerLeadMinor = r.leads > 0 ? Money.divideHalfEven(r.spendMinor, r.leads) : nil
            r.costPerWonMinor = r.won > 0 ? Money.divideHalfEven(r.spendMinor, r.won) : nil
            r.returnOnSpend = (Double(r.revenueMinor) / Double(r.spendMinor) * 10_000).rounded() / 10_000
        }
        return r
    }

    /// Each campaign's spend over the days of the period: a month's amount × the days of it
    /// the period covers ÷ its days, rounded half-even.
    static func spendByCampaign(_ c: Connection, from: Int64, to: Int64, currency: String) throws -> [String: Int64] {
        let first = BillingMonthDays(day: from), last = BillingMonthDays(day: to)
        var spend: [String: Int64] = [:]
        for (campaign, month, amount) in try c.query(
            "SELECT campaign, month, amount_minor FROM ad_spend WHERE currency = ? AND month BETWEEN ? AND ? AND amount_minor > 0",
            [.text(currency), .text(first.text), .text(last.text)], { ($0.string(0), $0.string(1), $0.int64(2)) })
        {
            guard let m = BillingMonthDays(parsing: month) else { continue }
            let covered = min(to, m.lastDay) - max(from, m.firstDay) + 1
            guard covered > 0 else { continue }
            let share = try Money.scaled(amount, times: covered, over: m.lastDay - m.firstDay + 1)
            spend[campaign, default: 0] += share
        }
        return spend
    }

    static func putSpend(_ tx: Transaction, _ entry: AdSpend, by: Int64?, now: Int64) throws -> AdSpend {
        guard Money.exponents[entry.currency] != nil else {
            throw RPCError.invalidArgument("\(entry.currency) is not a currency this service knows", details: [FieldViolation(field: "currency", description: "is unknown")])
        }
        guard BillingMonthDays(parsing: entry.month) != nil else {
            throw RPCError.invalidArgument("month must be YYYY-MM", details: [FieldViolation(field: "month", description: "is \"\(entry.month)\"")])
        }
        var stored = entry
        stored.campaign = entry.campaign.trimming(.spaces)
        (stored.updatedAtMilliseconds, stored.by) = (now, by)
        try tx.run(
            """
            INSERT INTO ad_spend (campaign, month, currency, amount_minor, updated_at, by) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (campaign, month, currency) DO UPDATE SET amount_minor = excluded.amount_minor, updated_at = excluded.updated_at, by = excluded.by
            """, [.text(stored.campaign), .text(stored.month), .text(stored.currency), .integer(stored.amountMinor), .integer(now), SQLValue(by)])
        return stored
    }

    /// A cell without the quotes around it (`"Spring sale"` → `Spring sale`).
    static func unquoted(_ cell: String) -> String {
        String(cell.drop { $0 == "\"" }.reversed().drop { $0 == "\"" }.reversed())
    }

    /// CSV lines `campaign,month,currency,amount` (units: 15000.50), at most 10,000; every
    /// bad line named, nothing kept unless all are good.
    static func importSpend(_ tx: Transaction, _ csv: String, by: Int64?, now: Int64) throws -> AdSpendList {
        var entries: [AdSpend] = []
        var violations: [FieldViolation] = []
        let lines = csv.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { $0.trimming(.spaces) }.filter { !$0.isEmpty }
        for (i, line) in lines.enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { Self.unquoted($0.trimming(.spaces)) }
            if i == 0, cells.first?.lowercased() == "campaign" { continue }
            guard cells.count == 4, !cells[0].isEmpty, cells[0].count <= 200, BillingMonthDays(parsing: cells[1]) != nil, let exponent = Money.exponents[cells[2]],
                let amount = Self.minor(cells[3], exponent: exponent), (0...Money.maximumMinor).contains(amount)
            else {
                violations.append(FieldViolation(field: "csv", description: "line \(i + 1) is not campaign,month (YYYY-MM),currency,amount: \"\(line.prefix(80))\""))
                if violations.count == 20 { break }
                continue
            }
            entries.append(AdSpend(campaign: cells[0], month: cells[1], currency: cells[2], amountMinor: amount))
        }
        if entries.count > 10_000 { violations.append(FieldViolation(field: "csv", description: "has more than 10,000 lines")) }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the CSV is not ad spend", details: violations) }
        return AdSpendList(entries: try entries.map { try putSpend(tx, $0, by: by, now: now) })
    }

    /// `15000.50` in minor units of a currency with `exponent` digits after the point.
    static func minor(_ text: String, exponent: Int) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0 else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= exponent, fraction.allSatisfy(\.isNumber) else { return nil }
        let scale = (0..<exponent).reduce(Int64(1)) { p, _ in p * 10 }
        let padded = fraction + String(repeating: "0", count: exponent - fraction.count)
        let (product, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        return product + (Int64(padded) ?? 0)
    }

    static func spend(_ c: Connection, _ request: AdSpendRequest) throws -> AdSpendList {
        var sql = "SELECT campaign, month, currency, amount_minor, updated_at, by FROM ad_spend WHERE 1 = 1"
        var values: [SQLValue] = []
        if !request.month.isEmpty { sql += " AND month = ?"; values.append(.text(request.month)) }
        if !request.campaign.isEmpty { sql += " AND campaign = ?"; values.append(.text(request.campaign)) }
        return AdSpendList(entries: try c.query(sql + " ORDER BY month, campaign, currency LIMIT 10000", values) {
            AdSpend(
                campaign: $0.string(0), month: $0.string(1), currency: $0.string(2), amountMinor: $0.int64(3), updatedAtMilliseconds: $0.int64(4),
                by: $0.optionalInt64(5))
        })
    }
}

/// A calendar month as report days (``CivilDate`` numbers), for spreading a month's spend.
struct BillingMonthDays {
    let year: Int64
    let month: Int64

    init(day: Int64) {
        let parts = CivilDate(day: day).parts
        (year, month) = (parts.year, parts.month)
    }

    init?(parsing text: String) {
        let parts = text.split(separator: "-")
        guard text.count == 7, parts.count == 2, let y = Int64(parts[0]), let m = Int64(parts[1]), (1...12).contains(m), (1970...9999).contains(y) else { return nil }
        (year, month) = (y, m)
    }

    var text: String { "\(year.zeroPadded(to: 4))-\(month.zeroPadded(to: 2))" }
    var firstDay: Int64 { CivilDate(year: year, month: month, day: 1).day }
    var lastDay: Int64 { (month == 12 ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)).day - 1 }
}
