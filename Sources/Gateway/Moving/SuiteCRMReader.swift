import Contracts
import Foundation
import WebhookHub

/// G7: SuiteCRM's CSV exports (seed 004's call center) as import rows, one module a file.
/// Columns are found by SuiteCRM's field names or their labels (`first_name` or "First
/// Name", `phone_work` or "Office Phone"), whichever the export has:
/// - Accounts: each a contact for the company (keyed by its name, as opportunities name it);
/// - Contacts: contacts, their account as the company;
/// - Leads: a contact and a deal each, on a "SuiteCRM leads" pipeline of the lead statuses
///   (Converted won, Dead lost);
/// - Opportunities: deals on a "SuiteCRM opportunities" pipeline of the sales stages, the
///   account's contact as theirs;
/// - Calls: held calls as past calls on their contact's, lead's or opportunity's timeline,
///   planned ones as call-back tasks.
/// Assigned users are named by full name: staff with those names must be in Switchboard.
public struct SuiteCRMReader {
    public enum Module: String, CaseIterable, Sendable {
        case accounts = "Accounts", contacts = "Contacts", leads = "Leads", opportunities = "Opportunities", calls = "Calls"
    }

    static let aliases: [String: [String]] = [
        "id": ["id"], "first_name": ["first_name"], "last_name": ["last_name"], "name": ["name", "opportunity_name", "subject", "account_name_only"],
        "email": ["email1", "email_address", "email", "any_email"], "phone_work": ["phone_work", "office_phone", "phone_office"],
        "phone_mobile": ["phone_mobile", "mobile_phone", "mobile"], "phone_other": ["phone_home", "phone_other", "home_phone", "other_phone", "phone_alternate"],
        "account_name": ["account_name"], "assigned": ["assigned_user_name", "assigned_to", "assigned_user"], "created": ["date_entered", "date_created"],
        "lead_source": ["lead_source"], "status": ["status"], "sales_stage": ["sales_stage"], "amount": ["amount", "opportunity_amount"],
        "currency": ["currency_iso", "currency"], "closed": ["date_closed", "expected_close_date"], "description": ["description"],
        "direction": ["direction"], "start": ["date_start", "start_date"], "hours": ["duration_hours"], "minutes": ["duration_minutes"],
        "parent_type": ["parent_type"], "parent_id": ["parent_id"],
    ]
    static let leadStatuses: [(String, StageOutcome)] = [
        ("New", .inProgress), ("Assigned", .inProgress), ("In Process", .inProgress), ("Recycled", .inProgress), ("Converted", .won), ("Dead", .lost),
    ]
    static let salesStages: [(String, StageOutcome)] = [
        ("Prospecting", .inProgress), ("Qualification", .inProgress), ("Needs Analysis", .inProgress), ("Value Proposition", .inProgress),
        ("Id. Decision Makers", .inProgress), ("Perception Analysis", .inProgress), ("Proposal/Price Quote", .inProgress),
        ("Negotiation/Review", .inProgress), ("Closed Won", .won), ("Closed Lost", .lost),
    ]

    let module: Module
    let path: String
    /// The currency of amounts whose export names none.
    let currency: String

    public init(module: Module, path: String, currency: String = "RUB") {
        self.module = module
        self.path = path
        self.currency = currency
    }

