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

    /// `clock`: a file every service reads its business time from (P_CLOCK_FILE).
    static func start(clock: URL? = nil) async throws -> System {
        let folder = try temporaryFolder("dialer")
        let clocks = clock.map { ["CONTACTS": $0.path, "DEALS": $0.path, "TELEPHONY": $0.path] } ?? [:]
        func clocked(_ prefix: String, _ environment: [String: String]) -> [String: String] {
            environment.merging(clocks[prefix].map { ["\(prefix)_CLOCK_FILE": $0] } ?? [:]) { a, _ in a }
        }
        let dealsPort = try freePort()
        let telephonyPorts = [try freePort(), try freePort()]
        let contacts = try await ServiceProcess(
            executable: "switchboard-contacts",
            environment: clocked("CONTACTS", ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path]))
        let deals = try await ServiceProcess(
            executable: "switchboard-deals",
            environment: clocked("DEALS", [
                "DEALS_PORT": "\(dealsPort)", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path,
                "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)", "DEALS_LEAD_WAIT_MS": "5000",
                "DEALS_SUBSCRIBERS": "telephony-0@127.0.0.1:\(telephonyPorts[0])=lead.accepted;telephony-1@127.0.0.1:\(telephonyPorts[1])=lead.accepted",
            ]))
        var replicas: [ServiceProcess] = []
        for (i, port) in telephonyPorts.enumerated() {
            replicas.append(try await ServiceProcess(
                executable: "switchboard-telephony",
                environment: clocked("TELEPHONY", [
                    "TELEPHONY_PORT": "\(port)", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.appendingPathComponent("telephony-\(i)").path,
                    "TELEPHONY_REPLICA": "telephony-\(i)", "TELEPHONY_REPLICAS": "telephony-0,telephony-1", "TELEPHONY_CONTACTS": "127.0.0.1:\(contacts.port)",
                    "TELEPHONY_SUBSCRIBERS": "deals@127.0.0.1:\(dealsPort)=dialer.outcome",
                ])))
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

    /// The business time every service reads (P_CLOCK_FILE), moved by the test.
    struct Clock {
        let file: URL
        func set(_ milliseconds: Int64) throws {
            let next = file.appendingPathExtension("next")
            try Data("\(milliseconds)".utf8).write(to: next)
            // rename(2): a service never reads half a time.
            guard rename(next.path, file.path) == 0 else { throw TestFailure("cannot move the clock: errno \(errno)") }
        }
    }

    /// 2027-01-15 00:00 Moscow (21:00 UTC the day before) and an hour.
    static let midnightMoscow: Int64 = 1_800_000_000_000 - (1_800_000_000_000 % 86_400_000) - 3 * 3_600_000
    static let hour: Int64 = 3_600_000

    @Test func t10LeasesRunOutUnchangedCallbacksComeFirstAtTheirTimeToTheirOperatorAndCallingHoursHold() async throws {
        let folder = try temporaryFolder("dialer-clock")
        let clock = Clock(file: folder.appendingPathComponent("now"))
        let at = { (hours: Double) in Self.midnightMoscow + Int64(hours * Double(Self.hour)) }
        try clock.set(at(6))
        let system = try await Self.start(clock: clock.file)
        for i in 1...2 {
            #expect(try system.request("POST", "/v1/staff", body: #"{"firstName":"Operator \#(i)","role":"operator"}"#).status == 201)
        }
        func lead(_ n: Int, region: String = "") throws {
            let body = #"{"channel":"partner","partner":"leadgen","externalId":"C-\#(n)","phone":"+7916\#(String(format: "%07d", 5_000_000 + n))","region":"\#(region)"}"#
            #expect(try system.request("POST", "/v1/leads", body: body).status == 201)
        }
        // Leads an hour apart: the older ranks higher (agePerHour).
        try lead(1)  // 06:00: "x"
        try clock.set(at(7)); try lead(2)  // "y"
        try clock.set(at(8)); try lead(3)  // "z"
        try clock.set(at(8.5)); try lead(4, region: "tver")  // "w"
        func counts() -> [String: Int] {
            let items = (try? system.request("GET", "/v1/dialer/queue"))?.json["items"] as? [[String: Any]] ?? []
            var sum: [String: Int] = [:]
            for item in items { for (k, v) in item { if let n = v as? Int { sum[k, default: 0] += n } } }
            return sum
        }
        #expect(try await eventually(within: .seconds(20)) { counts()["ready"] == 4 })
        func next(_ op: Int) throws -> (status: Int, id: String, entry: [String: Any]) {
            let r = try system.request("POST", "/v1/dialer/next", key: Self.token(op))
            return (r.status, r.json["id"] as? String ?? "", r.json)
        }
        func outcome(_ op: Int, _ id: String, _ body: String) throws -> Int {
            try system.request("POST", "/v1/dialer/entries/\(id)/outcome", key: Self.token(op), body: body).status
        }

        // 08:45 Moscow: before calling hours (9–21) nobody is called; the diagnostic says why.
        try clock.set(at(8.75))
        #expect(try next(1).status == 204)
        #expect(counts()["outsideHours"] == 4, "\(counts())")

        // 09:00: the oldest first, leased for 120 s.
        try clock.set(at(9))
        let x = try next(1)
        #expect(x.status == 200 && x.entry["leasedBy"] as? Int == 1, "\(x.entry)")
        #expect(x.entry["attempts"] as? Int ?? 0 == 0)
        let xScore = x.entry["score"] as? Int
        // The lease runs out: the entry comes back unchanged, to whoever asks next.
        try clock.set(at(9) + 121_000)
        let again = try next(2)
        #expect(again.id == x.id && again.entry["leasedBy"] as? Int == 2)
        #expect(again.entry["attempts"] as? Int ?? 0 == 0 && again.entry["score"] as? Int == xScore, "\(again.entry)")
        #expect(try outcome(1, x.id, #"{"outcome":"no_answer"}"#) == 409, "the first operator's lease ran out")
        // Operator 2 agrees a callback at 10:00, for them only.
        let ten = at(10)
        let tenText = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ten) / 1000))
        #expect(try outcome(2, x.id, #"{"outcome":"callback","callbackAt":"\#(tenText)","callbackForMe":true}"#) == 200)

        // The next oldest; then an admin puts Tver first: the newest lead (Tver) outranks the older one.
        let y = try next(1)
        #expect(y.status == 200 && y.id != x.id)
        #expect(try outcome(1, y.id, #"{"outcome":"offer_made"}"#) == 200)
        let settings = try system.request("GET", "/v1/dialer/settings")
        var body = settings.json
        for readOnly in ["version", "updatedBy", "updatedAt"] { body[readOnly] = nil }
        body["regions"] = [["name": "tver", "score": 500]]
        let put = try system.request(
            "PUT", "/v1/dialer/settings?version=\(settings.json["version"] as? Int ?? 0)",
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(put.status == 200, "\(put.body)")
        let w = try next(1)
        #expect(w.entry["region"] as? String == "tver", "\(w.entry)")
        #expect((w.entry["components"] as? [[String: Any]])?.first { $0["name"] as? String == "region" }?["value"] as? Int == 500)
        #expect(try outcome(1, w.id, #"{"outcome":"refused","reason":"bought elsewhere"}"#) == 200)

        // 09:59: the callback is not due; operator 1 gets the last one and it does not answer.
        try clock.set(at(10) - 60_000)
        let z = try next(1)
        #expect(z.status == 200 && ![x.id, y.id, w.id].contains(z.id))
        #expect(try outcome(1, z.id, #"{"outcome":"no_answer"}"#) == 200)
        // Z waits the minimum gap; X waits for 10:00: nothing to call.
        #expect(try next(1).status == 204)
        // A new Tver lead (500 points) arrives before ten.
        try lead(5, region: "tver")
        #expect(try await eventually(within: .seconds(20)) { counts()["ready"] == 1 })

        // 10:00: the callback is due. Not for operator 1 (for-me-only), who gets the new lead;
        // first for operator 2, ahead of the Tver lead.
        try clock.set(ten)
        let callback = try next(2)
        #expect(callback.id == x.id, "\(callback.entry)")
        #expect((callback.entry["components"] as? [[String: Any]])?.first { $0["name"] as? String == "callback" }?["value"] as? Int == 1_000_000)
        let other = try next(1)
        #expect(other.status == 200 && other.entry["region"] as? String == "tver" && other.id != x.id)
        #expect(try outcome(1, other.id, #"{"outcome":"invalid","reason":"not a person"}"#) == 200)
        #expect(try next(1).status == 204, "Z still waits its gap (5 minutes)")
        try clock.set(ten + 301_000)
        #expect(try next(1).id == z.id)
        try await system.stop()
    }
}
