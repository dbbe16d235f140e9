import Contracts
import DealsService
import Foundation
import RPC
import ServiceKit
import Sockets
import Storage
import Synchronization
import Wire

/// `switchboard-bench deals`:
/// - deals.stage_change: stage changes with 64 in flight against an in-process deals
///   service on a real SQLite file, each change writing the deal, its timeline entry
///   and its events; an outbox relay delivers the events to an in-process subscriber
///   that applies them through its inbox (deals.events_delivered: events/s until the
///   subscriber has every event);
/// - deals.staff_handover (issue 26): a staff member holding 10,000 open deals leaves;
///   from staff.deactivated reaching deals' inbox until a subscriber has applied every
///   deal.updated it causes (target: under 5 s);
/// - deals.attribution (issue 26): the attribution report over 30 days from a deals file
///   holding 1,000,000 leads' and 2,000,000 calls' figures (written through the same
///   LeadReportStore functions intake and call.recorded use), asked by each grouping in
///   turn, 4 at a time, from the real deals executable (target: p99 under 300 ms);
/// - deals.lead_intake_http: POST /v1/leads end to end (HTTP -> gateway -> deals ->
///   contacts -> SQLite, twice) with 64 keep-alive connections, against the real
///   executables started from this binary's folder (build them with -c release first).
enum DealsBench {
    static func run(options: BenchOptions) async throws -> [BenchResult] {
        var results: [BenchResult] = []
        if options.wants("deals.stage_change") || options.wants("deals.events") {
            results += try await stageChanges(options: options)
        }
        if options.wants("deals.staff_handover") {
            results.append(try await staffHandover())
        }
        if options.wants("deals.attribution") {
            results.append(try await attribution(options: options))
        }
        if options.wants("deals.lead_intake_http") {
            results.append(try await leadIntake(options: options))
        }
        return results
    }

    static func stageChanges(options: BenchOptions) async throws -> [BenchResult] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deals-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try Database(path: folder.appendingPathComponent("deals.sqlite").path, migrations: DealsSchema.migrations)
        let server = RPCServer(configuration: .init(host: "127.0.0.1", port: 0), reactor: try Reactor(name: "bench-deals"))
        let nowhere = RPCClient(host: "127.0.0.1", port: 1)
        let api = DealsAPI(database: database, contacts: nowhere, logger: Logger(service: "bench"))
        server.register(api)
        try server.start()

        let subscriberDatabase = try Database(path: folder.appendingPathComponent("subscriber.sqlite").path, migrations: [])
        let subscriber = RPCServer(configuration: .init(host: "127.0.0.1", port: 0), reactor: try Reactor(name: "bench-subscriber"))
        let applied = Atomic<Int>(0)
        let inbox = EventInbox(database: subscriberDatabase)
        for type in [Deals.Event.created, Deals.Event.stageChanged] {
            inbox.on(type) { _, _ in applied.add(1, ordering: .relaxed) }
        }
        subscriber.register(Events.deliver) { batch, _ in
            try await inbox.apply(batch)
        }
        try subscriber.start()
        let relay = OutboxRelay(
            database: database,
            subscription: Subscription(subscriber: "bench", endpoint: Endpoint(host: "127.0.0.1", port: subscriber.port), types: nil),
            source: "deals", logger: Logger(service: "bench"))
        relay.start()