    /// Rows it made, and records it could not place (a call on an account).
    public func read(into write: (ImportRow) throws -> Void) throws -> Int {
        var file = try ImportFile(path: path, offset: 0, line: 0, quoted: true)
        defer { file.close() }
        guard var head = try file.next() else { throw ReaderError("\(path) is empty") }
        if head.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { head.bytes.removeFirst(3) }
        let header = CSVImportLayout.fields(head.bytes).map { $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_") }
        var column: [String: Int] = [:]
        for (name, names) in Self.aliases { if let i = header.firstIndex(where: names.contains) { column[name] = i } }
        guard column["id"] != nil || module == .accounts else { throw ReaderError("\(path) has no id column: export it with the ID field") }
        switch module {
        case .leads: try write(ImportRow(pipeline: Self.pipeline("suitecrm-leads", "SuiteCRM leads", Self.leadStatuses)))
        case .opportunities: try write(ImportRow(pipeline: Self.pipeline("suitecrm-opportunities", "SuiteCRM opportunities", Self.salesStages)))
        default: break
        }
        var skipped = 0
        var accounts = Set<String>()
        while let record = try file.next() {
            let fields = CSVImportLayout.fields(record.bytes)
            func value(_ name: String) -> String {
                guard let i = column[name], i < fields.count else { return "" }
                return fields[i].trimmingCharacters(in: .whitespaces)
            }
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            switch module {
            case .accounts:
                let name = value("name")
                guard !name.isEmpty else { skipped += 1; continue }
                var contact = ImportedContact(externalID: Self.accountKey(name), firstName: String(name.prefix(200)), company: String(name.prefix(200)))
                contact.phones = [value("phone_work"), value("phone_other")].filter { !$0.isEmpty }
                contact.emails = [value("email")].filter { !$0.isEmpty }
                contact.responsible = value("assigned")
                contact.createdAtMilliseconds = Self.milliseconds(value("created"))
                try write(ImportRow(contact: contact))
            case .contacts, .leads:
                let key = module == .leads ? "lead-\(value("id"))" : value("id")
                var contact = ImportedContact(externalID: key, firstName: value("first_name"), lastName: value("last_name"), company: value("account_name"))
                contact.phones = [value("phone_mobile"), value("phone_work"), value("phone_other")].filter { !$0.isEmpty }
                contact.emails = [value("email")].filter { !$0.isEmpty }
                contact.responsible = value("assigned")
                contact.createdAtMilliseconds = Self.milliseconds(value("created"))
                contact.channel = String(value("lead_source").prefix(50))
                try write(ImportRow(contact: contact))
                guard module == .leads else { continue }
                let title = [contact.firstName, contact.lastName].filter { !$0.isEmpty }.joined(separator: " ")
                var deal = ImportedDeal(externalID: key, title: title.isEmpty ? "Lead \(value("id"))" : String(title.prefix(300)), contact: key)
                deal.pipeline = "suitecrm-leads"
                let status = value("status")
                deal.stage = Self.leadStatuses.contains { $0.0.lowercased() == status.lowercased() } ? status : "New"
                deal.responsible = contact.responsible
                deal.source = contact.channel
                deal.createdAtMilliseconds = contact.createdAtMilliseconds
                if status.lowercased() == "dead" { deal.lossReason = String(value("description").prefix(1000)) }
                try write(ImportRow(deal: deal))
            case .opportunities:
                let account = value("account_name")
                let contactKey = account.isEmpty ? "opportunity-\(value("id"))" : Self.accountKey(account)
                let title = value("name").isEmpty ? "Opportunity \(value("id"))" : String(value("name").prefix(300))
                // The account's contact, should its Accounts export not have come first (what
                // an import leaves empty stays as it was).
                if accounts.insert(contactKey).inserted {
                    try write(ImportRow(contact: ImportedContact(externalID: contactKey, firstName: String((account.isEmpty ? title : account).prefix(200)), company: String(account.prefix(200)))))
                }
                var deal = ImportedDeal(externalID: value("id"), title: title, contact: contactKey)
                deal.pipeline = "suitecrm-opportunities"
                let stage = value("sales_stage")
                deal.stage = Self.salesStages.contains { $0.0.lowercased() == stage.lowercased() } ? stage : "Prospecting"
                deal.responsible = value("assigned")
                if let amount = Double(value("amount").replacingOccurrences(of: ",", with: "")), amount > 0 {
                    deal.amountMinor = Int64((amount * 100).rounded())
                    deal.currency = value("currency").count == 3 ? value("currency").uppercased() : currency
                }
                deal.source = String(value("lead_source").prefix(50))
                deal.createdAtMilliseconds = Self.milliseconds(value("created"))
                if stage.lowercased().hasPrefix("closed") { deal.closedAtMilliseconds = Self.milliseconds(value("closed")).map { max($0, deal.createdAtMilliseconds ?? 0) } }
                try write(ImportRow(deal: deal))
            case .calls:
                let parent = value("parent_id")
                let (deal, contact): (String, String) = switch value("parent_type") {
                case "Opportunities": (parent, "")
                case "Contacts": ("", parent)
                case "Leads": ("", "lead-\(parent)")
                default: ("", "")
                }
                guard !parent.isEmpty, !deal.isEmpty || !contact.isEmpty else { skipped += 1; continue }
                let minutes = (Int(value("hours")) ?? 0) * 60 + (Int(value("minutes")) ?? 0)
                let start = Self.milliseconds(value("start"))
                if value("status").lowercased() == "planned" {
                    var task = ImportedTask(externalID: "call-\(value("id"))", deal: deal, contact: contact, kind: .callBack, title: String(value("name").prefix(500)))
                    task.assignee = value("assigned")
                    task.dueAtMilliseconds = start
                    try write(ImportRow(task: task))
                    continue
                }
                guard let at = start else { skipped += 1; continue }
                var summary = "\(value("direction").lowercased() == "inbound" ? "incoming" : "outgoing") call, \(minutes) min"
                if value("status").lowercased() == "not held" { summary += ", not held" }
                if !value("name").isEmpty { summary += ": \(value("name"))" }
                if !value("description").isEmpty { summary += " — \(value("description"))" }
                try write(ImportRow(activity: ImportedActivity(
                    externalID: "call-\(value("id"))", deal: deal, contact: contact, kind: "call", atMilliseconds: at, summary: String(summary.prefix(4000)),
                    actor: value("assigned"))))
            }
        }
        return skipped
    }

    static func accountKey(_ name: String) -> String { "account-" + String(name.lowercased().prefix(180)) }

    static func pipeline(_ key: String, _ name: String, _ stages: [(String, StageOutcome)]) -> ImportedPipeline {
        ImportedPipeline(externalID: key, name: name, stages: stages.map { ImportedStage(name: $0.0, outcome: $0.1) })
    }

    /// SuiteCRM's dates as its users format them; taken as UTC.
    static func milliseconds(_ text: String) -> Int64? {
        guard !text.isEmpty else { return nil }
        for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "MM/dd/yyyy HH:mm", "MM/dd/yyyy hh:mma", "dd.MM.yyyy HH:mm", "MM/dd/yyyy", "dd.MM.yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        return nil
    }
}
