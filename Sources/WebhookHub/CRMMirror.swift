import Contracts
import Foundation
import RPC
import Sockets
import Wire

/// G7 (issue 28): what an amoCRM or Bitrix24 outgoing webhook says changed there, while
/// both systems run side by side. amoCRM's form (`leads[add][0][id]=...`, `leads[status]`,
/// `leads[update]`, `contacts[add]`, `contacts[update]`) carries the card, or in its minimal
/// form only ids; Bitrix24's (`event=ONCRMDEALUPDATE&data[FIELDS][ID]=...`) only ids.
struct MirrorHook: Sendable, Equatable {
    enum Change: Sendable, Equatable {
        /// An amoCRM lead added or changed, with the fields the hook carried (`status_id`,
        /// `pipeline_id`, `name`, `price`, `responsible_user_id`).
        case amoLead(id: String, fields: [String: String])
        /// An amoCRM contact added or changed, with what the hook carried (`name`,
        /// `custom_fields.<i>.code`, `custom_fields.<i>.values.<j>.value`, ...).
        case amoContact(id: String, fields: [String: String])
        case bitrixDeal(String)
        case bitrixLead(String)
        case bitrixContact(String)
    }

    let kind: IntegrationKind
    let integrationID: Int64
    let changes: [Change]

    static func parse(_ kind: IntegrationKind, integrationID: Int64, contentType: String, body: [UInt8]) throws(HookRefusal) -> MirrorHook {
        if kind == .bitrix24 { return MirrorHook(kind: kind, integrationID: integrationID, changes: try bitrix(contentType: contentType, body: body)) }
        guard let pairs = FormBody.pairs(body) else { throw HookRefusal("amoCRM's hook is not a form (application/x-www-form-urlencoded)") }
        // leads[status][0][custom_fields][1][values][0][value] -> (leads, status, 0) and "custom_fields.1.values.0.value".
        var order: [String] = []
        var cards: [String: (entity: String, action: String, fields: [String: String])] = [:]
        for (name, value) in pairs {
            let parts = name.replacingOccurrences(of: "]", with: "").split(separator: "[", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 4, ["leads", "contacts"].contains(parts[0]) else { continue }
            let key = "\(parts[0])/\(parts[1])/\(parts[2])"
            if cards[key] == nil {
                order.append(key)
                cards[key] = (parts[0], parts[1], [:])
            }
            cards[key]?.fields[parts[3...].joined(separator: ".")] = value
        }
        var changes: [Change] = []
        for key in order {
            guard let card = cards[key], let id = card.fields["id"], !id.isEmpty else { continue }
            // A deletion there is not one here: the deal stays, with its history.
            guard card.action != "delete" else { continue }
            changes.append(card.entity == "leads" ? .amoLead(id: id, fields: card.fields) : .amoContact(id: id, fields: card.fields))
        }
        guard !changes.isEmpty else { throw HookRefusal("amoCRM's hook names no lead or contact that was added or changed") }
        return MirrorHook(kind: kind, integrationID: integrationID, changes: changes)
    }

    static func bitrix(contentType: String, body: [UInt8]) throws(HookRefusal) -> [Change] {
        var event = "", id = ""
        if contentType.lowercased().contains("json") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { throw HookRefusal("Bitrix24's event is not a JSON object") }
            event = object["event"] as? String ?? ""
            let fields = (object["data"] as? [String: Any])?["FIELDS"] as? [String: Any]
            id = (fields?["ID"] as? String) ?? (fields?["ID"] as? Int).map(String.init) ?? ""
        } else {
            guard let form = FormBody.parse(body) else { throw HookRefusal("Bitrix24's event is not a form") }
            (event, id) = (form["event"] ?? "", form["data[FIELDS][ID]"] ?? "")
        }
        guard !id.isEmpty else { throw HookRefusal("Bitrix24's event \(event) names no id (data[FIELDS][ID])") }
        switch event.uppercased() {
        case "ONCRMDEALADD", "ONCRMDEALUPDATE": return [.bitrixDeal(id)]
        case "ONCRMLEADADD", "ONCRMLEADUPDATE": return [.bitrixLead(id)]
        case "ONCRMCONTACTADD", "ONCRMCONTACTUPDATE": return [.bitrixContact(id)]
        default: throw HookRefusal("Bitrix24's event \(event) is not one Switchboard follows (deals, leads and contacts added or changed)")
        }
    }
}

