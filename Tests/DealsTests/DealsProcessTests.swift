import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Synchronization
import Testing
import TestSupport
import Wire

/// A subscriber of deal events in the test process: applies each through an inbox and
/// records one effect row per application, so a double application would show.
struct EventProbe {
    let database: Database
    let server: RPCServer

    init() throws {
        let folder = try temporaryFolder("probe")
        database = try Database(path: folder.appendingPathComponent("probe.sqlite").path, migrations: [
            Migration(1, "CREATE TABLE effects (event_id TEXT NOT NULL, type TEXT NOT NULL, deal_id INTEGER NOT NULL, stage_id INTEGER NOT NULL, sequence INTEGER NOT NULL)")
        ])
        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.log = { _, _ in }
        configuration.secure(as: "probe")
        server = RPCServer(configuration: configuration)
        let inbox = EventInbox(database: database)
        for type in [Deals.Event.created, Deals.Event.stageChanged, Deals.Event.won, Deals.Event.lost] {
            inbox.on(type) { event, tx in
                let payload = try DealStageChanged(wireBytes: event.payload)
                try tx.run(
                    "INSERT INTO effects (event_id, type, deal_id, stage_id, sequence) VALUES (?, ?, ?, ?, ?)",
                    [.text(event.id), .text(event.type), .integer(payload.deal.id), .integer(payload.deal.stageID), .integer(event.sequence)])
            }
        }
        server.register(Events.deliver) { batch, _ in
            try await inbox.apply(batch)
        }
        try server.start()
    }

    func count(_ sql: String) async throws -> Int {
        try await database.read { try $0.queryFirst(sql) { $0.int(0) } ?? 0 }
    }
}

@Suite struct DealsProcessTests {
    func startDeals(port: Int, folder: URL, probe: Int, contacts: Int, more: [String: String] = [:]) async throws -> ServiceProcess {
        try await ServiceProcess(
            executable: "switchboard-deals",
            environment: [
                "DEALS_PORT": "\(port)", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.path,
                "DEALS_CONTACTS": "127.0.0.1:\(contacts)", "DEALS_SUBSCRIBERS": "probe@127.0.0.1:\(probe)=*",
            ].merging(more) { _, new in new })
    }

