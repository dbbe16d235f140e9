import Contracts
import Foundation
import ServiceKit
import Storage
import Wire

/// Issue 26 item 6: the reports admins schedule, and their sendings. A report's next time
/// is kept with it, so the schedule is a durable timer: when the time has come (even long
/// after, the service having been down) one run per period is written in the same
/// transaction that moves the next time on, and ``ReportMailer`` sends each run once.
public struct ScheduledReportStore: Sendable {
    static let topic = "reports.due"
    /// The groupings each kind of report has (as its own API names them).
    static let groupings: [ScheduledReportKind: [String]] = [
        .leads: ["partner", "operator", "source", "geography", "product", "utm_source", "utm_medium", "utm_campaign", "tracking_number"],
        .attribution: ["source", "utm_source", "utm_medium", "utm_campaign", "tracking_number"],
        .managers: [""],
        .nps: ["pipeline", "responsible", "product", "field"],
    ]

    let database: Database
    let clock: WallClock
    let zone: TimeZone

    public init(database: Database, clock: WallClock, zone: TimeZone) {
        self.database = database
        self.clock = clock
        self.zone = zone
    }

    /// Checks what the report needs (its grouping, currency, field, someone to send to) and
    /// plans its first sending.
    public func create(_ input: ScheduledReport) async throws -> ScheduledReport {
        var violations = input.violations()
        let grouping = input.groupBy.trimmingCharacters(in: .whitespaces)
        if let allowed = Self.groupings[input.kind], !allowed.contains(grouping) {
            violations.append(FieldViolation(field: "groupBy", description: allowed == [""] ? "is not taken by this report" : "must be one of \(allowed.joined(separator: ", "))"))
        }
        if [.attribution, .managers].contains(input.kind), Money.exponents[input.currency] == nil {
            violations.append(FieldViolation(field: "currency", description: "is required: a currency this service knows (RUB, USD...)"))
        }
        if input.kind == .nps && grouping == "field" && input.field.trimmingCharacters(in: .whitespaces).isEmpty {
            violations.append(FieldViolation(field: "field", description: "is required with groupBy=field"))
        }
        let chat = input.telegramChat.trimmingCharacters(in: .whitespaces)
        if input.staffIDs.isEmpty && chat.isEmpty {
            violations.append(FieldViolation(field: "staffIds", description: "name staff to email it to, or a telegramChat"))
        }
        if !chat.isEmpty, Int64(chat) == nil {
            violations.append(FieldViolation(field: "telegramChat", description: "is a Telegram chat id (digits, − for a group)"))
        }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the scheduled report is not valid", details: violations) }
        let now = clock.milliseconds
        var report = input
        (report.groupBy, report.telegramChat) = (grouping, chat)
        report.field = input.field.trimmingCharacters(in: .whitespaces)
        var seen = Set<Int64>()
        report.staffIDs = input.staffIDs.filter { seen.insert($0).inserted }
        report.createdAtMilliseconds = now
        report.nextAtMilliseconds = ReportSchedule.next(after: now, every: report.every, hour: report.hour, zone: zone)
        (report.lastSentAtMilliseconds, report.lastNote) = (nil, "")
        let stored = report
        return try await database.write { tx in
            try tx.run("INSERT INTO scheduled_reports (next_at, report) VALUES (?, ?)", [.integer(stored.nextAtMilliseconds), .blob([])])
            var saved = stored
            saved.id = tx.lastInsertRowID
            try Self.save(tx, saved)
            tx.touch(Self.topic)
            return saved
        }
    }

    public func list() async throws -> ScheduledReportList {
        try await database.read { c in
            ScheduledReportList(reports: try c.query("SELECT report FROM scheduled_reports WHERE deleted = 0 ORDER BY id", []) { try ScheduledReport(wireBytes: $0.blob(0)) })
        }
    }

    /// It is sent no more (a sending under way finishes); not_found for no such report.
    public func delete(_ id: Int64) async throws -> ScheduledReport {
        try await database.write { tx in
            guard let report = try Self.load(tx.connection, id) else { throw RPCError.notFound("scheduled report \(id) does not exist") }
            try tx.run("UPDATE scheduled_reports SET deleted = 1 WHERE id = ?", [.integer(id)])
            return report
        }
    }

    /// The reports whose time has come: a run for the period each sending covers (once), and
    /// their next time, in one transaction. A service down for weeks sends the last period only.
    static func fire(_ tx: Transaction, now: Int64, zone: TimeZone) throws {
        for var report in try tx.query(
            "SELECT report FROM scheduled_reports WHERE deleted = 0 AND next_at <= ? ORDER BY next_at LIMIT 100", [.integer(now)], { try ScheduledReport(wireBytes: $0.blob(0)) })
        {
            let period = ReportSchedule.period(sentAt: report.nextAtMilliseconds, every: report.every, zone: zone)
            try tx.run(
                "INSERT OR IGNORE INTO report_runs (report_id, period_from, period_to, due_at) VALUES (?, ?, ?, ?)",
                [.integer(report.id), .text(period.from), .text(period.to), .integer(report.nextAtMilliseconds)])
            report.nextAtMilliseconds = ReportSchedule.next(after: max(now, report.nextAtMilliseconds), every: report.every, hour: report.hour, zone: zone)
            try save(tx, report)
            tx.touch(topic)
        }
    }

    static func load(_ c: Connection, _ id: Int64) throws -> ScheduledReport? {
        try c.queryFirst("SELECT report FROM scheduled_reports WHERE id = ? AND deleted = 0", [.integer(id)]) { try ScheduledReport(wireBytes: $0.blob(0)) }
    }

    static func save(_ tx: Transaction, _ report: ScheduledReport) throws {
        try tx.run("UPDATE scheduled_reports SET next_at = ?, report = ? WHERE id = ?", [.integer(report.nextAtMilliseconds), .blob(report.wireBytes()), .integer(report.id)])
    }
}
