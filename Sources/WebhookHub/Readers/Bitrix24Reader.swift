import Contracts
import Foundation
import Sockets

/// G7: a Bitrix24 portal read through an inbound webhook URL (`https://<portal>/rest/<user>/<secret>/`)
/// as import rows: users (`user.get`), companies for their names, contacts (`crm.contact.list`
/// with PHONE and EMAIL), deal pipelines (`crm.dealcategory.list`, the default one 0) and their
/// stages (`crm.status.list`, SEMANTICS S won, F lost), deals (`crm.deal.list`), and activities
/// (`crm.activity.list`: calls done are past calls on the timeline, open ones call-back tasks;
/// meetings and tasks are tasks; emails are timeline entries). Lists come 50 at a time by
/// `start`, within Bitrix24's 2 requests a second.
public struct Bitrix24Reader {
    public static let requestsPerSecond = 2

    let pages: ProviderPages

    public init(webhookURL: String, outbound: OutboundPolicy, perSecond: Int = Self.requestsPerSecond) {
        pages = ProviderPages(baseURL: webhookURL, headers: ["Content-Type": "application/json"], outbound: outbound, perSecond: perSecond)
    }

    init(pages: ProviderPages) {
        self.pages = pages
    }

    public func read(into write: (ImportRow) throws -> Void) async throws {
        try await each("user.get", [:]) { user in
            var staff = ImportedStaff(externalID: Self.text(user["ID"]), firstName: Self.text(user["NAME"]), lastName: Self.text(user["LAST_NAME"]))
            if staff.firstName.trimmingCharacters(in: .whitespaces).isEmpty { staff.firstName = "User \(staff.externalID)" }
            staff.email = Self.text(user["EMAIL"])
            staff.role = .manager
            try write(ImportRow(staff: staff))
        }
        var companies: [String: String] = [:]
        try await each("crm.company.list", ["select": ["ID", "TITLE"]]) { companies[Self.text($0["ID"])] = Self.text($0["TITLE"]) }
        try await each("crm.contact.list", ["select": ["*", "PHONE", "EMAIL"]]) { card in
            try write(ImportRow(contact: Self.contact(card, companies: companies)))
        }
        let general = try await call("crm.dealcategory.default.get")?["result"] as? [String: Any]
        var categories: [(id: String, name: String)] = [("0", Self.text(general?["NAME"]).isEmpty ? "Bitrix24" : Self.text(general?["NAME"]))]
        try await each("crm.dealcategory.list", [:]) { categories.append((Self.text($0["ID"]), Self.text($0["NAME"]))) }
        var stages: [String: [[String: Any]]] = [:]
        try await each("crm.status.list", ["order": ["SORT": "ASC"]]) { status in
            let entity = Self.text(status["ENTITY_ID"])
            guard entity == "DEAL_STAGE" || entity.hasPrefix("DEAL_STAGE_") else { return }
            stages[entity == "DEAL_STAGE" ? "0" : String(entity.dropFirst("DEAL_STAGE_".count)), default: []].append(status)
        }
        for category in categories {
            let own = stages[category.id] ?? []
            guard !own.isEmpty else { continue }
            let rows = own.map { status in
                let semantics = Self.text(status["SEMANTICS"])
                return ImportedStage(externalID: Self.text(status["STATUS_ID"]), name: Self.text(status["NAME"]), outcome: semantics == "S" ? .won : semantics == "F" ? .lost : .inProgress)
            }
            try write(ImportRow(pipeline: ImportedPipeline(externalID: category.id, name: category.name, stages: rows)))
        }
        try await each("crm.deal.list", ["select": ["*", "UF_*"]]) { card in
            let deal = Self.deal(card)
            if deal.contact.hasPrefix("deal-") {
                // A deal here has a person: one without a contact gets one named as the deal.
                try write(ImportRow(contact: ImportedContact(externalID: deal.contact, firstName: String(deal.title.prefix(200)))))
            }
            try write(ImportRow(deal: deal))
        }
        try await each("crm.activity.list", ["select": ["*"]]) { activity in
            if let row = Self.activity(activity) { try write(row) }
        }
    }

