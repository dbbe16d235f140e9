import Contracts
import Foundation
import JSON
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

    static func deal(_ object: JSONObject) -> Result<Deal, RPCError> {
        var r = JSONFieldReader(object)
        var d = Deal()
        d.title = r.string("title") ?? ""
        d.contactID = r.id("contactId") ?? 0
        d.pipelineID = r.id("pipelineId") ?? 0
        d.stageID = r.id("stageId") ?? 0
        d.amountMinor = r.integer("amountMinor") ?? 0
        d.currency = r.string("currency") ?? ""
        d.responsibleID = r.id("responsibleId")
        d.source = r.string("source") ?? ""
        d.customFields = r.customFields("customFields") ?? []
        d.scheduledAtMilliseconds = parseTime(r.string("scheduledAt"), field: "scheduledAt", into: &r.violations)
        r.refuseUnknown(["title", "contactId", "pipelineId", "stageId", "amountMinor", "currency", "responsibleId", "source", "customFields", "scheduledAt"])
        if let error = r.failure() { return .failure(error) }
        return .success(d)
    }

    /// PATCH: absent fields stay; `null` clears responsibleId and scheduledAt.
    static func update(_ object: JSONObject) -> Result<UpdateDealRequest, RPCError> {
        var r = JSONFieldReader(object)
        var u = UpdateDealRequest()
        u.title = r.string("title")
        u.amountMinor = r.integer("amountMinor")
        u.currency = r.string("currency")
        u.clearResponsible = r.isNull("responsibleId")
        u.responsibleID = r.id("responsibleId")
        u.source = r.string("source")
        if let fields = r.customFields("customFields") {
            u.replaceCustomFields = true
            u.customFields = fields
        }
        u.clearScheduled = r.isNull("scheduledAt")
        u.scheduledAtMilliseconds = parseTime(r.string("scheduledAt"), field: "scheduledAt", into: &r.violations)
        for key in ["title", "amountMinor", "currency", "source", "customFields"] where r.isNull(key) {
            r.fail(key, "cannot be null (only responsibleId and scheduledAt can be cleared)")
        }
        r.refuseUnknown(
            ["title", "amountMinor", "currency", "responsibleId", "source", "customFields", "scheduledAt"],
            hint: " that can be changed here (stages: POST /v1/deals/{id}/stage)")
        if let error = r.failure() { return .failure(error) }
        return .success(u)
    }

    static let outcomes: [(name: String, value: StageOutcome)] = [("in_progress", .inProgress), ("won", .won), ("lost", .lost)]

    static func pipeline(_ object: JSONObject) -> Result<Pipeline, RPCError> {
        var r = JSONFieldReader(object)
        var p = Pipeline()
        p.name = r.string("name") ?? ""
        p.channels = r.strings("channels") ?? []
        p.isDefault = r.bool("isDefault") ?? false
        if case let .array(stages)? = object["stages"] {
            for (i, item) in stages.enumerated() {
                guard case let .object(o) = item else {
                    r.fail("stages[\(i)]", "must be an object, not \(item.kindDescription)")
                    continue
                }
                var inner = JSONFieldReader(o, path: "stages[\(i)].")
                var s = DealStage()
                s.name = inner.string("name") ?? ""
                s.slaMinutes = inner.integer("slaMinutes") ?? 0
                s.outcome = inner.choice("outcome", outcomes) ?? (inner.has("outcome") ? .unspecified : .inProgress)
                inner.refuseUnknown(["name", "slaMinutes", "outcome"])
                r.violations += inner.violations
                p.stages.append(s)
            }
        } else {
            r.fail("stages", "must be an array of {name, slaMinutes, outcome}")
        }
        r.refuseUnknown(["name", "channels", "isDefault", "stages"])
        if let error = r.failure() { return .failure(error) }
        return .success(p)
    }

    static let leadFields: Set = [
        "channel", "partner", "externalId", "firstName", "lastName", "phone", "email", "comment", "utmSource", "utmMedium",
        "utmCampaign", "title", "amountMinor", "currency",
    ]

    static func lead(_ object: JSONObject) -> Result<Lead, RPCError> {
        var r = JSONFieldReader(object)
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
        r.refuseUnknown(leadFields)
        if let error = r.failure() { return .failure(error) }
        return .success(l)
    }

    static let taskKinds: [(name: String, value: TaskKind)] = [("call_back", .callBack), ("follow_up", .followUp), ("meeting", .meeting), ("custom", .custom)]

    static func task(_ object: JSONObject) -> Result<DealTask, RPCError> {
        var r = JSONFieldReader(object)
        var t = DealTask()
        t.kind = r.choice("kind", taskKinds) ?? .unspecified
        if !r.has("kind") { r.fail("kind", "is required: one of \(taskKinds.map(\.name).joined(separator: ", "))") }
        t.title = r.string("title") ?? ""
        t.dealID = r.id("dealId")
        t.contactID = r.id("contactId")
        t.assigneeID = r.id("assigneeId")
        t.dueAtMilliseconds = parseTime(r.string("dueAt"), field: "dueAt", into: &r.violations)
        r.refuseUnknown(["kind", "title", "dealId", "contactId", "assigneeId", "dueAt"])
        if let error = r.failure() { return .failure(error) }
        return .success(t)
    }
}
