import Contracts
import Storage
import Wire

/// D7: the lead report's figures, kept current inside the transactions that change what
/// they count (a lead received or found low quality, a dialer outcome, a call, a deal's
/// stage), so a report over a month reads a few thousand counter rows, never the leads.
/// - `report_lead_facts`: each lead's ``LeadFacts`` (what it counts toward now);
/// - `report_counts`, `report_histograms`: per dimension, day and value, the leads'
///   counters and their time-to-first-attempt histogram (``DelayHistogram``);
/// - `report_operators`, `report_operator_hours`, `report_calls`: what operators did, by
///   the day and hour they did it.
public enum LeadReportStore {
    static let maximumDays: Int64 = 366

    static func calendar(_ c: Connection) throws -> ReportCalendar {
        ReportCalendar(offsetMinutes: try c.queryFirst("SELECT offset_minutes FROM report_calendar WHERE id = 1") { $0.int64(0) } ?? 0)
    }

    /// The report days' time zone from now on (figures already counted keep their days).
    static func setCalendar(_ tx: Transaction, offsetMinutes: Int64) throws {
        try tx.run(
            "INSERT INTO report_calendar (id, offset_minutes) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET offset_minutes = excluded.offset_minutes",
            [.integer(offsetMinutes)])
    }

    // MARK: Keeping the figures

    public static func received(_ tx: Transaction, leadID: Int64, _ lead: Lead, lowQuality: Bool, at now: Int64) throws {
        var facts = LeadFacts(day: try calendar(tx.connection).day(now))
        facts.partner = lead.partner
        facts.source = lead.channel
        facts.region = lead.region
        facts.product = lead.product
        (facts.utmSource, facts.utmMedium, facts.utmCampaign, facts.trackingNumber) = (lead.utmSource, lead.utmMedium, lead.utmCampaign, lead.trackingNumber)
        facts.lowQuality = lowQuality
        try tx.run("INSERT INTO report_lead_facts (lead_id, received_at) VALUES (?, ?)", [.integer(leadID), .integer(now)])
        try save(tx, leadID: leadID, from: nil, to: facts)
    }

    public static func update(_ tx: Transaction, leadID: Int64, _ change: (inout LeadFacts, _ receivedAt: Int64) -> Void) throws {
        guard let (old, receivedAt) = try tx.queryFirst("SELECT * FROM report_lead_facts WHERE lead_id = ?", [.integer(leadID)], facts) else { return }
        var new = old
        change(&new, receivedAt)
        guard new != old else { return }
        try save(tx, leadID: leadID, from: old, to: new)
    }

    /// Every lead of the deal (a lead that joined an open deal counts its outcome too).
    static func updateDeal(_ tx: Transaction, dealID: Int64, _ change: (inout LeadFacts) -> Void) throws {
        for id in try tx.query("SELECT lead_id FROM report_lead_facts WHERE deal_id = ?", [.integer(dealID)], { $0.int64(0) }) {
            try update(tx, leadID: id) { facts, _ in change(&facts) }
        }
    }

    /// Issue 26: the lead opened its deal (it carries the deal's win and revenue).
    static func opened(_ tx: Transaction, leadID: Int64, dealID: Int64) throws {
        try linkDeal(tx, leadID: leadID, dealID: dealID)
        try update(tx, leadID: leadID) { facts, _ in facts.opened = true }
    }

    /// Issue 26: someone answered the deal's person (an answered call, a reply) at `at`:
    /// the first response of its leads that had none and came before it — or up to
    /// `slack` after it (a call's lead is taken once the call was answered: 0 seconds).
    static func responded(_ tx: Transaction, dealID: Int64, at: Int64, slack: Int64 = 0) throws {
        for id in try tx.query(
            "SELECT lead_id FROM report_lead_facts WHERE deal_id = ? AND first_attempt_seconds IS NULL AND received_at <= ?",
            [.integer(dealID), .integer(at + slack)], { $0.int64(0) })
        {
            try update(tx, leadID: id) { facts, receivedAt in
                if facts.firstAttemptSeconds == nil { facts.firstAttemptSeconds = max(0, at - receivedAt) / 1000 }
            }
        }
    }

    /// Issue 26: a payment's net amount for its deal (a refund lowers it), then the deal's revenue.
    static func payment(_ tx: Transaction, _ p: Payment, dealID: Int64) throws {
        let net = p.status == .paid || p.status == .refunded ? p.amountMinor - p.refundedMinor : 0
        try tx.run(
            "INSERT INTO report_payments (payment_id, deal_id, currency, net_minor) VALUES (?, ?, ?, ?) ON CONFLICT (payment_id) DO UPDATE SET net_minor = excluded.net_minor",
            [.integer(p.id), .integer(dealID), .text(p.currency), .integer(net)])
        if let deal = try DealStore.load(tx.connection, id: dealID) { try revenue(tx, deal) }
    }

