import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Wire

/// Issue 26 item 6: sends each run of a scheduled report once. For each staff member it
/// asks deals for the report as that member may see it (G3: a report over every lead goes
/// only to those who see everything; the manager and NPS reports are narrowed to their
/// team) and writes an email with the CSV attached; the Telegram chat gets the summary.
/// The messages go through the send log (retries, the log, its statuses) like any other;
/// a run whose report cannot be read yet (deals down) is tried again.
public final class ReportMailer: BackgroundService {
    private let database: Database
    private let contacts: RPCClient
    private let deals: RPCClient
    private let logger: Logger
    private let clock: WallClock
    private let zone: TimeZone
    private let loop = BackgroundLoop()

    public init(database: Database, contacts: RPCClient, deals: RPCClient, logger: Logger, clock: WallClock, zone: TimeZone) {
        self.database = database
        self.contacts = contacts
        self.deals = deals
        self.logger = logger
        self.clock = clock
        self.zone = zone
        database.onCommit { [loop] commit in if commit.topics.contains(ScheduledReportStore.topic) { loop.wake() } }
    }

    public func start() { loop.start { [self] in await run() } }
    public func stop() async { await loop.stop() }

    /// The rule id of a report's messages: negative (written already), apart from alerts'.
    static func ruleID(_ reportID: Int64) -> Int64 { -1_000_000_000 - reportID }

    private func run() async {
        while !Task.isCancelled {
            var wait: Duration = .seconds(1)
            do {
                let now = clock.milliseconds
                let zone = self.zone
                let (runs, next) = try await database.write { tx in
                    try ScheduledReportStore.fire(tx, now: now, zone: zone)
                    return (
                        try tx.query("SELECT report_id, period_from, period_to FROM report_runs WHERE done = 0 ORDER BY due_at LIMIT 20", []) {
                            (id: $0.int64(0), from: $0.string(1), to: $0.string(2))
                        },
                        try tx.queryFirst("SELECT MIN(next_at) FROM scheduled_reports WHERE deleted = 0", []) { $0.optionalInt64(0) } ?? nil)
                }
                var failed = false
                for r in runs where !(await send(r.id, from: r.from, to: r.to, now: now)) { failed = true }
                wait = failed ? .seconds(5) : (runs.count == 20 ? .zero : clock.sleep(until: next, now: now))
            } catch {
                logger.error("cannot send scheduled reports", ["error": "\(error)"])
            }
            if wait > .zero { await loop.wait(upTo: wait) }
        }
    }