/// G7: applies what `MirrorHook` says through the import path, as changes happening now
/// (`live`): the ids there are found by the keys the import made from the same source
/// (`amocrm`, `bitrix24`), so the mapping of pipelines, statuses and users to ours is the
/// import's. A new lead or deal is announced (rules and webhooks hear of it); a stage change
/// is one here, marked with its origin so a push-back never sends it back. Where the hook
/// names only ids the card is fetched from the provider's API (the integration's
/// apiBaseUrl and apiToken; for Bitrix24 the inbound webhook URL as apiBaseUrl). A provider
/// or service that cannot answer now is waited for; what cannot be placed (a status never
/// imported, no API to ask) is refused and kept for replay.
struct CRMMirror: Sendable {
    let integrations: IntegrationStore
    let targets: HookTargets
    let outbound: OutboundPolicy

    func apply(_ hook: MirrorHook, options: CallOptions) async throws(RPCError) {
        guard let integration = integrations.entry(id: hook.integrationID) else {
            throw RPCError(.failedPrecondition, "the integration of this hook was revoked")
        }
        let source = hook.kind.name
        for change in hook.changes {
            let found: [ImportRow] = try await Self.momentary { try await self.rows(for: change, integration) }
            try await keep(found, source: source, options: options)
        }
    }

    /// A provider that cannot be reached, or answers 429 or 5xx, is a failure of the moment.
    static func momentary<T>(_ body: () async throws -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch let error as RPCError {
            throw error
        } catch let error as ReaderError where error.status == 429 || error.status >= 500 {
            throw RPCError.unavailable(error.description)
        } catch let error as HookRefusal {
            throw RPCError.unavailable(error.description)
        } catch {
            throw RPCError(.failedPrecondition, "\(error)")
        }
    }

    func api(_ integration: IntegrationEntry, needs what: String) throws -> ProviderPages {
        guard !integration.apiBaseURL.isEmpty, integration.kind == .bitrix24 || !integration.apiToken.isEmpty else {
            throw RPCError(.failedPrecondition, "\(what): give the integration its apiBaseUrl\(integration.kind == .bitrix24 ? " (the inbound webhook URL)" : " and apiToken") so the gateway can fetch it")
        }
        return ProviderPages(crm: integration, outbound: outbound)
    }

    func rows(for change: MirrorHook.Change, _ integration: IntegrationEntry) async throws -> [ImportRow] {
        switch change {
        case let .amoLead(id, fields):
            // A status change says all it needs; anything else is read whole when the API is there.
            let canFetch = !integration.apiBaseURL.isEmpty && !integration.apiToken.isEmpty
            if !canFetch || (fields["status_id"] != nil && fields["old_status_id"] != nil) {
                var deal = ImportedDeal(externalID: id, title: fields["name"] ?? "", contact: "")
                (deal.pipeline, deal.stage, deal.responsible) = (fields["pipeline_id"] ?? "", fields["status_id"] ?? "", fields["responsible_user_id"] ?? "")
                return [ImportRow(deal: deal)]
            }
            let pages = try api(integration, needs: "amoCRM's hook names lead \(id) only")
            guard let lead = try await pages.json("/api/v4/leads/\(id)", query: [("with", "contacts,loss_reason")]) else {
                throw RPCError(.failedPrecondition, "amoCRM has no lead \(id)")
            }
            var rows: [ImportRow] = []
            var contact = AmoCRMReader.mainContact(lead)
            if !contact.isEmpty, let card = try await pages.json("/api/v4/contacts/\(contact)") {
                rows.append(ImportRow(contact: AmoCRMReader.contact(card, companies: [:])))
            } else {
                contact = "lead-\(id)"
                rows.append(ImportRow(contact: ImportedContact(externalID: contact, firstName: String((lead["name"] as? String ?? "").prefix(200)))))
            }
            let reasons = ((lead["_embedded"] as? [String: Any])?["loss_reason"] as? [[String: Any]] ?? []).reduce(into: [Int: String]()) {
                if let id = $1["id"] as? Int { $0[id] = $1["name"] as? String ?? "" }
            }
            rows.append(ImportRow(deal: AmoCRMReader.deal(lead, contact: contact, currency: fields["currency"] ?? "RUB", lossReasons: reasons)))
            return rows
        case let .amoContact(id, fields):
            if fields["name"] == nil, !integration.apiBaseURL.isEmpty, !integration.apiToken.isEmpty {
                let pages = try api(integration, needs: "amoCRM's hook names contact \(id) only")
                guard let card = try await pages.json("/api/v4/contacts/\(id)") else { throw RPCError(.failedPrecondition, "amoCRM has no contact \(id)") }
                return [ImportRow(contact: AmoCRMReader.contact(card, companies: [:]))]
            }
            return [ImportRow(contact: Self.amoContact(id, fields))]
        case let .bitrixDeal(id):
            let portal = Bitrix24Reader(pages: try api(integration, needs: "Bitrix24's event names deal \(id) only"))
            guard let card = try await portal.call("crm.deal.get", Self.body(["id": id]))?["result"] as? [String: Any] else {
                throw RPCError(.failedPrecondition, "Bitrix24 has no deal \(id)")
            }
            let deal = Bitrix24Reader.deal(card)
            var rows: [ImportRow] = []
            if deal.contact.hasPrefix("deal-") {
                rows.append(ImportRow(contact: ImportedContact(externalID: deal.contact, firstName: String(deal.title.prefix(200)))))
            } else if let person = try await portal.call("crm.contact.get", Self.body(["id": deal.contact]))?["result"] as? [String: Any] {
                rows.append(ImportRow(contact: Bitrix24Reader.contact(person, companies: [:])))
            }
            rows.append(ImportRow(deal: deal))
            return rows
        case let .bitrixLead(id):
            let portal = Bitrix24Reader(pages: try api(integration, needs: "Bitrix24's event names lead \(id) only"))
            guard let card = try await portal.call("crm.lead.get", Self.body(["id": id]))?["result"] as? [String: Any] else {
                throw RPCError(.failedPrecondition, "Bitrix24 has no lead \(id)")
            }
            let (contact, deal) = Bitrix24Reader.lead(card)
            return [ImportRow(contact: contact), ImportRow(deal: deal)]
        case let .bitrixContact(id):
            let portal = Bitrix24Reader(pages: try api(integration, needs: "Bitrix24's event names contact \(id) only"))
            guard let card = try await portal.call("crm.contact.get", Self.body(["id": id]))?["result"] as? [String: Any] else {
                throw RPCError(.failedPrecondition, "Bitrix24 has no contact \(id)")
            }
            return [ImportRow(contact: Bitrix24Reader.contact(card, companies: [:]))]
        }
    }

