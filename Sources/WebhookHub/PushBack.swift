import Contracts
import Foundation
import RPC
import ServiceKit
import Sockets
import Storage
import Wire

/// G7 (issue 28): while both systems run, Switchboard's own stage changes and new deals are
/// sent to the CRM it runs beside (an amocrm or bitrix24 integration with `pushBack`), so
/// whichever system a manager uses, both agree. It follows deals' events (`EventAdmin.Tail`)
/// from a cursor kept in the gateway's file per integration (those since push-back was
/// turned on; deals' and the gateway's clocks are the host's),
/// and names things there by the keys the import made (`Deals.importKeys`).
/// Loops are impossible: a change that came from that system carries it as its origin and
/// is skipped; a deal made there by a push is linked at once (`Deals.linkImport`), so its
/// hook coming back finds it and changes nothing. A CRM that cannot be reached is asked
/// again from the same event; one that refuses a change is logged and passed.
final class PushBack: BackgroundService {
    static let types = [Deals.Event.created, Deals.Event.stageChanged]

    private let integrations: IntegrationStore
    private let database: Database
    private let targets: HookTargets
    private let outbound: OutboundPolicy
    private let logger: Logger
    private let interval: Duration
    private let loop = BackgroundLoop()

    init(integrations: IntegrationStore, database: Database, targets: HookTargets, outbound: OutboundPolicy, logger: Logger, interval: Duration = .seconds(1)) {
        self.integrations = integrations
        self.database = database
        self.targets = targets
        self.outbound = outbound
        self.logger = logger
        self.interval = interval
    }

    func start() { loop.start { [self] in await run() } }
    func stop() async { await loop.stop() }

    private func run() async {
        var failing = Set<Int64>()
        while !Task.isCancelled {
            for integration in integrations.pushing {
                do {
                    try await pass(integration)
                    if failing.remove(integration.id) != nil { logger.info("push-back flows again", ["integration": integration.name]) }
                } catch is CancellationError {
                    return
                } catch {
                    if failing.insert(integration.id).inserted {
                        logger.warn("push-back waits", ["integration": integration.name, "error": "\(error)"])
                    }
                }
            }
            await loop.wait(upTo: interval)
        }
    }

    var options: CallOptions {
        var metadata = Metadata()
        metadata[Metadata.Key.caller] = "gateway"
        return CallOptions(timeout: .seconds(10), metadata: metadata)
    }

    /// Sends what happened since the integration's cursor, in order; the cursor moves past
    /// each page once every change in it was sent or refused.
    func pass(_ integration: IntegrationEntry) async throws {
        let deals = targets.service(Deals.service)
        // A new one reads deals' events from the start of what deals keeps, sending only what
        // happened since push-back was turned on.
        let known = try await cursors(integration.id)
        var cursors: [Int64]
        if let known {
            cursors = known
        } else {
            cursors = try await deals.call(EventAdmin.tail, TailRequest(), options: options).cursors.map { _ in 0 }
        }
        let page = try await deals.call(EventAdmin.tail, TailRequest(cursors: cursors, types: Self.types, limit: 100), options: options)
        for event in page.events where event.occurredAtMilliseconds >= integration.pushSince {
            let change = try DealStageChanged(wireBytes: event.payload)
            guard change.origin != integration.kind.name else { continue }
            try await push(event.type, change.deal, integration)
        }
        if page.cursors != cursors || known == nil { try await save(integration.id, page.cursors) }
    }

    func push(_ type: String, _ deal: Deal, _ integration: IntegrationEntry) async throws {
        let source = integration.kind.name
        let keys = try await targets.service(Deals.service).call(Deals.importKeys, ImportKeysRequest(source: source, dealID: deal.id), options: options)
        guard !keys.pipeline.isEmpty, !keys.stage.isEmpty else { return }  // a pipeline or stage that system does not have
        if type == Deals.Event.created && !keys.deal.isEmpty { return }  // it came from there, or was sent already
        // A deal that system does not know as a deal (an amoCRM lead without a contact, a Bitrix24 lead, keyed `lead-<id>`).
        if type != Deals.Event.created && (keys.deal.isEmpty || !keys.deal.allSatisfy(\.isNumber)) { return }
        let pages = ProviderPages(crm: integration, outbound: outbound)
        do {
            let made = try await send(keys.deal.isEmpty, deal, keys, integration.kind, pages)
            if let made {
                try await targets.service(Deals.service).call(Deals.linkImport, ImportLink(source: source, kind: .deal, externalID: made, id: deal.id), options: options)
            }
            logger.info("pushed back", ["integration": integration.name, "deal": "\(deal.id)", "event": type])
        } catch let error as ReaderError where (400..<500).contains(error.status) && error.status != 429 {
            logger.warn("push-back refused; passed", ["integration": integration.name, "deal": "\(deal.id)", "error": error.description])
        }
    }

    /// The change there; for a new deal, the id it got there.
    func send(_ new: Bool, _ deal: Deal, _ keys: ImportKeys, _ kind: IntegrationKind, _ pages: ProviderPages) async throws -> String? {
        let body: Any
        switch (kind, new) {
        case (.amocrm, true):
            body = [["name": deal.title, "price": Int(deal.amountMinor / 100), "pipeline_id": Int(keys.pipeline) ?? 0, "status_id": Int(keys.stage) ?? 0]]
            let answer = try await pages.json("/api/v4/leads", method: "POST", body: Self.json(body))
            let made = ((answer?["_embedded"] as? [String: Any])?["leads"] as? [[String: Any]])?.first?["id"] as? Int
            return made.map(String.init)
        case (.amocrm, false):
            body = [["id": Int(keys.deal) ?? 0, "pipeline_id": Int(keys.pipeline) ?? 0, "status_id": Int(keys.stage) ?? 0]]
            _ = try await pages.json("/api/v4/leads", method: "PATCH", body: Self.json(body))
            return nil
        case (_, true):
            body = ["fields": ["TITLE": deal.title, "CATEGORY_ID": keys.pipeline, "STAGE_ID": keys.stage, "OPPORTUNITY": Double(deal.amountMinor) / 100, "CURRENCY_ID": deal.currency]]
            let answer = try await pages.json("/crm.deal.add.json", method: "POST", body: Self.json(body))
            return (answer?["result"] as? Int).map(String.init) ?? (answer?["result"] as? String)
        default:
            body = ["id": keys.deal, "fields": ["STAGE_ID": keys.stage, "CATEGORY_ID": keys.pipeline]]
            _ = try await pages.json("/crm.deal.update.json", method: "POST", body: Self.json(body))
            return nil
        }
    }

    static func json(_ value: Any) -> [UInt8] { Array((try? JSONSerialization.data(withJSONObject: value)) ?? Data()) }

    func cursors(_ integration: Int64) async throws -> [Int64]? {
        try await database.read { c in
            try c.queryFirst("SELECT cursors FROM push_cursors WHERE integration_id = ?", [.integer(integration)]) { row in
                row.string(0).split(separator: ",").compactMap { Int64($0) }
            }
        }
    }

    func save(_ integration: Int64, _ cursors: [Int64]) async throws {
        let text = cursors.map(String.init).joined(separator: ",")
        try await database.write { tx in
            try tx.run(
                "INSERT INTO push_cursors (integration_id, cursors) VALUES (?, ?) ON CONFLICT DO UPDATE SET cursors = excluded.cursors",
                [.integer(integration), .text(text)])
        }
    }
}
