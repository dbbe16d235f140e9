import Contracts
import Foundation
import ServiceKit
import Storage
import Wire

/// N2: templates, each checked against the variables its event type offers when saved.
public struct TemplateStore: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// The template's problems as field errors; nil when it may be saved.
    static func violations(_ t: MessageTemplate) -> [FieldViolation] {
        guard let entry = EventCatalog.byType[t.eventType] else {
            return [FieldViolation(field: "eventType", description: "\(t.eventType) is not an event type notifications takes (GET /v1/notification-events lists them)")]
        }
        if t.channel == .unspecified { return [FieldViolation(field: "channel", description: "is missing")] }
        var out: [FieldViolation] = []
        for (field, text) in [("subject", t.subject), ("body", t.body)] {
            do {
                let parsed = try TemplateRenderer(parsing: text)
                if let unknown = parsed.unknownVariable(offered: Set(entry.variables), eventType: t.eventType) { out.append(FieldViolation(field: field, description: unknown)) }
            } catch {
                out.append(FieldViolation(field: field, description: error.message))
            }
        }
        return out
    }

    public func create(_ input: MessageTemplate) async throws -> MessageTemplate {
        let v = Self.violations(input)
        guard v.isEmpty else { throw RPCError.invalidArgument("the template is not valid", details: v) }
        let now = clock.milliseconds
        return try await database.write { tx in
            var t = input
            t.createdAtMilliseconds = now
            return try Self.table.insert(tx, t)
        }
    }

    public func list() async throws -> MessageTemplateList {
        try await database.read { c in MessageTemplateList(templates: try Self.table.list(c)) }
    }

    /// Templates are kept whole (Sources/README.md, "Storage").
    static let table = MessageTable<MessageTemplate>("templates", body: "template", id: \.id, setID: { $0.id = $1 })

    static func load(_ c: Connection, _ id: Int64) throws -> MessageTemplate? {
        try table.find(c, id: id)
    }

    public func preview(_ request: TemplatePreviewRequest) async throws -> RenderedMessage {
        guard let (t, settings) = try await database.read({ c -> (MessageTemplate, ChannelSettings?)? in
            guard let t = try Self.load(c, request.templateID) else { return nil }
            return (t, try ChannelStore.load(c, t.channel))
        }) else { throw RPCError.notFound("template \(request.templateID) does not exist") }
        // Written as its channel writes it: the channel's locale and zone.
        let locale = settings.map { $0.locale.isEmpty ? "ru" : $0.locale } ?? "ru"
        let zone = settings.flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
        let given = Dictionary(request.values.map { ($0.name, TemplateValue.text($0.value)) }, uniquingKeysWith: { _, b in b })
        let variables = EventCatalog.byType[t.eventType]?.variables ?? []
        let values = Dictionary(uniqueKeysWithValues: variables.map { ($0, given[$0] ?? EventCatalog.sample($0)) })
        return RenderedMessage(
            subject: try TemplateRenderer(parsing: t.subject).render(values, channel: t.channel, locale: locale, zone: zone),
            body: try TemplateRenderer(parsing: t.body).render(values, channel: t.channel, locale: locale, zone: zone))
    }
}