    static func body(_ object: [String: Any]) -> [UInt8] { Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)) }

    /// An amoCRM contact as its hook carries it: the name, and PHONE and EMAIL fields.
    static func amoContact(_ id: String, _ fields: [String: String]) -> ImportedContact {
        let name = (fields["name"] ?? "").split(separator: " ", maxSplits: 1).map(String.init)
        var contact = ImportedContact(externalID: id, firstName: name.first ?? "", lastName: name.count > 1 ? name[1] : "")
        contact.responsible = fields["responsible_user_id"] ?? ""
        var field = 0
        while let code = fields["custom_fields.\(field).code"] ?? fields["custom_fields.\(field).name"] {
            var value = 0
            while let text = fields["custom_fields.\(field).values.\(value).value"] {
                let kind = code.uppercased()
                if kind == "PHONE" || kind.contains("ТЕЛЕФОН") { contact.phones.append(text) }
                if kind == "EMAIL" { contact.emails.append(text) }
                value += 1
            }
            field += 1
        }
        return contact
    }

    /// Contacts first (contacts keeps them), then the rest (deals keeps them, the people they
    /// name resolved by contacts first). A row refused is the hook refused, with its reason.
    func keep(_ rows: [ImportRow], source: String, options: CallOptions) async throws(RPCError) {
        let people = rows.filter(\.keptByContacts)
        let rest = rows.filter { !$0.keptByContacts }
        if !people.isEmpty {
            let outcomes = try await targets.service(Contacts.service).call(
                Contacts.importRecords, ImportBatch(source: source, rows: people, live: true), options: options)
            try Self.require(outcomes)
        }
        guard !rest.isEmpty else { return }
        var batch = ImportBatch(source: source, rows: rest, announce: true, live: true)
        for request in rest.resolveRequests(source: source) {
            batch.references += try await targets.service(Contacts.service).call(Contacts.resolveImports, request, options: options).references
        }
        try Self.require(try await targets.service(Deals.service).call(Deals.importRecords, batch, options: options))
    }

    static func require(_ outcomes: ImportOutcomes) throws(RPCError) {
        guard let refused = outcomes.outcomes.first(where: { $0.result == .refused }) else { return }
        throw RPCError.invalidArgument(
            refused.problems.map { $0.field.isEmpty ? $0.description : "\($0.field): \($0.description)" }.joined(separator: "; "),
            details: refused.problems.map { FieldViolation(field: $0.field, description: $0.description) })
    }
}