    /// Every item of a list method, 50 at a time, following `next`.
    func each(_ method: String, _ parameters: [String: Any], _ body: ([String: Any]) throws -> Void) async throws {
        var start = 0
        while true {
            var request = parameters
            request["start"] = start
            if request["order"] == nil && method != "user.get" { request["order"] = ["ID": "ASC"] }
            let data = try JSONSerialization.data(withJSONObject: request)
            guard let answer = try await call(method, Array(data)) else { return }
            for item in answer["result"] as? [[String: Any]] ?? [] { try body(item) }
            guard let next = answer["next"] as? Int, next > start else { return }
            start = next
        }
    }

    static func contact(_ card: [String: Any], companies: [String: String]) -> ImportedContact {
        var contact = ImportedContact(externalID: text(card["ID"]), firstName: text(card["NAME"]), lastName: text(card["LAST_NAME"]))
        contact.phones = Array(multi(card["PHONE"]).prefix(20))
        contact.emails = Array(multi(card["EMAIL"]).prefix(20))
        contact.company = companies[text(card["COMPANY_ID"])] ?? ""
        contact.responsible = text(card["ASSIGNED_BY_ID"])
        contact.channel = String(text(card["SOURCE_ID"]).prefix(50))
        contact.createdAtMilliseconds = milliseconds(card["DATE_CREATE"])
        contact.customFields = custom(card)
        return contact
    }

    /// A deal; one without a contact names `deal-<id>`, a contact the caller makes.
    static func deal(_ card: [String: Any]) -> ImportedDeal {
        let id = text(card["ID"])
        let contact = text(card["CONTACT_ID"])
        var row = ImportedDeal(externalID: id, title: text(card["TITLE"]), contact: contact.isEmpty || contact == "0" ? "deal-\(id)" : contact)
        if row.title.trimmingCharacters(in: .whitespaces).isEmpty { row.title = "Deal \(id)" }
        row.pipeline = text(card["CATEGORY_ID"]).isEmpty ? "0" : text(card["CATEGORY_ID"])
        row.stage = text(card["STAGE_ID"])
        row.responsible = text(card["ASSIGNED_BY_ID"])
        if let amount = Double(text(card["OPPORTUNITY"])), amount > 0 {
            (row.amountMinor, row.currency) = (Int64((amount * 100).rounded()), text(card["CURRENCY_ID"]).isEmpty ? "RUB" : text(card["CURRENCY_ID"]))
        }
        row.source = String(text(card["SOURCE_ID"]).prefix(50))
        row.createdAtMilliseconds = milliseconds(card["DATE_CREATE"])
        if text(card["CLOSED"]) == "Y" { row.closedAtMilliseconds = milliseconds(card["CLOSEDATE"]) }
        row.customFields = custom(card)
        return row
    }

    /// A Bitrix24 lead (`crm.lead.get`, before it became a deal there): a person and a deal
    /// on the default pipeline, both keyed `lead-<id>`.
    static func lead(_ card: [String: Any]) -> (ImportedContact, ImportedDeal) {
        let key = "lead-\(text(card["ID"]))"
        var contact = ImportedContact(externalID: key, firstName: text(card["NAME"]), lastName: text(card["LAST_NAME"]))
        contact.phones = Array(multi(card["PHONE"]).prefix(20))
        contact.emails = Array(multi(card["EMAIL"]).prefix(20))
        contact.company = String(text(card["COMPANY_TITLE"]).prefix(200))
        contact.responsible = text(card["ASSIGNED_BY_ID"])
        contact.channel = String(text(card["SOURCE_ID"]).prefix(50))
        if contact.firstName.isEmpty && contact.lastName.isEmpty { contact.firstName = String(text(card["TITLE"]).prefix(200)) }
        var deal = ImportedDeal(externalID: key, title: text(card["TITLE"]).isEmpty ? "Lead \(text(card["ID"]))" : String(text(card["TITLE"]).prefix(300)), contact: key)
        deal.responsible = contact.responsible
        deal.source = contact.channel
        deal.createdAtMilliseconds = milliseconds(card["DATE_CREATE"])
        if let amount = Double(text(card["OPPORTUNITY"])), amount > 0 {
            (deal.amountMinor, deal.currency) = (Int64((amount * 100).rounded()), text(card["CURRENCY_ID"]).isEmpty ? "RUB" : text(card["CURRENCY_ID"]))
        }
        return (contact, deal)
    }

