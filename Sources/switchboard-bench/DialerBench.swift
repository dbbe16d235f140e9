import Contracts
import DealsService
import Foundation
import RPC
import ServiceKit
import Storage
import Synchronization
import TelephonyService
import Wire

/// `switchboard-bench dialer` (T10, D7), against the real executables (build -c release):
/// - dialer.next: POST /v1/dialer/next through the gateway (16 operators' tokens, 16
///   connections) with 1,000,000 entries queued across 2 replicas: each a fan-out of
///   bestEntry to both replicas and the claim of the best;
/// - dialer.next.one: the same for one operator alone;
/// - dialer.claim: 16 operators at the protocol level doing what the gateway does
///   (best of both replicas at once, claim with orBest) and then recording an offer_made
///   outcome; `double_claims` counts entries handed out twice (must be 0), `lost_races`
///   the claims that got the replica's next best because the candidate was taken;
/// - dialer.report: GET-equivalent LeadReport over 30 days from deals with 1,000,000
///   leads' figures, grouped by each dimension in turn, 4 in flight.
/// The queue and the report figures are written straight into the files before the
/// services start (seeded, so a run can be repeated): loading a million leads through
/// the API would measure intake, not the dialer.
enum DialerBench {
    static let entries = 1_000_000
    static let operators = 16
    static let seed: UInt64 = 20_261_201

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialer-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var results: [BenchResult] = []
        if options.wants("dialer.next") || options.wants("dialer.claim") {
            results += try await queue(folder: folder.appendingPathComponent("queue"), options: options)
        }
        if options.wants("dialer.report") {
            results.append(try await report(folder: folder.appendingPathComponent("report"), options: options))
        }
        return results
    }

    /// A small seeded generator (SplitMix64): the same data on every run.
    struct Seeded {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    static let replicaNames = ["telephony-0", "telephony-1"]

    /// Fills both replicas' shard files with `entries` ready entries, calling hours open all day.
    static func fillQueue(folder: URL) async throws {
        let shards = CallShard()
        var random = Seeded(state: seed)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var byShard: [Int: [AcceptedLead]] = [:]
        for i in 0..<entries {
            let phone = "+7916\(String(format: "%07d", i))"
            var lead = AcceptedLead()
            lead.leadID = Int64(i + 1)
            lead.dealID = Int64(i + 1)
            lead.phone = phone
            lead.region = "region-\(random.next(50))"
            lead.product = "product-\(random.next(30))"
            lead.receivedAtMilliseconds = now - Int64(random.next(72 * 3600)) * 1000
            byShard[shards.of(phone), default: []].append(lead)
        }
        for (index, name) in replicaNames.enumerated() {
            let dataDir = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
            let control = try Database(path: dataDir.appendingPathComponent("telephony.sqlite").path, migrations: TelephonySchema.controlMigrations)
            let dialer = DialerSettingsStore(database: control, clock: .system)
            try await dialer.load()
            var settings = dialer.settings
            settings.callingHourFrom = 0
            settings.callingHourTo = 24
            settings.regions = (0..<50).map { NamedScore(name: "region-\($0)", score: Int64($0 % 7) * 10) }
            settings.products = (0..<30).map { NamedScore(name: "product-\($0)", score: Int64($0 % 5) * 15) }
            let stored = try await dialer.set(settings, by: "bench", expectedVersion: settings.version)
            let set = ShardSet(
                replica: name, replicas: replicaNames, shards: shards, folder: dataDir.path, windowMilliseconds: 120_000, clock: .system, control: control)
            for shard in set.owned {
                let leads = byShard[shard] ?? []
                for start in stride(from: 0, to: leads.count, by: 10_000) {
                    try await set.queue(shard).enqueue(Array(leads[start..<min(start + 10_000, leads.count)]), settings: stored)
                }
            }
            await set.close()
            FileHandle.standardError.write(Data("dialer: \(name) has its entries (replica \(index))\n".utf8))
        }
    }

    static func queue(folder: URL, options: BenchOptions) async throws -> [BenchResult] {
        try await fillQueue(folder: folder)
        let key = "bench-key-0123456789abcdef"
        let contacts = try BenchProcess(
            "switchboard-contacts", ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let replicas = try replicaNames.map { name in
            try BenchProcess("switchboard-telephony", [
                "TELEPHONY_PORT": "0", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.appendingPathComponent(name).path,
                "TELEPHONY_REPLICA": name, "TELEPHONY_REPLICAS": replicaNames.joined(separator: ","), "TELEPHONY_CONTACTS": "none",
            ])
        }
        let tokens = (1...operators).map { "operator-\($0)-bench-token-0123456789" }
        let gateway = try BenchProcess("switchboard-gateway", [
            "GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
            "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(contacts.port)",
            "GATEWAY_TELEPHONY": zip(replicaNames, replicas).map { "\($0)=127.0.0.1:\($1.port)" }.joined(separator: ","),
            "GATEWAY_API_KEYS": ([key + "=admin"] + tokens.enumerated().map { "\($1)=staff:\($0 + 1)" }).joined(separator: ","),
            "GATEWAY_RATE_LIMIT": "1000000", "GATEWAY_RATE_BURST": "1000000", "GATEWAY_AUTH_FAILURES_PER_MINUTE": "1000000",
        ])
        defer { for p in [gateway] + replicas + [contacts] { p.stop() } }
        for i in 1...operators {
            let body = #"{"firstName":"Operator \#(i)","role":"operator"}"#
            _ = HTTPLoad.fetch(port: gateway.port, "POST /v1/staff HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
        var results: [BenchResult] = []
        if options.wants("dialer.next") {
            results.append(HTTPLoad.run(
                scenario: "dialer.next", port: gateway.port, connections: operators, warmUp: options.warmUp, duration: options.duration,
                request: { i in
                    Array("POST /v1/dialer/next HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(tokens[(i / 10_000_000) % tokens.count])\r\nContent-Length: 0\r\n\r\n".utf8)
                },
                accept: { $0 == 200 }))
        }
        if options.wants("dialer.next.one") {
            // One operator alone: what the index and the fan-out cost, without the queueing
            // of 16 callers on 2 cores.
            results.append(HTTPLoad.run(
                scenario: "dialer.next.one", port: gateway.port, connections: 1, warmUp: options.warmUp, duration: options.duration,
                request: { _ in Array("POST /v1/dialer/next HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(tokens[0])\r\nContent-Length: 0\r\n\r\n".utf8) },
                accept: { $0 == 200 }))
        }
        if options.wants("dialer.claim") {
            results.append(await claims(replicas.map(\.port), options: options))
        }
        return results
    }

    final class Claimed: Sendable {
        let ids = Mutex<Set<String>>([])
        let twice = Atomic<Int>(0)
        let lostRaces = Atomic<Int>(0)
    }

    /// What POST /v1/dialer/next does, at the protocol level, then the outcome.
    static func claims(_ ports: [Int], options: BenchOptions) async -> BenchResult {
        let clients = ports.enumerated().map { BenchPKI.client("telephony-\($0.offset)", port: $0.element) }
        defer { for c in clients { c.shutdown() } }
        let claimed = Claimed()
        // Operators 1–16 again; ids given by the load runner's worker number.
        var result = await LoadRunner.run(scenario: "dialer.claim", concurrency: operators, warmUp: options.warmUp, duration: options.duration) { i in
            let op = Int64(i / 1_000_000 + 1)
            let candidates = await withTaskGroup(of: (EntryCandidate, Int)?.self) { group in
                for (index, client) in clients.enumerated() {
                    group.addTask { (try? await client.call(Telephony.bestEntry, BestEntryRequest(operatorID: op))).map { ($0, index) } }
                }
                var found: [(EntryCandidate, Int)] = []
                for await c in group { if let c, c.0.found { found.append(c) } }
                return found.sorted { $0.0.score > $1.0.score }
            }
            for (candidate, index) in candidates {
                do {
                    let entry = try await clients[index].call(Telephony.claimEntry, ClaimRequest(entryID: candidate.entryID, operatorID: op, orBest: true))
                    if entry.id != candidate.entryID { claimed.lostRaces.add(1, ordering: .relaxed) }
                    if !claimed.ids.withLock({ $0.insert(entry.id).inserted }) { claimed.twice.add(1, ordering: .relaxed) }
                    var outcome = OutcomeRequest()
                    outcome.entryID = entry.id
                    outcome.operatorID = op
                    outcome.outcome = .offerMade
                    return (try? await clients[index].call(Telephony.recordOutcome, outcome)) != nil
                } catch {
                    continue
                }
            }
            return false
        }
        result.figures = [("double_claims", claimed.twice.load(ordering: .relaxed)), ("lost_races", claimed.lostRaces.load(ordering: .relaxed))]
        return result
    }

    // MARK: dialer.report

    /// Writes 1,000,000 leads' figures over 30 days into a deals file, as intake and the
    /// dialer's outcomes would have.
    static func fillReport(_ database: Database, days: Int) async throws {
        var random = Seeded(state: seed &+ 1)
        let first = Int64(Date().timeIntervalSince1970 * 1000) - Int64(days) * 86_400_000
        let perBatch = 20_000
        for batch in stride(from: 0, to: entries, by: perBatch) {
            var rows: [(Lead, Int64, Bool, Int, Int64?, Bool, Bool)] = []
            for _ in batch..<min(batch + perBatch, entries) {
                var lead = Lead()
                lead.channel = random.next(10) < 8 ? "partner" : "web"
                lead.partner = "partner-\(random.next(20))"
                lead.region = "region-\(random.next(50))"
                lead.product = "product-\(random.next(30))"
                let at = first + Int64(random.next(days * 86_400)) * 1000
                let attempt: Int64? = random.next(10) < 6 ? Int64(random.next(7200)) : nil
                rows.append((lead, at, random.next(10) == 0, 1 + random.next(40), attempt, random.next(100) < 15, random.next(100) < 5))
            }
            let offset = Int64(batch)
            let batchRows = rows
            try await database.write { tx in
                for (n, (lead, at, low, op, attempt, offered, won)) in batchRows.enumerated() {
                    let id = offset + Int64(n) + 1
                    try LeadReportStore.received(tx, leadID: id, lead, lowQuality: low, at: at)
                    guard let attempt else { continue }
                    var recorded = OutcomeRecorded()
                    recorded.entry.leadID = id
                    recorded.operatorID = Int64(op)
                    recorded.outcome = offered ? .offerMade : .noAnswer
                    recorded.claimedAtMilliseconds = at + attempt * 1000
                    recorded.atMilliseconds = recorded.claimedAtMilliseconds + 60_000
                    try LeadReportStore.outcome(tx, recorded)
                    if won { try LeadReportStore.update(tx, leadID: id) { facts, _ in facts.won = true } }
                }
            }
        }
    }

    static func report(folder: URL, options: BenchOptions) async throws -> BenchResult {
        let days = 30
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try Database(path: folder.appendingPathComponent("deals.sqlite").path, migrations: DealsSchema.migrations)
        try await database.write { tx in _ = try tx.run("INSERT OR IGNORE INTO report_calendar (id, offset_minutes) VALUES (1, 0)") }
        try await fillReport(database, days: days)
        try await database.close()
        FileHandle.standardError.write(Data("dialer: deals has 1,000,000 leads' figures\n".utf8))
        let deals = try BenchProcess("switchboard-deals", [
            "DEALS_PORT": "0", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.path, "DEALS_CONTACTS": "127.0.0.1:1",
        ])
        defer { deals.stop() }
        let client = BenchPKI.client("deals", port: deals.port)
        defer { client.shutdown() }
        let today = Int64(Date().timeIntervalSince1970) / 86_400
        let from = ReportCalendar.text(today - Int64(days)), to = ReportCalendar.text(today)
        let dimensions: [ReportDimension] = [.partner, .operator, .source, .geography, .product]
        return await LoadRunner.run(scenario: "dialer.report", concurrency: 4, warmUp: options.warmUp, duration: options.duration) { i in
            let report = try? await client.call(Deals.leadReport, LeadReportRequest(from: from, to: to, groupBy: dimensions[i % dimensions.count]))
            return (report?.total.leads ?? 0) == Int64(entries)
        }
    }
}
