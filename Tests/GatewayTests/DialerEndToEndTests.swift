import Contracts
import Foundation
import Synchronization
import Testing
import TestSupport

/// T10 through the gateway over real processes: accepted leads become queue entries on
/// the replica owning their phone; eight operators drain them, never two on one entry,
/// with a replica stopped for a while; outcomes reach the deals.
@Suite struct DialerEndToEndTests {
    static func token(_ staff: Int) -> String { "operator-\(staff)-token-0123456789" }

    struct System {
        let processes: [ServiceProcess]
        let replicas: [ServiceProcess]
        let gateway: ServiceProcess

        func request(_ method: String, _ path: String, key: String = adminKey, body: String? = nil) throws -> HTTPExchange {
            try httpRequest(port: gateway.port, method, path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"], body: body)
        }

        func stop() async throws {
            for p in [gateway] + replicas + processes {
                p.signal(SIGCONT)
                p.signal(SIGTERM)
                _ = try await p.waitForExit()
            }
        }
    }

    static func start() async throws -> System {
        let folder = try temporaryFolder("dialer")
        let dealsPort = try freePort()
        let telephonyPorts = [try freePort(), try freePort()]
        let contacts = try await ServiceProcess(
            executable: "switchboard-contacts",
            environment: ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let deals = try await ServiceProcess(
            executable: "switchboard-deals",
            environment: [
                "DEALS_PORT": "\(dealsPort)", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path,
                "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)", "DEALS_LEAD_WAIT_MS": "5000",
                "DEALS_SUBSCRIBERS": "telephony-0@127.0.0.1:\(telephonyPorts[0])=lead.accepted;telephony-1@127.0.0.1:\(telephonyPorts[1])=lead.accepted",
            ])
        var replicas: [ServiceProcess] = []
        for (i, port) in telephonyPorts.enumerated() {
            replicas.append(try await ServiceProcess(
                executable: "switchboard-telephony",
                environment: [
                    "TELEPHONY_PORT": "\(port)", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.appendingPathComponent("telephony-\(i)").path,
                    "TELEPHONY_REPLICA": "telephony-\(i)", "TELEPHONY_REPLICAS": "telephony-0,telephony-1", "TELEPHONY_CONTACTS": "127.0.0.1:\(contacts.port)",
                    "TELEPHONY_SUBSCRIBERS": "deals@127.0.0.1:\(dealsPort)=dialer.outcome",
                ]))
        }
        let keys = (1...8).map { "\(token($0))=staff:\($0)" }.joined(separator: ",")
        let gateway = try await ServiceProcess(
            executable: "switchboard-gateway",
            environment: [
                "GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
                "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(deals.port)",
                "GATEWAY_TELEPHONY": "telephony-0=127.0.0.1:\(replicas[0].port),telephony-1=127.0.0.1:\(replicas[1].port)",
                "GATEWAY_API_KEYS": "\(adminKey)=admin,\(keys)", "GATEWAY_RATE_LIMIT": "100000", "GATEWAY_RATE_BURST": "100000", "GATEWAY_TIMEOUT_MS": "2000",
            ])
        return System(processes: [deals, contacts], replicas: replicas, gateway: gateway)
    }

    final class Claims: Sendable {
        let ids = Mutex<[String]>([])
    }

    @Test func t10EightOperatorsDrainTheQueueNeverTwoOnOneEntryWithAReplicaStoppedForAWhile() async throws {
        let system = try await Self.start()
        for i in 1...8 {
            #expect(try system.request("POST", "/v1/staff", body: #"{"firstName":"Operator \#(i)","role":"operator"}"#).status == 201)
        }
        // Calls at any hour in this test (CI runs at night too).
        let settings = try system.request("GET", "/v1/dialer/settings")
        let version = try #require(settings.json["version"] as? Int)
        var body = settings.json
        for readOnly in ["version", "updatedBy", "updatedAt"] { body[readOnly] = nil }
        body["callingHourFrom"] = 0
        body["callingHourTo"] = 24
        body["minGapSeconds"] = 0
        let put = try system.request("PUT", "/v1/dialer/settings?version=\(version)", body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(put.status == 200 && put.json["version"] as? Int == version + 1, "\(put.body)")
        #expect(try system.request("PUT", "/v1/dialer/settings?version=\(version)", body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)).status == 409)

        // 500 leads from a partner; each valid and unique one becomes a queue entry.
        let total = 500
        for i in 0..<total {
            let lead = #"{"channel":"partner","partner":"leadgen","externalId":"D-\#(i)","phone":"+7916\#(String(format: "%07d", 4_000_000 + i))","region":"moscow","product":"windows"}"#
            #expect(try system.request("POST", "/v1/leads", body: lead).status == 201)
        }
        func queued() -> Int {
            let items = (try? system.request("GET", "/v1/dialer/queue"))?.json["items"] as? [[String: Any]] ?? []
            return items.reduce(0) { $0 + ($1["ready"] as? Int ?? 0) }
        }
        #expect(try await eventually(within: .seconds(30)) { queued() == total })
        #expect(try system.request("POST", "/v1/dialer/next").status == 422, "an API key is nobody: the dialer needs a staff token")

        let perReplica = ((try system.request("GET", "/v1/dialer/queue").json["items"] as? [[String: Any]]) ?? []).map { $0["ready"] as? Int ?? 0 }
        #expect(perReplica.count == 2 && perReplica.allSatisfy { $0 > 0 })
        // One replica is stopped before the operators start: its entries wait; they work
        // through the other's.
        system.replicas[1].signal(SIGSTOP)
        let claims = Claims()
        let deadline = ContinuousClock.now + .seconds(60)
        let operators = (1...8).map { op in
            Task {
                while claims.ids.withLock({ $0.count }) < total && ContinuousClock.now < deadline {
                    guard let next = try? system.request("POST", "/v1/dialer/next", key: Self.token(op)), next.status == 200,
                        let id = next.json["id"] as? String
                    else {
                        try? await Task.sleep(for: .milliseconds(50))
                        continue
                    }
                    claims.ids.withLock { $0.append(id) }
                    let outcome = try? system.request("POST", "/v1/dialer/entries/\(id)/outcome", key: Self.token(op), body: #"{"outcome":"offer_made"}"#)
                    #expect(outcome?.status == 200, "\(outcome?.body ?? "")")
                }
            }
        }
        let shards = CallShard()
        func onFirst(_ id: String) -> Bool { shards.owner(of: Int(id.split(separator: "-")[0])!, replicas: ["telephony-0", "telephony-1"]) == 0 }
        #expect(try await eventually(within: .seconds(30)) { claims.ids.withLock { $0.filter(onFirst).count } == perReplica[0] })
        #expect(claims.ids.withLock { $0.filter { !onFirst($0) }.isEmpty }, "the stopped replica's entries waited")
        system.replicas[1].signal(SIGCONT)
        for task in operators { await task.value }
        let ids = claims.ids.withLock { $0 }
        #expect(ids.count == Set(ids).count, "an entry was given to two operators")
        #expect(Set(ids).count == total)
        // The outcomes reached deals: offers moved the deals on.
        let deals = try system.request("GET", "/v1/deals?limit=500").json["items"] as? [[String: Any]] ?? []
        #expect(try await eventually(within: .seconds(20)) {
            ((try? system.request("GET", "/v1/deals?limit=500"))?.json["items"] as? [[String: Any]] ?? []).allSatisfy { $0["stageId"] as? Int == 3 }
        })
        #expect(deals.count == total)
        try await system.stop()
    }
}