    /// Issue 26: what the deal brought, on the lead that opened it: what was paid for it,
    /// else its amount once won.
    static func revenue(_ tx: Transaction, _ deal: Deal) throws {
        guard let leadID = deal.leadID else { return }
        let paid = try tx.query("SELECT currency, SUM(net_minor) FROM report_payments WHERE deal_id = ? GROUP BY currency ORDER BY 2 DESC LIMIT 1", [.integer(deal.id)]) {
            ($0.string(0), $0.int64(1))
        }.first
        let (currency, amount) = paid.map { $0.1 > 0 ? $0 : ("", 0) } ?? (deal.status == .won ? (deal.currency, deal.amountMinor) : ("", 0))
        try update(tx, leadID: leadID) { facts, _ in
            facts.won = facts.won || deal.status == .won
            (facts.revenueMinor, facts.currency) = (amount, currency)
        }
    }

    public static func linkDeal(_ tx: Transaction, leadID: Int64, dealID: Int64) throws {
        try tx.run("UPDATE report_lead_facts SET deal_id = ? WHERE lead_id = ?", [.integer(dealID), .integer(leadID)])
    }

    /// A dialer outcome: the lead's first attempt and operator, an offer or a lead found
    /// invalid; the operator's claim and outcome on the day and hour they took the entry.
    public static func outcome(_ tx: Transaction, _ recorded: OutcomeRecorded) throws {
        let claimed = recorded.claimedAtMilliseconds == 0 ? recorded.atMilliseconds : recorded.claimedAtMilliseconds
        let op = recorded.operatorID
        try update(tx, leadID: recorded.entry.leadID) { facts, receivedAt in
            if facts.firstAttemptSeconds == nil { facts.firstAttemptSeconds = max(0, claimed - receivedAt) / 1000 }
            if recorded.outcome == .offerMade { facts.offered = true; facts.operatorID = op }
            if facts.operatorID == nil { facts.operatorID = op }
            if recorded.outcome == .invalid { facts.lowQuality = true }
        }
        let calendar = try calendar(tx.connection)
        let column: String? = switch recorded.outcome {
        case .noAnswer: "no_answer"
        case .busy: "busy"
        case .callback: "callbacks"
        case .offerMade: "offers_made"
        case .refused: "refused"
        case .invalid: "invalid"
        case .unspecified: nil
        }
        try tx.run(
            """
            INSERT INTO report_operators (day, operator_id, claims) VALUES (?, ?, 1)
            ON CONFLICT (day, operator_id) DO UPDATE SET claims = claims + 1
            """, [.integer(calendar.day(claimed)), .integer(op)])
        if let column {
            try tx.run("UPDATE report_operators SET \(column) = \(column) + 1 WHERE day = ? AND operator_id = ?", [.integer(calendar.day(claimed)), .integer(op)])
        }
        try tx.run("INSERT OR IGNORE INTO report_operator_hours (operator_id, hour) VALUES (?, ?)", [.integer(op), .integer(calendar.hour(claimed))])
    }

    /// call.recorded (repeated as the call goes on): its talk time, to who answered, once;
    /// and (issue 26) the call and whether it was missed, by its own utm and tracking number.
    public static func call(_ tx: Transaction, _ session: CallSession) throws {
        let calendar = try calendar(tx.connection)
        try attribute(tx, session, calendar)
        let new = session.answeredByStaffID.map { (operatorID: $0, day: calendar.day(session.startedAtMilliseconds), talk: session.talkSeconds) }
        let old = try tx.queryFirst("SELECT operator_id, day, talk_seconds FROM report_calls WHERE session_id = ?", [.text(session.id)]) {
            (operatorID: $0.int64(0), day: $0.int64(1), talk: $0.int64(2))
        }
        guard old?.operatorID != new?.operatorID || old?.day != new?.day || old?.talk != new?.talk else { return }
        func add(_ part: (operatorID: Int64, day: Int64, talk: Int64), _ sign: Int64) throws {
            try tx.run(
                """
                INSERT INTO report_operators (day, operator_id, talk_seconds) VALUES (?, ?, ?)
                ON CONFLICT (day, operator_id) DO UPDATE SET talk_seconds = talk_seconds + excluded.talk_seconds
                """, [.integer(part.day), .integer(part.operatorID), .integer(sign * part.talk)])
        }
        if let old { try add(old, -1) }
        if let new {
            try add(new, 1)
            try tx.run(
                "INSERT INTO report_calls (session_id, operator_id, day, talk_seconds) VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET operator_id = excluded.operator_id, day = excluded.day, talk_seconds = excluded.talk_seconds",
                [.text(session.id), .integer(new.operatorID), .integer(new.day), .integer(new.talk)])
        } else {
            try tx.run("DELETE FROM report_calls WHERE session_id = ?", [.text(session.id)])
        }
    }