    @Test func sigtermDuringLeadIntakeExitsCleanlyWithinTheGraceAndLosesNoLead() async throws {
        let probe = try EventProbe()
        let contacts = try FakeContacts(delay: .milliseconds(150))
        let folder = try temporaryFolder("deals-sigterm")
        let port = try freePort()
        // Submissions wait 10 ms, so every lead is answered pending and left to the intake loop.
        let settings = ["DEALS_LEAD_WAIT_MS": "10", "DEALS_GRACE_SECONDS": "3"]
        var deals = try await startDeals(port: port, folder: folder, probe: probe.server.port, contacts: contacts.server.port, more: settings)
        var configuration = RPCClient.Configuration()
        configuration.retry = .none
        let client = RPCClient.test("deals", port: port, configuration: configuration)
        var ids: [Int64] = []
        for i in 0..<30 {
            var lead = Lead()
            lead.channel = "web"
            lead.phone = "+7916100\(String(format: "%04d", i))"
            ids.append(try await client.call(Deals.submitLead, lead).id)
        }
        #expect(try await eventually { contacts.calls.value >= 3 })
        let start = ContinuousClock.now
        deals.signal(SIGTERM)
        #expect(try await deals.waitForExit(within: .seconds(10)) == 0)
        #expect(ContinuousClock.now - start < .seconds(4), "exit took longer than the 3 s grace")
        #expect(deals.logged.contains("\"stopped\""))
        #expect(!deals.logged.contains("did not stop within the grace period"))
        // The service's loops (call effects, lead intake) stop first, then timers, the relays last.
        #expect(deals.logged.contains("\"parts\":\"call effects, lead intake, event pruning, timers, relay to probe\""))
        client.shutdown()

        // Back up: every lead is processed, each exactly once (one deal per person).
        deals = try await startDeals(port: port, folder: folder, probe: probe.server.port, contacts: contacts.server.port, more: settings)
        let restarted = RPCClient.test("deals", port: port, configuration: configuration)
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            var processed = 0
            for id in ids {
                var request = GetLeadRequest()
                request.id = id
                if try await restarted.call(Deals.getLead, request).status == .processed { processed += 1 }
            }
            return processed == ids.count
        })
        var list = ListDealsRequest()
        list.pageSize = 100
        #expect(try await restarted.call(Deals.listDeals, list).deals.count == ids.count)
        deals.signal(SIGTERM)
        #expect(try await deals.waitForExit() == 0)
        await probe.server.shutdown()
        await contacts.server.shutdown()
    }

    @Test func p2KillDuringStageChangesKeepsEveryAcknowledgedChangeAndEveryEventTakesEffectOnce() async throws {
        let probe = try EventProbe()
        let contacts = try FakeContacts()
        let folder = try temporaryFolder("deals-kill")
        let port = try freePort()
        var deals = try await startDeals(port: port, folder: folder, probe: probe.server.port, contacts: contacts.server.port)
        var configuration = RPCClient.Configuration()
        configuration.retry = .none
        let client = RPCClient.test("deals", port: port, configuration: configuration)
        var ids: [Int64] = []
        for i in 0..<8 {
            var deal = Deal()
            deal.title = "deal \(i)"
            deal.contactID = Int64(100 + i)
            ids.append(try await client.call(Deals.createDeal, deal).id)
        }
        // Each deal walks New(1) → Qualified(2) → Proposal(3) → Qualified(2) → ... one
        // change at a time; what was acknowledged is remembered per deal.
        let acknowledged = Acknowledged()
        let total = Counter()
        let walkers = ids.map { id in
            Task {
                var stage: Int64 = 1
                for step in 0..<10_000 {
                    let next: Int64 = stage == 2 ? (step % 4 == 1 ? 3 : 1) : 2
                    var request = ChangeStageRequest()
                    request.dealID = id
                    request.stageID = next
                    guard (try? await client.call(Deals.changeStage, request)) != nil else { return }
                    stage = next
                    acknowledged.state.withLock { $0[id] = (($0[id]?.count ?? 0) + 1, next) }
                    total.increment()
                }
            }
        }
        #expect(try await eventually(within: .seconds(20)) { total.value >= 300 })
        deals.signal(SIGKILL)
        _ = try await deals.waitForExit()
        for walker in walkers { await walker.value }
        let acked = acknowledged.state.withLock { $0 }

        deals = try await startDeals(port: port, folder: folder, probe: probe.server.port, contacts: contacts.server.port)
        // A new client: the old one is backing off after the kill.
        client.shutdown()
        let restarted = RPCClient.test("deals", port: port, configuration: configuration)
        for id in ids {
            let deal = try await restarted.call(Deals.getDeal, GetDealRequest.with(id))
            let mine = acked[id] ?? (0, 1)
            // The acknowledged change is there; at most the one in flight at the kill went further.
            var timeline = TimelineRequest()
            timeline.dealID = id
            timeline.pageSize = 500
            let changes = try await restarted.call(Deals.timeline, timeline).entries.filter { $0.kind == "stage_change" }.count
            #expect(changes == mine.count || changes == mine.count + 1, "deal \(id): \(changes) changes stored, \(mine.count) acknowledged")
            if changes == mine.count { #expect(deal.stageID == mine.stage) }
        }
        // Every committed event reaches the probe, and each takes effect exactly once.
        let committed = try await restarted.call(Deals.listDeals, ListDealsRequest()).deals.count
        #expect(committed == ids.count)
        let expected = try await stageChangeCount(restarted, ids) + ids.count
        #expect(expected >= 300 + ids.count)
        #expect(try await eventuallyAsync(within: .seconds(20)) { try await probe.count("SELECT COUNT(*) FROM effects") == expected })
        #expect(try await probe.count("SELECT COUNT(*) FROM (SELECT event_id FROM effects GROUP BY event_id HAVING COUNT(*) > 1)") == 0)
        // In order per deal: the last effect of each deal is its current stage.
        for id in ids {
            let deal = try await restarted.call(Deals.getDeal, GetDealRequest.with(id))
            #expect(try await probe.count("SELECT stage_id FROM effects WHERE deal_id = \(id) ORDER BY sequence DESC LIMIT 1") == Int(deal.stageID))
        }
        deals.signal(SIGTERM)
        #expect(try await deals.waitForExit() == 0)
        await probe.server.shutdown()
    }

    func stageChangeCount(_ client: RPCClient, _ ids: [Int64]) async throws -> Int {
        var total = 0
        for id in ids {
            var timeline = TimelineRequest()
            timeline.dealID = id
            timeline.pageSize = 500
            total += try await client.call(Deals.timeline, timeline).entries.filter { $0.kind == "stage_change" }.count
        }
        return total
    }
}

/// Per deal: how many stage changes were acknowledged, and the last acknowledged stage.
final class Acknowledged: Sendable {
    let state = Mutex<[Int64: (count: Int, stage: Int64)]>([:])
}

extension GetDealRequest {
    static func with(_ id: Int64) -> GetDealRequest {
        var r = GetDealRequest()
        r.id = id
        return r
    }
}
