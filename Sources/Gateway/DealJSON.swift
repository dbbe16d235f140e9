import Contracts
import Foundation
import Wire

/// Translates between the gateway's JSON and the deals contract (D1–D5).
enum DealJSON {
    static func time(_ milliseconds: Int64?) -> Any { milliseconds.map { JSONWriter.timestamp(milliseconds: $0) as Any } ?? NSNull() }

    static func object(_ d: Deal) -> [String: Any] {
        [
            "id": d.id, "title": d.title, "contactId": d.contactID, "pipelineId": d.pipelineID, "stageId": d.stageID,
            "status": d.status.name, "amountMinor": d.amountMinor, "currency": d.currency,
            "responsibleId": d.responsibleID.map { $0 as Any } ?? NSNull(), "source": d.source,
            "customFields": Dictionary(d.customFields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
            "scheduledAt": time(d.scheduledAtMilliseconds), "lossReason": d.lossReason, "createdAt": time(d.createdAtMilliseconds),
            "closedAt": time(d.closedAtMilliseconds), "stageEnteredAt": time(d.stageEnteredAtMilliseconds),
            "leadId": d.leadID.map { $0 as Any } ?? NSNull(),
        ]
    }

    static func object(_ p: Pipeline) -> [String: Any] {
        [
            "id": p.id, "name": p.name, "channels": p.channels, "isDefault": p.isDefault,
            "stages": p.stages.map { s -> [String: Any] in
                ["id": s.id, "name": s.name, "position": s.position, "slaMinutes": s.slaMinutes, "outcome": s.outcome.name]
            },
        ]
    }

    static func object(_ t: DealTask) -> [String: Any] {
        [
            "id": t.id, "kind": t.kind.name, "title": t.title, "dealId": t.dealID.map { $0 as Any } ?? NSNull(),
            "contactId": t.contactID.map { $0 as Any } ?? NSNull(), "assigneeId": t.assigneeID.map { $0 as Any } ?? NSNull(),
            "dueAt": time(t.dueAtMilliseconds), "status": t.status.name, "createdAt": time(t.createdAtMilliseconds),
            "completedAt": time(t.completedAtMilliseconds),
        ]
    }

    static func object(_ r: LeadReceipt) -> [String: Any] {
        [
            "id": r.id, "status": r.status.name, "lowQuality": r.lowQuality, "reason": r.reason,
            "contactId": r.contactID.map { $0 as Any } ?? NSNull(), "dealId": r.dealID.map { $0 as Any } ?? NSNull(),
            "attachedToExistingDeal": r.attachedToExistingDeal, "receivedAt": time(r.receivedAtMilliseconds),
            "processedAt": time(r.processedAtMilliseconds), "channel": r.channel, "partner": r.partner, "externalId": r.externalID,
        ]
    }

    static func object(_ e: TimelineEntry) -> [String: Any] {
        [
            "id": e.id, "at": time(e.atMilliseconds), "kind": e.kind, "dealId": e.dealID.map { $0 as Any } ?? NSNull(),
            "contactId": e.contactID, "summary": e.summary, "actorId": e.actorID.map { $0 as Any } ?? NSNull(),
        ]
    }

    static func parseTime(_ text: String?, field: String, into violations: inout [FieldViolation]) -> Int64? {
        guard let text else { return nil }
        guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) else {
            violations.append(FieldViolation(field: field, description: "must be an ISO 8601 time such as 2026-01-31T09:00:00Z"))
            return nil
        }
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    static func deal(_ object: [String: Any]) -> Result<Deal, RPCError> {
        var r = ContactJSON.Reader(object: object)
        var d = Deal()
        d.title = r.string("title") ?? ""
        d.contactID = r.integer("contactId") ?? 0
        d.pipelineID = r.integer("pipelineId") ?? 0
        d.stageID = r.integer("stageId") ?? 0
        d.amountMinor = r.integer("amountMinor") ?? 0
        d.currency = r.string("currency") ?? ""
        d.responsibleID = r.integer("responsibleId")
        d.source = r.string("source") ?? ""
        d.customFields = r.customFields("customFields") ?? []
        d.scheduledAtMilliseconds = parseTime(r.string("scheduledAt"), field: "scheduledAt", into: &r.violations)
        if let error = r.failure() { return .failure(error) }
        return .success(d)
    }

    /// PATCH: absent fields stay; `null` clears responsibleId and scheduledAt.
    static func update(_ object: [String: Any]) -> Result<UpdateDealRequest, RPCError> {
        var r = ContactJSON.Reader(object: object)
        var u = UpdateDealRequest()
        u.title = r.string("title")
        u.amountMinor = r.integer("amountMinor")
        u.currency = r.string("currency")
        u.clearResponsible = object["responsibleId"] is NSNull
        u.responsibleID = r.integer("responsibleId")
        u.source = r.string("source")
        if let fields = r.customFields("customFields") {
            u.replaceCustomFields = true
            u.customFields = fields
        }
        u.clearScheduled = object["scheduledAt"] is NSNull
        u.scheduledAtMilliseconds = parseTime(r.string("scheduledAt"), field: "scheduledAt", into: &r.violations)
        let known: Set = ["title", "amountMinor", "currency", "responsibleId", "source", "customFields", "scheduledAt"]
        for key in object.keys.sorted() where !known.contains(key) {
            r.violations.append(FieldViolation(field: key, description: "is not a field that can be changed here (stages: POST /v1/deals/{id}/stage)"))
        }
        if let error = r.failure() { return .failure(error) }
        return .success(u)
    }

    static func pipeline(_ object: [String: Any]) -> Result<Pipeline, RPCError> {
        var r = ContactJSON.Reader(object: object)
        var p = Pipeline()
        p.name = r.string("name") ?? ""
        p.channels = r.strings("channels") ?? []
        p.isDefault = r.bool("isDefault") ?? false
        if let stages = object["stages"] as? [Any] {
            for (i, item) in stages.enumerated() {
                guard let o = item as? [String: Any] else {
                    r.violations.append(FieldViolation(field: "stages[\(i)]", description: "must be an object"))
                    continue
                }
                var inner = ContactJSON.Reader(object: o)
                var s = DealStage()
                s.name = inner.string("name") ?? ""
                s.slaMinutes = inner.integer("slaMinutes") ?? 0
                let outcome = inner.string("outcome") ?? "in_progress"
                s.outcome = StageOutcome.allCases.first { $0.name == outcome && $0 != .unspecified } ?? .unspecified
                r.violations += inner.violations.map { FieldViolation(field: "stages[\(i)].\($0.field)", description: $0.description) }
                p.stages.append(s)
            }
        } else {
            r.violations.append(FieldViolation(field: "stages", description: "must be an array of {name, slaMinutes, outcome}"))
        }
        if let error = r.failure() { return .failure(error) }
        return .success(p)
    }

    static func lead(_ object: [String: Any]) -> Result<Lead, RPCError> {
        var r = ContactJSON.Reader(object: object)
        var l = Lead()
        l.channel = r.string("channel") ?? ""
        l.partner = r.string("partner") ?? ""
        l.externalID = r.string("externalId") ?? ""
        l.firstName = r.string("firstName") ?? ""
        l.lastName = r.string("lastName") ?? ""
        l.phone = r.string("phone") ?? ""
        l.email = r.string("email") ?? ""
        l.comment = r.string("comment") ?? ""
        l.utmSource = r.string("utmSource") ?? ""
        l.utmMedium = r.string("utmMedium") ?? ""
        l.utmCampaign = r.string("utmCampaign") ?? ""
        l.title = r.string("title") ?? ""
        l.amountMinor = r.integer("amountMinor") ?? 0
        l.currency = r.string("currency") ?? ""
        if let error = r.failure() { return .failure(error) }
        return .success(l)
    }

    static func task(_ object: [String: Any]) -> Result<DealTask, RPCError> {
        var r = ContactJSON.Reader(object: object)
        var t = DealTask()
        let kind = r.string("kind") ?? ""
        t.kind = TaskKind.allCases.first { $0.name == kind && $0 != .unspecified } ?? .unspecified
        t.title = r.string("title") ?? ""
        t.dealID = r.integer("dealId")
        t.contactID = r.integer("contactId")
        t.assigneeID = r.integer("assigneeId")
        t.dueAtMilliseconds = parseTime(r.string("dueAt"), field: "dueAt", into: &r.violations)
        if let error = r.failure() { return .failure(error) }
        return .success(t)
    }
}