    /// The calls dimensions: a call is in the `call` channel with its own utm and tracking number.
    static func attribute(_ tx: Transaction, _ session: CallSession, _ calendar: ReportCalendar) throws {
        let missed: Int64 = session.direction == .inbound && session.ended && !session.answered ? 1 : 0
        // A call keeps the day and values it was first counted with; a repeat only moves `missed`.
        let before = try tx.queryFirst(
            "SELECT missed, day, utm_source, utm_medium, utm_campaign, tracking_number FROM report_call_sessions WHERE session_id = ?", [.text(session.id)]
        ) { (missed: $0.int64(0), day: $0.int64(1), values: ($0.string(2), $0.string(3), $0.string(4), $0.string(5))) }
        let (calls, missedChange) = before.map { (Int64(0), missed - $0.missed) } ?? (1, missed)
        guard calls != 0 || missedChange != 0 else { return }
        let day = before?.day ?? calendar.day(session.startedAtMilliseconds)
        let stored = before?.values ?? (session.utmSource, session.utmMedium, session.utmCampaign, session.trackingNumber)
        try tx.run(
            """
            INSERT INTO report_call_sessions (session_id, day, missed, utm_source, utm_medium, utm_campaign, tracking_number) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (session_id) DO UPDATE SET missed = excluded.missed
            """, [.text(session.id), .integer(day), .integer(missed), .text(stored.0), .text(stored.1), .text(stored.2), .text(stored.3)])
        let values: [(ReportDimension, String)] = [(.source, "call"), (.utmSource, stored.0), (.utmMedium, stored.1), (.utmCampaign, stored.2), (.trackingNumber, stored.3)]
        for (dimension, value) in values {
            try tx.run(
                """
                INSERT INTO report_call_counts (dimension, day, value, calls, missed) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (dimension, day, value) DO UPDATE SET calls = calls + excluded.calls, missed = missed + excluded.missed
                """, [.integer(Int64(dimension.rawValue)), .integer(day), .text(value), .integer(calls), .integer(missedChange)])
        }
    }

    private static func facts(_ row: Row) -> (LeadFacts, Int64) {
        var f = LeadFacts(day: row.int64("day"))
        f.partner = row.string("partner")
        f.source = row.string("source")
        f.region = row.string("region")
        f.product = row.string("product")
        f.operatorID = row.optionalInt64("operator_id")
        f.lowQuality = row.bool("low_quality")
        f.firstAttemptSeconds = row.optionalInt64("first_attempt_seconds")
        f.offered = row.bool("offered")
        f.won = row.bool("won")
        (f.utmSource, f.utmMedium, f.utmCampaign, f.trackingNumber) = (row.string("utm_source"), row.string("utm_medium"), row.string("utm_campaign"), row.string("tracking_number"))
        (f.opened, f.revenueMinor, f.currency) = (row.bool("opened"), row.int64("revenue_minor"), row.string("currency"))
        return (f, row.int64("received_at"))
    }

