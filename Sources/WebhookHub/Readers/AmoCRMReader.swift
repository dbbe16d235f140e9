import Contracts
import Foundation
import Sockets

/// G7: an amoCRM account read through its API v4 with a long-lived token, as import rows:
/// users (staff), contacts (their company by name, phones and emails from the PHONE and
/// EMAIL fields, other fields as custom fields), pipelines with their statuses (142 won,
/// 143 lost), leads (deals, with their main contact, price, loss reason and dates), tasks,
/// and notes (common ones as notes, call_in and call_out as past calls). Lists are read
/// 250 a page until amoCRM answers 204, within its 7 requests a second.
public struct AmoCRMReader {
    public static let pageSize = 250
    public static let requestsPerSecond = 7

    let pages: ProviderPages

    /// `baseURL`: the account's address (`https://example.amocrm.ru`).
    public init(baseURL: String, token: String, outbound: OutboundPolicy, perSecond: Int = Self.requestsPerSecond) {
        pages = ProviderPages(baseURL: baseURL, headers: ["Authorization": "Bearer \(token)"], outbound: outbound, perSecond: perSecond)
    }

    public func read(into write: (ImportRow) throws -> Void) async throws {
        let account = try await pages.json("/api/v4/account") ?? [:]
        let currency = (account["currency"] as? String) ?? "RUB"
        try await each("/api/v4/users", "users") { user in
            try write(ImportRow(staff: Self.staff(user)))
        }
        var companies: [Int: String] = [:]
        try await each("/api/v4/companies", "companies") { company in
            if let id = company["id"] as? Int { companies[id] = company["name"] as? String ?? "" }
        }
        try await each("/api/v4/contacts", "contacts") { contact in
            try write(ImportRow(contact: Self.contact(contact, companies: companies)))
        }
        let pipelines = try await pages.json("/api/v4/leads/pipelines") ?? [:]
        for pipeline in Self.embedded(pipelines, "pipelines") {
            try write(ImportRow(pipeline: Self.pipeline(pipeline)))
        }
        var lossReasons: [Int: String] = [:]
        try await each("/api/v4/leads/loss_reasons", "loss_reasons") { reason in
            if let id = reason["id"] as? Int { lossReasons[id] = reason["name"] as? String ?? "" }
        }
        try await each("/api/v4/leads", "leads", query: [("with", "contacts")]) { lead in
            let id = Self.text(lead["id"])
            var contact = Self.mainContact(lead)
            if contact.isEmpty {
                // A deal here has a person: a lead without a contact gets one named as the lead.
                contact = "lead-\(id)"
                try write(ImportRow(contact: ImportedContact(externalID: contact, firstName: String((lead["name"] as? String ?? "").prefix(200)))))
            }
            try write(ImportRow(deal: Self.deal(lead, contact: contact, currency: currency, lossReasons: lossReasons)))
        }
        try await each("/api/v4/tasks", "tasks") { task in
            if let row = Self.task(task) { try write(ImportRow(task: row)) }
        }
        for entity in ["leads", "contacts"] {
            try await each("/api/v4/\(entity)/notes", "notes") { note in
                if let row = Self.note(note, on: entity) { try write(row) }
            }
        }
    }

    /// Every item of a paged list, page after page until amoCRM has no more.
    func each(_ path: String, _ key: String, query: [(String, String)] = [], _ body: ([String: Any]) throws -> Void) async throws {
        var page = 1
        while let answer = try await pages.json(path, query: query + [("page", "\(page)"), ("limit", "\(Self.pageSize)")]) {
            let items = Self.embedded(answer, key)
            for item in items { try body(item) }
            guard items.count == Self.pageSize, (answer["_links"] as? [String: Any])?["next"] != nil else { return }
            page += 1
        }
    }

    static func embedded(_ answer: [String: Any], _ key: String) -> [[String: Any]] {
        (answer["_embedded"] as? [String: Any])?[key] as? [[String: Any]] ?? []
    }

    static func text(_ value: Any?) -> String { ProviderPages.text(value) }

    /// An id that may be 0 for "nobody" (a robot's note, an unassigned lead).
    static func person(_ value: Any?) -> String {
        let id = text(value)
        return id == "0" ? "" : id
    }

    static func milliseconds(_ value: Any?) -> Int64? {
        guard let seconds = value as? Int, seconds > 0 else { return nil }
        return Int64(seconds) * 1000
    }