    public func call(_ method: String, _ body: [UInt8] = Array("{}".utf8)) async throws -> [String: Any]? {
        let answer = try await pages.json("/\(method).json", method: "POST", body: body)
        if let error = answer?["error"] { throw ReaderError("Bitrix24 \(method): \(error) \(answer?["error_description"] ?? "")") }
        return answer
    }

    static func text(_ value: Any?) -> String { ProviderPages.text(value) }

    /// A multi-field's values (PHONE, EMAIL: `[{"VALUE": ..., "VALUE_TYPE": "WORK"}]`).
    static func multi(_ value: Any?) -> [String] {
        (value as? [[String: Any]] ?? []).map { text($0["VALUE"]).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The portal's own fields (`UF_CRM_...`) with a value, by their code.
    static func custom(_ card: [String: Any]) -> [CustomField] {
        card.keys.filter { $0.hasPrefix("UF_CRM_") }.sorted().compactMap { key in
            let value: String = if let list = card[key] as? [Any] { list.map { text($0) }.filter { !$0.isEmpty }.joined(separator: ", ") } else { text(card[key]) }
            return value.isEmpty || value == "0" ? nil : CustomField(name: key, value: String(value.prefix(4000)))
        }
    }

    /// Bitrix24's times (`2023-06-27T09:35:27+03:00`).
    static func milliseconds(_ value: Any?) -> Int64? {
        guard let text = value as? String, !text.isEmpty, let date = ISO8601DateFormatter().date(from: text) else { return nil }
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    /// An activity on a deal (OWNER_TYPE_ID 2) or a contact (3): a call done is a past call,
    /// an open call a call-back task; a meeting or a task a task; an email a timeline entry.
    static func activity(_ activity: [String: Any]) -> ImportRow? {
        let id = text(activity["ID"]), owner = text(activity["OWNER_ID"])
        let (deal, contact): (String, String) = switch text(activity["OWNER_TYPE_ID"]) {
        case "2": (owner, "")
        case "3": ("", owner)
        default: ("", "")
        }
        guard !deal.isEmpty || !contact.isEmpty else { return nil }
        let completed = text(activity["COMPLETED"]) == "Y"
        let subject = text(activity["SUBJECT"])
        let type = text(activity["TYPE_ID"])
        if type == "2" && completed || type == "4" {
            guard let at = milliseconds(activity["START_TIME"]) ?? milliseconds(activity["CREATED"]) else { return nil }
            let incoming = text(activity["DIRECTION"]) == "1"
            let summary = type == "2" ? "\(incoming ? "incoming" : "outgoing") call: \(subject)" : "email: \(subject)"
            return ImportRow(activity: ImportedActivity(
                externalID: "activity-\(id)", deal: deal, contact: contact, kind: type == "2" ? "call" : "email", atMilliseconds: at,
                summary: String(summary.prefix(4000)), actor: text(activity["RESPONSIBLE_ID"])))
        }
        var task = ImportedTask(externalID: "activity-\(id)", deal: deal, contact: contact)
        task.kind = type == "2" ? .callBack : type == "1" ? .meeting : .followUp
        task.title = String(subject.prefix(500))
        task.assignee = text(activity["RESPONSIBLE_ID"])
        task.dueAtMilliseconds = milliseconds(activity["DEADLINE"]) ?? milliseconds(activity["END_TIME"])
        task.createdAtMilliseconds = milliseconds(activity["CREATED"])
        if completed {
            task.status = .done
            task.completedAtMilliseconds = milliseconds(activity["LAST_UPDATED"]) ?? task.dueAtMilliseconds
        }
        return ImportRow(task: task)
    }
}