    private static func save(_ tx: Transaction, leadID: Int64, from old: LeadFacts?, to new: LeadFacts) throws {
        try tx.run(
            """
            UPDATE report_lead_facts SET day = ?, partner = ?, source = ?, region = ?, product = ?, operator_id = ?, low_quality = ?,
                first_attempt_seconds = ?, offered = ?, won = ?, utm_source = ?, utm_medium = ?, utm_campaign = ?, tracking_number = ?,
                opened = ?, revenue_minor = ?, currency = ? WHERE lead_id = ?
            """,
            [.integer(new.day), .text(new.partner), .text(new.source), .text(new.region), .text(new.product), SQLValue(new.operatorID),
             SQLValue(new.lowQuality), SQLValue(new.firstAttemptSeconds), SQLValue(new.offered), SQLValue(new.won),
             .text(new.utmSource), .text(new.utmMedium), .text(new.utmCampaign), .text(new.trackingNumber),
             SQLValue(new.opened), .integer(new.revenueMinor), .text(new.currency), .integer(leadID)])
        let (counts, delays) = LeadFacts.changes(from: old, to: new)
        for (key, c) in counts {
            try tx.run(
                """
                INSERT INTO report_counts (dimension, day, value, leads, low_quality, attempted, offers, won, opened, deals_won) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (dimension, day, value) DO UPDATE SET leads = leads + excluded.leads, low_quality = low_quality + excluded.low_quality,
                    attempted = attempted + excluded.attempted, offers = offers + excluded.offers, won = won + excluded.won,
                    opened = opened + excluded.opened, deals_won = deals_won + excluded.deals_won
                """,
                [.integer(Int64(key.dimension.rawValue)), .integer(key.day), .text(key.value), .integer(c.leads), .integer(c.lowQuality),
                 .integer(c.attempted), .integer(c.offers), .integer(c.won), .integer(c.opened), .integer(c.dealsWon)])
        }
        for (key, amount) in LeadFacts.revenueChanges(from: old, to: new) {
            try tx.run(
                """
                INSERT INTO report_revenue (dimension, day, value, currency, revenue_minor) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (dimension, day, value, currency) DO UPDATE SET revenue_minor = revenue_minor + excluded.revenue_minor
                """, [.integer(Int64(key.key.dimension.rawValue)), .integer(key.key.day), .text(key.key.value), .text(key.currency), .integer(amount)])
        }
        for (key, changes) in Dictionary(grouping: delays, by: { $0.key.key }) {
            let where_: [SQLValue] = [.integer(Int64(key.dimension.rawValue)), .integer(key.day), .text(key.value)]
            let stored = try tx.queryFirst("SELECT buckets FROM report_histograms WHERE dimension = ? AND day = ? AND value = ?", where_) { $0.blob(0) } ?? []
            let next = DelayHistogram.adding(Dictionary(changes.map { ($0.key.bucket, $0.value) }, uniquingKeysWith: +), to: stored)
            try tx.run(
                "INSERT INTO report_histograms (dimension, day, value, buckets) VALUES (?, ?, ?, ?) ON CONFLICT (dimension, day, value) DO UPDATE SET buckets = excluded.buckets",
                where_ + [.blob(next)])
        }
    }

    // MARK: Reading

    /// A report's days, `from` and `to` included: forward, at most ``maximumDays``.
    static func period(from fromText: String, to toText: String) throws -> (from: Int64, to: Int64) {
        guard let from = ReportCalendar.day(parsing: fromText) else {
            throw RPCError.invalidArgument("from must be a date written YYYY-MM-DD", details: [FieldViolation(field: "from", description: "is \"\(fromText)\"")])
        }
        guard let to = ReportCalendar.day(parsing: toText) else {
            throw RPCError.invalidArgument("to must be a date written YYYY-MM-DD", details: [FieldViolation(field: "to", description: "is \"\(toText)\"")])
        }
        guard to >= from, to - from < maximumDays else {
            throw RPCError.invalidArgument(
                "the period must run forward and cover at most \(maximumDays) days",
                details: [FieldViolation(field: "to", description: "is \(to - from + 1) days from from")])
        }
        return (from, to)
    }