        let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: server.port))
        var ids: [Int64] = []
        for i in 0..<640 {
            var deal = Deal()
            deal.title = "bench \(i)"
            deal.contactID = Int64(i + 1)
            // Straight into the store: there is no contacts service to confirm them here.
            ids.append(try await api.deals.create(deal).id)
        }
        let dealIDs = ids
        let stages = Mutex([Int64](repeating: 1, count: ids.count))
        // Each worker owns ten deals and moves one of them per call, New <-> Qualified.
        let result = await LoadRunner.run(
            scenario: "deals.stage_change", concurrency: 64, warmUp: options.warmUp, duration: options.duration, executor: client.reactor
        ) { i in
            let worker = i / 1_000_000
            let step = i % 1_000_000
            let index = worker * 10 + step % 10
            var request = ChangeStageRequest()
            request.dealID = dealIDs[index]
            request.stageID = stages.withLock { $0[index] } == 1 ? 2 : 1
            guard (try? await client.call(Deals.changeStage, request)) != nil else { return false }
            stages.withLock { $0[index] = request.stageID }
            return true
        }
        // Every committed event (created + each change, warm-up included) must arrive.
        let committed = try await database.read { try $0.queryFirst("SELECT COUNT(*) FROM outbox") { $0.int(0) } ?? 0 }
        let started = MonotonicInstant.now()
        let limit = started + .seconds(120)
        while applied.load(ordering: .relaxed) < committed && MonotonicInstant.now() < limit {
            try await Task.sleep(for: .milliseconds(10))
        }
        let catchUp = Double(MonotonicInstant.now().nanoseconds - started.nanoseconds) / 1e9
        let delivered = applied.load(ordering: .relaxed)
        let measured = Double(options.duration.components.seconds) + Double(options.duration.components.attoseconds) / 1e18
        let warm = Double(options.warmUp.components.seconds) + Double(options.warmUp.components.attoseconds) / 1e18
        let events = BenchResult(
            scenario: "deals.events_delivered", calls: delivered, seconds: measured + warm + catchUp, latenciesNanoseconds: [],
            errors: committed - delivered)
        FileHandle.standardError.write(Data("deals: \(committed) events committed, \(delivered) applied by the subscriber; it caught up \(String(format: "%.2f", catchUp)) s after the load stopped\n".utf8))
        await relay.stop()
        client.shutdown()
        await server.shutdown(gracePeriod: .seconds(1))
        await subscriber.shutdown(gracePeriod: .seconds(1))
        return [result, events]
    }

    static func staffHandover(deals count: Int = 10_000) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deals-handover-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try Database(path: folder.appendingPathComponent("deals.sqlite").path, migrations: DealsSchema.migrations)
        let api = DealsAPI(database: database, contacts: RPCClient(host: "127.0.0.1", port: 1), logger: Logger(service: "bench"))
        for i in 0..<count {
            var deal = Deal()
            deal.title = "held \(i)"
            deal.contactID = Int64(i + 1)
            deal.responsibleID = 5
            _ = try await api.deals.create(deal)
        }
        let subscriberDatabase = try Database(path: folder.appendingPathComponent("subscriber.sqlite").path, migrations: [])
        let subscriber = RPCServer(configuration: .init(host: "127.0.0.1", port: 0), reactor: try Reactor(name: "bench-subscriber"))
        let applied = Atomic<Int>(0)
        let subscriberInbox = EventInbox(database: subscriberDatabase)
        subscriberInbox.on(Deals.Event.updated) { _, _ in applied.add(1, ordering: .relaxed) }
        subscriberInbox.on(Deals.Event.created) { _, _ in }
        subscriber.register(Events.deliver) { batch, _ in try await subscriberInbox.apply(batch) }
        try subscriber.start()
        // The deals created above are delivered first, outside the measurement.
        let relay = OutboxRelay(
            database: database,
            subscription: Subscription(subscriber: "bench", endpoint: Endpoint(host: "127.0.0.1", port: subscriber.port), types: nil),
            source: "deals", logger: Logger(service: "bench"))
        relay.start()
        let settled = MonotonicInstant.now() + .seconds(120)
        while try await database.read({ try $0.queryFirst("SELECT COUNT(*) FROM outbox") { $0.int(0) } ?? 0 }) > 0, MonotonicInstant.now() < settled {
            try await Task.sleep(for: .milliseconds(20))
        }

        let inbox = EventInbox(database: database)
        api.subscribe(inbox)
        var left = StaffDeactivated()
        left.staffID = 5
        left.handToID = 6
        left.atMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        let event = EventEnvelope(
            id: UUID().uuidString, type: Contacts.Event.staffDeactivated, aggregateID: "staff-5", sequence: 1,
            occurredAtMilliseconds: left.atMilliseconds, source: "contacts", payload: left.wireBytes())
        let started = MonotonicInstant.now()
        _ = try await inbox.apply(EventBatch(events: [event]))
        let handed = Double(MonotonicInstant.now().nanoseconds - started.nanoseconds) / 1e9
        let limit = started + .seconds(60)
        while applied.load(ordering: .relaxed) < count && MonotonicInstant.now() < limit {
            try await Task.sleep(for: .milliseconds(5))
        }
        let seconds = Double(MonotonicInstant.now().nanoseconds - started.nanoseconds) / 1e9
        let delivered = applied.load(ordering: .relaxed)
        FileHandle.standardError.write(Data("deals: \(count) open deals handed over in \(String(format: "%.2f", handed)) s; \(delivered) deal.updated applied by the subscriber after \(String(format: "%.2f", seconds)) s\n".utf8))
        await relay.stop()
        await subscriber.shutdown(gracePeriod: .seconds(1))
        return BenchResult(scenario: "deals.staff_handover", calls: delivered, seconds: seconds, latenciesNanoseconds: [], errors: count - delivered)
    }

    static func attribution(options: BenchOptions, leads: Int = 1_000_000, calls: Int = 2_000_000) async throws -> BenchResult {
        let days = 30
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deals-attribution-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try Database(path: folder.appendingPathComponent("deals.sqlite").path, migrations: DealsSchema.migrations)
        try await database.write { tx in _ = try tx.run("INSERT OR IGNORE INTO report_calendar (id, offset_minutes) VALUES (1, 0)") }
        var random = DialerBench.Seeded(state: 20_261_226)
        let first = Int64(Date().timeIntervalSince1970 * 1000) - Int64(days) * 86_400_000
        let sources = ["yandex", "google", "vk", "telegram", "partner"], mediums = ["cpc", "cpm", "organic", "email"]
        let started = MonotonicInstant.now()
        for batch in stride(from: 0, to: leads, by: 20_000) {
            var rows: [(Lead, Int64, Int64?, Bool, Bool)] = []
            for _ in batch..<min(batch + 20_000, leads) {
                var lead = Lead()
                lead.channel = ["web", "call", "whatsapp", "telegram", "partner"][random.next(5)]
                lead.utmSource = sources[random.next(sources.count)]
                lead.utmMedium = mediums[random.next(mediums.count)]
                lead.utmCampaign = "campaign-\(random.next(60))"
                lead.trackingNumber = "+7495000\(String(format: "%04d", random.next(40)))"
                let response: Int64? = random.next(10) < 7 ? Int64(random.next(7200)) : nil
                rows.append((lead, first + Int64(random.next(days * 86_400)) * 1000, response, random.next(10) < 4, random.next(100) < 8))
            }
            let offset = Int64(batch), batchRows = rows
            try await database.write { tx in
                for (n, (lead, at, response, opened, won)) in batchRows.enumerated() {
                    let id = offset + Int64(n) + 1
                    try LeadReportStore.received(tx, leadID: id, lead, lowQuality: false, at: at)
                    guard response != nil || opened else { continue }
                    try LeadReportStore.update(tx, leadID: id) { facts, _ in
                        facts.firstAttemptSeconds = response
                        facts.opened = opened
                        if opened && won { (facts.won, facts.revenueMinor, facts.currency) = (true, 1_500_000, "RUB") }
                    }
                }
            }
        }
        for batch in stride(from: 0, to: calls, by: 50_000) {
            var sessions: [CallSession] = []
            for i in batch..<min(batch + 50_000, calls) {
                var s = CallSession(id: "b-\(i)", direction: random.next(4) == 0 ? .outbound : .inbound, clientNumber: "+7916\(String(format: "%07d", random.next(5_000_000)))")
                (s.utmSource, s.utmMedium, s.utmCampaign) = (sources[random.next(sources.count)], mediums[random.next(mediums.count)], "campaign-\(random.next(60))")
                s.trackingNumber = "+7495000\(String(format: "%04d", random.next(40)))"
                (s.startedAtMilliseconds, s.answered, s.ended) = (first + Int64(random.next(days * 86_400)) * 1000, random.next(10) < 8, true)
                sessions.append(s)
            }
            let batchSessions = sessions
            try await database.write { tx in for s in batchSessions { try LeadReportStore.call(tx, s) } }
        }
        try await database.write { tx in
            for campaign in 0..<60 {
                for month in [first, first + Int64(days) * 86_400_000] {
                    let parts = CivilDate(day: month / 86_400_000).parts
                    _ = try tx.run(
                        "INSERT OR REPLACE INTO ad_spend (campaign, month, currency, amount_minor, updated_at) VALUES (?, ?, 'RUB', ?, 0)",
                        [.text("campaign-\(campaign)"), .text(String(format: "%04d-%02d", parts.year, parts.month)), .integer(Int64(100_000_00 + campaign))])
                }
            }
        }
        try await database.close()
        let filled = Double(MonotonicInstant.now().nanoseconds - started.nanoseconds) / 1e9
        FileHandle.standardError.write(Data("deals: \(leads) leads' and \(calls) calls' figures written in \(String(format: "%.0f", filled)) s\n".utf8))
        let deals = try BenchProcess("switchboard-deals", [
            "DEALS_PORT": "0", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.path, "DEALS_CONTACTS": "127.0.0.1:1", "DEALS_REPORT_UTC_OFFSET_MINUTES": "0",
        ])
        defer { deals.stop() }
        let client = BenchPKI.client("deals", port: deals.port)
        defer { client.shutdown() }
        let today = Int64(Date().timeIntervalSince1970) / 86_400
        let from = ReportCalendar.text(today - Int64(days)), to = ReportCalendar.text(today)
        let groupings: [ReportDimension] = [.source, .utmSource, .utmMedium, .utmCampaign, .trackingNumber]
        return await LoadRunner.run(scenario: "deals.attribution", concurrency: 4, warmUp: options.warmUp, duration: options.duration) { i in
            let report = try? await client.call(Deals.attributionReport, AttributionRequest(from: from, to: to, groupBy: groupings[i % groupings.count], currency: "RUB"))
            return (report?.total.leads ?? 0) == Int64(leads) && (report?.total.calls ?? 0) == Int64(calls)
        }
    }

    static func leadIntake(options: BenchOptions) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leads-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = "bench-key-0123456789abcdef"
        let contacts = try BenchProcess(
            "switchboard-contacts", ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let deals = try BenchProcess(
            "switchboard-deals",
            ["DEALS_PORT": "0", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path,
             "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)"])
        let gateway = try BenchProcess(
            "switchboard-gateway",
            ["GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path, "GATEWAY_CONTACTS": "127.0.0.1:\(contacts.port)", "GATEWAY_DEALS": "127.0.0.1:\(deals.port)",
             "GATEWAY_API_KEYS": "\(key)=admin", "GATEWAY_RATE_LIMIT": "1000000"])
        defer { for process in [gateway, deals, contacts] { process.stop() } }
        let run = UInt64.random(in: 0..<1_000_000)
        return HTTPLoad.run(
            scenario: "deals.lead_intake_http", port: gateway.port, connections: 64, warmUp: options.warmUp, duration: options.duration,
            request: { i in
                // A new person each time: every lead creates a contact and opens a deal.
                let n = (run * 100_000_000 + UInt64(i)) % 10_000_000_000
                let body = #"{"channel":"web","phone":"+7\#(String(format: "%010llu", n))","firstName":"Bench"}"#
                return Array("POST /v1/leads HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            },
            accept: { $0 == 201 })
    }
}

/// A service executable started next to this binary, on a port it reports.
final class BenchProcess {
    let process = Process()
    let port: Int

    init(_ name: String, _ environment: [String: String]) throws {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        process.executableURL = folder.appendingPathComponent(name)
        process.environment = ProcessInfo.processInfo.environment.merging(ParentWatch.environment) { $1 }.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first stdout line is {"event":"listening",...,"port":N,...}.
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 10 { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "\"port\":"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            throw BenchError("\(name) did not start (\(text.isEmpty ? "no output; is it built with -c release?" : text))")
        }
        self.port = port
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