    static func staff(_ user: [String: Any]) -> ImportedStaff {
        let name = (user["name"] as? String ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        var staff = ImportedStaff(externalID: text(user["id"]), firstName: name.first ?? "User \(text(user["id"]))", lastName: name.count > 1 ? name[1] : "")
        staff.email = user["email"] as? String ?? ""
        staff.role = ((user["rights"] as? [String: Any])?["is_admin"] as? Bool) == true ? .admin : .manager
        return staff
    }

    /// The values of a card's custom fields: PHONE and EMAIL apart, the rest by name.
    static func fields(_ card: [String: Any]) -> (phones: [String], emails: [String], others: [CustomField]) {
        var phones: [String] = [], emails: [String] = [], others: [CustomField] = []
        for field in card["custom_fields_values"] as? [[String: Any]] ?? [] {
            let values = (field["values"] as? [[String: Any]] ?? []).map { text($0["value"]) }.filter { !$0.isEmpty }
            switch field["field_code"] as? String {
            case "PHONE": phones += values
            case "EMAIL": emails += values
            default:
                let name = (field["field_name"] as? String) ?? "field \(text(field["field_id"]))"
                if !values.isEmpty { others.append(CustomField(name: String(name.prefix(64)), value: String(values.joined(separator: ", ").prefix(4000)))) }
            }
        }
        return (phones, emails, others)
    }

    static func contact(_ card: [String: Any], companies: [Int: String]) -> ImportedContact {
        var contact = ImportedContact(externalID: text(card["id"]))
        let (phones, emails, others) = fields(card)
        contact.firstName = card["first_name"] as? String ?? ""
        contact.lastName = card["last_name"] as? String ?? ""
        if contact.firstName.isEmpty && contact.lastName.isEmpty { contact.firstName = card["name"] as? String ?? "" }
        (contact.phones, contact.emails, contact.customFields) = (Array(phones.prefix(20)), Array(emails.prefix(20)), others)
        let embedded = card["_embedded"] as? [String: Any] ?? [:]
        if let company = (embedded["companies"] as? [[String: Any]])?.first?["id"] as? Int { contact.company = companies[company] ?? "" }
        contact.tags = (embedded["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.filter { !$0.isEmpty }
        contact.responsible = person(card["responsible_user_id"])
        contact.createdAtMilliseconds = milliseconds(card["created_at"])
        return contact
    }

    static func pipeline(_ pipeline: [String: Any]) -> ImportedPipeline {
        var row = ImportedPipeline(externalID: text(pipeline["id"]), name: pipeline["name"] as? String ?? "Pipeline \(text(pipeline["id"]))")
        let statuses = ((pipeline["_embedded"] as? [String: Any])?["statuses"] as? [[String: Any]] ?? []).sorted { ($0["sort"] as? Int ?? 0) < ($1["sort"] as? Int ?? 0) }
        row.stages = statuses.map { status in
            let id = status["id"] as? Int ?? 0
            return ImportedStage(externalID: "\(id)", name: status["name"] as? String ?? "\(id)", outcome: id == 142 ? .won : id == 143 ? .lost : .inProgress)
        }
        return row
    }

    static func mainContact(_ lead: [String: Any]) -> String {
        let contacts = (lead["_embedded"] as? [String: Any])?["contacts"] as? [[String: Any]] ?? []
        return text((contacts.first { $0["is_main"] as? Bool == true } ?? contacts.first)?["id"])
    }

    static func deal(_ lead: [String: Any], contact: String, currency: String, lossReasons: [Int: String]) -> ImportedDeal {
        var deal = ImportedDeal(externalID: text(lead["id"]), title: lead["name"] as? String ?? "", contact: contact)
        if deal.title.trimmingCharacters(in: .whitespaces).isEmpty { deal.title = "Lead \(deal.externalID)" }
        deal.pipeline = text(lead["pipeline_id"])
        deal.stage = text(lead["status_id"])
        deal.responsible = person(lead["responsible_user_id"])
        if let price = lead["price"] as? Int, price > 0 { (deal.amountMinor, deal.currency) = (Int64(price) * 100, currency) }
        deal.customFields = fields(lead).others
        deal.createdAtMilliseconds = milliseconds(lead["created_at"])
        deal.closedAtMilliseconds = milliseconds(lead["closed_at"])
        if let reason = lead["loss_reason_id"] as? Int { deal.lossReason = lossReasons[reason] ?? "" }
        return deal
    }

    static func task(_ task: [String: Any]) -> ImportedTask? {
        var row = ImportedTask(externalID: text(task["id"]))
        switch task["entity_type"] as? String {
        case "leads": row.deal = text(task["entity_id"])
        case "contacts": row.contact = text(task["entity_id"])
        default: return nil
        }
        row.kind = switch task["task_type_id"] as? Int {
        case 1: .callBack
        case 2: .meeting
        default: .followUp
        }
        row.title = String((task["text"] as? String ?? "").prefix(500))
        row.assignee = person(task["responsible_user_id"])
        row.dueAtMilliseconds = milliseconds(task["complete_till"])
        row.createdAtMilliseconds = milliseconds(task["created_at"])
        if task["is_completed"] as? Bool == true {
            row.status = .done
            row.completedAtMilliseconds = milliseconds(task["updated_at"])
        }
        return row
    }

    /// A common note is a note; a call note a past call on the timeline; the rest (system
    /// messages) are not carried over.
    static func note(_ note: [String: Any], on entity: String) -> ImportRow? {
        let id = text(note["id"]), target = text(note["entity_id"])
        let params = note["params"] as? [String: Any] ?? [:]
        let (deal, contact) = entity == "leads" ? (target, "") : ("", target)
        switch note["note_type"] as? String {
        case "common":
            let text = (params["text"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return nil }
            return ImportRow(note: ImportedNote(
                externalID: id, deal: deal, contact: contact, text: String(text.prefix(10_000)), author: Self.person(note["created_by"]),
                createdAtMilliseconds: milliseconds(note["created_at"])))
        case let type? where type == "call_in" || type == "call_out":
            guard let at = milliseconds(note["created_at"]) else { return nil }
            let duration = params["duration"] as? Int ?? 0
            let phone = params["phone"] as? String ?? ""
            var summary = "\(type == "call_in" ? "incoming call from" : "outgoing call to") \(phone), \(duration / 60):\(String(format: "%02d", duration % 60))"
            if let result = params["call_result"] as? String, !result.isEmpty { summary += ", \(result)" }
            return ImportRow(activity: ImportedActivity(
                externalID: "note-\(id)", deal: deal, contact: contact, kind: "call", atMilliseconds: at, summary: String(summary.prefix(4000)),
                actor: Self.person(note["created_by"])))
        default:
            return nil
        }
    }
}