    static func report(_ c: Connection, _ request: LeadReportRequest) throws -> LeadReport {
        let (from, to) = try period(from: request.from, to: request.to)
        guard request.groupBy != .unspecified else {
            throw RPCError.invalidArgument("say what to group by", details: [FieldViolation(field: "groupBy", description: "must be partner, operator, source, geography, product, utm_source, utm_medium, utm_campaign or tracking_number")])
        }
        let dimension = Int64(request.groupBy.rawValue)
        var rows: [String: LeadReportRow] = [:]
        func row(_ value: String) -> LeadReportRow { rows[value] ?? LeadReportRow(value: value) }
        for (value, leads, low, attempted, offers, won) in try c.query(
            """
            SELECT value, SUM(leads), SUM(low_quality), SUM(attempted), SUM(offers), SUM(won) FROM report_counts
            WHERE dimension = ? AND day BETWEEN ? AND ? GROUP BY value
            """, [.integer(dimension), .integer(from), .integer(to)], { ($0.string(0), $0.int64(1), $0.int64(2), $0.int64(3), $0.int64(4), $0.int64(5)) })
        {
            var r = row(value)
            (r.leads, r.lowQuality, r.attempted, r.offers, r.won) = (leads, low, attempted, offers, won)
            rows[value] = r
        }
        var merged: [String: [Int64: Int64]] = [:]
        for (value, buckets) in try c.query(
            "SELECT value, buckets FROM report_histograms WHERE dimension = ? AND day BETWEEN ? AND ?",
            [.integer(dimension), .integer(from), .integer(to)], { ($0.string(0), DelayHistogram.decode($0.blob(1))) })
        {
            for (bucket, count) in buckets { merged[value, default: [:]][bucket, default: 0] += count }
        }
        let histograms = merged.mapValues { $0.map { (bucket: $0.key, count: $0.value) } }
        // What operators did in the period: in the operator grouping, and in the total.
        var activity: [String: LeadReportRow] = [:]
        for a in try c.query(
            """
            SELECT operator_id, SUM(claims), SUM(talk_seconds), SUM(no_answer), SUM(busy), SUM(callbacks), SUM(offers_made), SUM(refused), SUM(invalid)
            FROM report_operators WHERE day BETWEEN ? AND ? GROUP BY operator_id
            """, [.integer(from), .integer(to)], { r in
                LeadReportRow(
                    value: String(r.int64(0)), claims: r.int64(1), talkSeconds: r.int64(2), noAnswer: r.int64(3), busy: r.int64(4), callbacks: r.int64(5),
                    offersMade: r.int64(6), refused: r.int64(7), invalid: r.int64(8))
            })
        {
            activity[a.value] = a
        }
        for (op, hours) in try c.query(
            "SELECT operator_id, COUNT(*) FROM report_operator_hours WHERE hour BETWEEN ? AND ? GROUP BY operator_id",
            [.integer(from * 24), .integer(to * 24 + 23)], { (String($0.int64(0)), $0.int64(1)) })
        {
            activity[op, default: LeadReportRow(value: op)].activeHours = hours
        }
        if request.groupBy == .operator {
            for (op, a) in activity {
                var r = row(op)
                (r.claims, r.activeHours, r.talkSeconds) = (a.claims, a.activeHours, a.talkSeconds)
                (r.noAnswer, r.busy, r.callbacks, r.offersMade, r.refused, r.invalid) = (a.noAnswer, a.busy, a.callbacks, a.offersMade, a.refused, a.invalid)
                rows[op] = r
            }
        }
        var total = rows.values.reduce(into: LeadReportRow()) { t, r in
            (t.leads, t.lowQuality, t.attempted, t.offers, t.won) = (t.leads + r.leads, t.lowQuality + r.lowQuality, t.attempted + r.attempted, t.offers + r.offers, t.won + r.won)
        }
        // Operators' activity (claims, talk time, outcomes) is counted per operator only:
        // in another grouping no row carries it, and the total is the sum of its rows
        // (issue 22: a source report's total showed talk time none of its rows had).
        for a in activity.values where request.groupBy == .operator {
            (total.claims, total.activeHours, total.talkSeconds) = (total.claims + a.claims, total.activeHours + a.activeHours, total.talkSeconds + a.talkSeconds)
            total.noAnswer += a.noAnswer
            total.busy += a.busy
            total.callbacks += a.callbacks
            total.offersMade += a.offersMade
            total.refused += a.refused
            total.invalid += a.invalid
        }
        var all: [Int64: Int64] = [:]
        for list in histograms.values { for (bucket, count) in list { all[bucket, default: 0] += count } }
        // A group whose leads all moved on (to an operator, say) leaves a zero counter behind.
        rows = rows.filter { $0.value.leads != 0 || $0.value.claims != 0 || $0.value.activeHours != 0 || $0.value.talkSeconds != 0 }
        let ordered = rows.values.sorted { ($0.leads, $1.value) > ($1.leads, $0.value) }.map { finished($0, histograms[$0.value] ?? []) }
        return LeadReport(
            from: ReportCalendar.text(from), to: ReportCalendar.text(to), groupBy: request.groupBy, rows: ordered,
            total: finished(total, all.map { ($0.key, $0.value) }), utcOffsetMinutes: try calendar(c).offsetMinutes)
    }

    /// The ratios and percentiles of a row's counts.
    static func finished(_ row: LeadReportRow, _ histogram: [(bucket: Int64, count: Int64)]) -> LeadReportRow {
        var r = row
        func ratio(_ a: Int64, _ b: Int64) -> Double { b == 0 ? 0 : (Double(a) / Double(b) * 10_000).rounded() / 10_000 }
        r.lowQualityShare = ratio(r.lowQuality, r.leads)
        r.offerRate = ratio(r.offers, r.leads)
        r.wonRate = ratio(r.won, r.leads)
        r.claimsPerHour = ratio(r.claims, r.activeHours)
        r.firstAttemptMedianSeconds = DelayHistogram.percentile(50, of: histogram)
        r.firstAttemptP90Seconds = DelayHistogram.percentile(90, of: histogram)
        return r
    }
}