    /// One run: every recipient's message written, the run done, the report's last note; false to try again.
    func send(_ id: Int64, from: String, to: String, now: Int64) async -> Bool {
        do {
            guard let report = try await database.read({ c in try ScheduledReportStore.load(c, id) }) else {
                _ = try await database.write { tx in try tx.run("UPDATE report_runs SET done = 1 WHERE report_id = ? AND period_from = ?", [.integer(id), .text(from)]) }
                return true
            }
            let options = CallOptions(timeout: .seconds(30))
            var messages: [OutboundMessage] = []
            var notes: [String] = []
            let file = "\(report.kind.name)-\(from)-\(to).csv"
            // One read per view of the figures: everyone who sees everything shares one.
            var read: [[Int64]?: (any ReportTable)?] = [:]
            func table(for visibility: Visibility?) async throws -> (any ReportTable)? {
                if let known = read[visibility?.staffIDs] { return known }
                let answer = try await self.table(report, from: from, to: to, visibility: visibility, options: options)
                read[visibility?.staffIDs] = .some(answer)
                return answer
            }
            for staffID in report.staffIDs {
                guard let member = try await RPCError.nilIfNotFound({ try await contacts.call(Contacts.getStaff, GetStaffRequest(id: staffID), options: options) }),
                    member.deactivatedAtMilliseconds == nil
                else { notes.append("staff \(staffID): gone"); continue }
                guard !member.email.isEmpty else { notes.append("staff \(staffID): no email"); continue }
                let team = try await contacts.call(Contacts.team, GetStaffRequest(id: staffID), options: options)
                let visibility = team.everyone ? nil : Visibility(restricted: true, staffIDs: team.memberIDs)
                guard let table = try await table(for: visibility) else {
                    notes.append("staff \(staffID): sees only their team; this report covers every lead")
                    continue
                }
                var m = Self.message(report, channel: .email, address: member.email, now: now, period: "\(from) – \(to)")
                m.subject = "\(report.name): \(from) – \(to)"
                m.body = "<p>\(Self.escaped(table.summary))</p><p>The figures are attached (\(file)).</p>"
                (m.attachmentName, m.attachment) = (file, CSVText.document(header: table.tableHeader, rows: table.tableRows))
                messages.append(m)
            }
            if !report.telegramChat.isEmpty, let table = try await table(for: nil) {
                var m = Self.message(report, channel: .telegram, address: report.telegramChat, now: now, period: "\(from) – \(to)")
                m.body = "\(report.name)\n\(table.summary)"
                messages.append(m)
            }
            let written = messages, note = (["sent for \(from) – \(to) to \(messages.count) recipients"] + notes).joined(separator: "; ")
            try await database.write { tx in
                for var m in written { _ = try OutboundLog.insertWritten(tx, &m) }
                try tx.run("UPDATE report_runs SET done = 1 WHERE report_id = ? AND period_from = ?", [.integer(id), .text(from)])
                if var current = try ScheduledReportStore.load(tx.connection, id) {
                    (current.lastSentAtMilliseconds, current.lastNote) = (now, note)
                    try ScheduledReportStore.save(tx, current)
                }
                tx.touch(EventIntake.sendsTopic)
            }
            return true
        } catch {
            logger.warn("a scheduled report waits", ["report": "\(id)", "period": from, "error": "\(error)"])
            return false
        }
    }

    /// The report as deals answers it for a caller who sees `visibility`; nil when the report
    /// covers every lead and the caller sees only their team.
    func table(_ report: ScheduledReport, from: String, to: String, visibility: Visibility?, options: CallOptions) async throws -> (any ReportTable)? {
        switch report.kind {
        case .leads:
            guard visibility == nil else { return nil }
            return try await deals.call(Deals.leadReport, LeadReportRequest(from: from, to: to, groupBy: Self.dimension(report.groupBy)), options: options)
        case .attribution:
            guard visibility == nil else { return nil }
            return try await deals.call(
                Deals.attributionReport, AttributionRequest(from: from, to: to, groupBy: Self.dimension(report.groupBy), currency: report.currency), options: options)
        case .managers:
            return try await deals.call(
                Deals.managerReport, ManagerReportRequest(from: from, to: to, currency: report.currency, visibility: visibility ?? .everything), options: options)
        case .nps:
            let groupBy = NPSDimension.allCases.first { $0.name == report.groupBy } ?? .pipeline
            return try await deals.call(
                Deals.npsReport, NPSRequest(from: from, to: to, groupBy: groupBy, field: report.field, visibility: visibility ?? .everything), options: options)
        case .unspecified:
            return nil
        }
    }

    static func dimension(_ name: String) -> ReportDimension {
        ReportDimension.allCases.first { $0.name == name } ?? .source
    }

    static func message(_ report: ScheduledReport, channel: NotificationChannel, address: String, now: Int64, period: String) -> OutboundMessage {
        var m = OutboundMessage()
        m.ruleID = ruleID(report.id)
        m.eventID = "report-\(report.id)-\(period)"
        m.eventType = "report"
        m.channel = channel
        m.address = address
        m.status = .scheduled
        m.dueAtMilliseconds = now
        m.createdAtMilliseconds = now
        m.sourceKey = "report-\(report.id)"
        m.history = [OutboundMessageChange(atMilliseconds: now, status: .scheduled, note: "scheduled report \(report.id) (\(report.name)), \(period)")]
        return m
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
