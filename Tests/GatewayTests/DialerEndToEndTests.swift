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

    typealias System = ReplicatedSystem

    /// `clock`: a file every service reads its business time from (P_CLOCK_FILE).
    /// The gateway's budget is long unless a test needs a stopped replica to time out: under a loaded
    /// suite a first request can wait seconds for a service that is still warming up.
    /// `replicaWaitMilliseconds`: how long `next` waits for each replica (T10's 300 ms unless a
    /// test of an exact order sets more: on a loaded machine a replica that shares the test's
    /// threads can miss 300 ms, and its entries are then left out of that answer).
    static func start(clock: URL? = nil, processes: Bool = false, timeoutMilliseconds: Int = 10_000, replicaWaitMilliseconds: Int = 300) async throws -> System {
        let folder = try temporaryFolder("dialer")
        let clocks = clock.map { ["CONTACTS": $0.path, "DEALS": $0.path, "TELEPHONY": $0.path] } ?? [:]
        func clocked(_ prefix: String, _ environment: [String: String]) -> [String: String] {
            environment.merging(clocks[prefix].map { ["\(prefix)_CLOCK_FILE": $0] } ?? [:]) { a, _ in a }
        }
        let dealsPort = try freePort()
        let telephonyPorts = [try freePort(), try freePort()]
        let contacts = try await Hosted.start(
            executable: "switchboard-contacts",
            environment: clocked("CONTACTS", [
                "CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path,
                // Issue 26: staff who leave hand over their deals and their dialer work.
                "CONTACTS_SUBSCRIBERS": "deals@127.0.0.1:\(dealsPort);telephony-0@127.0.0.1:\(telephonyPorts[0]);telephony-1@127.0.0.1:\(telephonyPorts[1])",
            ]), process: processes)
        let deals = try await Hosted.start(
            executable: "switchboard-deals",
            environment: clocked("DEALS", [
                "DEALS_PORT": "\(dealsPort)", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path,
                "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)", "DEALS_LEAD_WAIT_MS": "5000",
                "DEALS_SUBSCRIBERS": "telephony-0@127.0.0.1:\(telephonyPorts[0]);telephony-1@127.0.0.1:\(telephonyPorts[1])",
            ]), process: processes)
        var replicas: [Hosted] = []
        for (i, port) in telephonyPorts.enumerated() {
            replicas.append(try await Hosted.start(
                executable: "switchboard-telephony",
                environment: clocked("TELEPHONY", [
                    "TELEPHONY_PORT": "\(port)", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.appendingPathComponent("telephony-\(i)").path,
                    "TELEPHONY_REPLICA": "telephony-\(i)", "TELEPHONY_REPLICAS": "telephony-0,telephony-1", "TELEPHONY_CONTACTS": "127.0.0.1:\(contacts.port)",
                    "TELEPHONY_SUBSCRIBERS": "deals@127.0.0.1:\(dealsPort)",
                ]), process: processes))
        }
        let keys = (1...8).map { "\(token($0))=staff:\($0)" }.joined(separator: ",")
        let gateway = try await Hosted.start(
            executable: "switchboard-gateway",
            environment: [
                "GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
                "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(deals.port)",
                "GATEWAY_TELEPHONY": "telephony-0=127.0.0.1:\(replicas[0].port),telephony-1=127.0.0.1:\(replicas[1].port)",
                "GATEWAY_API_KEYS": "\(adminKey)=admin,\(keys)", "GATEWAY_RATE_LIMIT": "100000", "GATEWAY_RATE_BURST": "100000", "GATEWAY_TIMEOUT_MS": "\(timeoutMilliseconds)",
                "GATEWAY_DIALER_REPLICA_WAIT_MS": "\(replicaWaitMilliseconds)",
            ], process: processes)
        return System(processes: [deals, contacts], replicas: replicas, gateway: gateway)
    }

    final class Claims: Sendable {
        let ids = Mutex<[String]>([])
    }

    @Test func t10EightOperatorsDrainTheQueueNeverTwoOnOneEntryWithAReplicaStoppedForAWhile() async throws {
        let system = try await Self.start(processes: true, timeoutMilliseconds: 2000)
        for i in 1...8 {
            #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Operator \#(i)","role":"operator"}"#).status == 201)
        }
        // Calls at any hour in this test (CI runs at night too).
        let settings = try await system.request("GET", "/v1/dialer/settings")
        let version = try #require(settings.json["version"] as? Int)
        var body = settings.json
        for readOnly in ["version", "updatedBy", "updatedAt"] { body[readOnly] = nil }
        body["callingHourFrom"] = 0
        body["callingHourTo"] = 24
        body["minGapSeconds"] = 0
        let put = try await system.request("PUT", "/v1/dialer/settings?version=\(version)", body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(put.status == 200 && put.json["version"] as? Int == version + 1, "\(put.body)")
        #expect(try await system.request("PUT", "/v1/dialer/settings?version=\(version)", body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)).status == 409)
        // With a replica not answering, nothing is changed anywhere (503), so the replicas never disagree.
        try await system.replicas[1].process.suspend()
        body["leaseSeconds"] = 60
        let halfway = try await system.request("PUT", "/v1/dialer/settings?version=\(version + 1)", body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        system.replicas[1].process.signal(SIGCONT)
        #expect(halfway.status == 503, "\(halfway.body)")
        #expect(try await eventuallyAsync(within: .seconds(10)) {
            (try? await system.request("GET", "/v1/dialer/settings"))?.json["version"] as? Int == version + 1
        }, "once the replica answers again, the settings are as they were")

        // 500 leads from a partner; each valid and unique one becomes a queue entry.
        let total = 500
        for i in 0..<total {
            let lead = #"{"channel":"partner","partner":"leadgen","externalId":"D-\#(i)","phone":"+7916\#(String(format: "%07d", 4_000_000 + i))","region":"moscow","product":"windows"}"#
            #expect(try await system.request("POST", "/v1/leads", body: lead).status == 201)
        }
        func queued() async -> Int {
            let items = (try? await system.request("GET", "/v1/dialer/queue"))?.json["items"] as? [[String: Any]] ?? []
            return items.reduce(0) { $0 + ($1["ready"] as? Int ?? 0) }
        }
        #expect(try await eventuallyAsync(within: .seconds(30)) { await queued() == total })
        #expect(try await system.request("POST", "/v1/dialer/next").status == 422, "an API key is nobody: the dialer needs a staff token")

        let perReplica = ((try await system.request("GET", "/v1/dialer/queue").json["items"] as? [[String: Any]]) ?? []).map { $0["ready"] as? Int ?? 0 }
        #expect(perReplica.count == 2 && perReplica.allSatisfy { $0 > 0 })
        // One replica is stopped before the operators start: its entries wait; they work
        // through the other's.
        try await system.replicas[1].process.suspend()
        let claims = Claims()
        let deadline = ContinuousClock.now + .seconds(60)
        let operators = (1...8).map { op in
            Task {
                while claims.ids.withLock({ $0.count }) < total && ContinuousClock.now < deadline {
                    guard let next = try? await system.request("POST", "/v1/dialer/next", key: Self.token(op)), next.status == 200,
                        let id = next.json["id"] as? String
                    else {
                        try? await Task.sleep(for: .milliseconds(50))
                        continue
                    }
                    claims.ids.withLock { $0.append(id) }
                    let outcome = try? await system.request("POST", "/v1/dialer/entries/\(id)/outcome", key: Self.token(op), body: #"{"outcome":"offer_made"}"#)
                    #expect(outcome?.status == 200, "\(outcome?.body ?? "")")
                }
            }
        }
        let shards = CallShard()
        func onFirst(_ id: String) -> Bool { shards.owner(of: Int(id.split(separator: "-")[0])!, replicas: ["telephony-0", "telephony-1"]) == 0 }
        #expect(try await eventually(within: .seconds(30)) { claims.ids.withLock { $0.filter(onFirst).count } == perReplica[0] })
        #expect(claims.ids.withLock { $0.filter { !onFirst($0) }.isEmpty }, "the stopped replica's entries waited")
        system.replicas[1].process.signal(SIGCONT)
        for task in operators { await task.value }
        let ids = claims.ids.withLock { $0 }
        #expect(ids.count == Set(ids).count, "an entry was given to two operators")
        #expect(Set(ids).count == total)
        // The outcomes reached deals: offers moved the deals on.
        let deals = try await system.request("GET", "/v1/deals?limit=500").json["items"] as? [[String: Any]] ?? []
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            ((try? await system.request("GET", "/v1/deals?limit=500"))?.json["items"] as? [[String: Any]] ?? []).allSatisfy { $0["stageId"] as? Int == 3 }
        })
        #expect(deals.count == total)
        try await system.stop()
    }

    @Test func t10ANumberRefusedOnACallOrMarkedDoNotCallIsNeverQueuedAgain() async throws {
        let folder = try temporaryFolder("dialer-dnc")
        let clock = Clock(file: folder.appendingPathComponent("now"))
        try clock.set(Self.midnightMoscow + 10 * Self.hour)  // 10:00 Moscow: inside calling hours
        let system = try await Self.start(clock: clock.file, processes: true)
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Olga","role":"operator"}"#).status == 201)
        func lead(_ id: String, _ phone: String, partner: String = "leadgen") async throws {
            let body = #"{"channel":"partner","partner":"\#(partner)","externalId":"\#(id)","phone":"\#(phone)"}"#
            #expect(try await system.request("POST", "/v1/leads", body: body).status == 201)
        }
        func counts() async -> [String: Int] {
            let items = (try? await system.request("GET", "/v1/dialer/queue"))?.json["items"] as? [[String: Any]] ?? []
            var sum: [String: Int] = [:]
            for item in items { for (k, v) in item { if let n = v as? Int { sum[k, default: 0] += n } } }
            return sum
        }
        let refuser = "+79167000001", marked = "+79167000002", other = "+79167000003"
        try await lead("A-1", refuser)
        #expect(try await eventuallyAsync(within: .seconds(20)) { await counts()["ready"] == 1 })
        let entry = try await system.request("POST", "/v1/dialer/next", key: Self.token(1))
        let id = try #require(entry.json["id"] as? String, "\(entry.body)")
        #expect(try await system.request("POST", "/v1/dialer/entries/\(id)/outcome", key: Self.token(1), body: #"{"outcome":"refused","reason":"do not call me"}"#).status == 200)
        let listed = try await system.request("GET", "/v1/do-not-call?phone=8%20916%20700-00-01")
        let mark = try #require((listed.json["items"] as? [[String: Any]])?.first, "\(listed.body)")
        #expect(mark["phone"] as? String == refuser && mark["source"] as? String == "dialer" && mark["by"] as? String == "staff:1" && mark["reason"] as? String == "do not call me")

        // Another partner sends the same person, and someone new: only the new one is queued.
        try await lead("B-1", refuser, partner: "other")
        try await lead("B-2", marked, partner: "other")
        #expect(try await eventuallyAsync(within: .seconds(20)) { await counts()["ready"] == 1 })
        // Marked by hand while waiting: its entry closes now, and the list has both.
        let put = try await system.request("POST", "/v1/do-not-call", body: #"{"phone":"8 916 700-00-02","reason":"asked by email"}"#)
        #expect(put.status == 200 && put.json["phone"] as? String == marked && put.json["by"] as? String == "api:admin", "\(put.body)")
        #expect(await counts()["ready"] ?? 0 == 0)
        #expect(try await system.request("POST", "/v1/do-not-call", body: #"{"phone":"+79167000002","reason":"again"}"#).json["reason"] as? String == "asked by email")
        let page = try await system.request("GET", "/v1/do-not-call?limit=1")
        #expect((page.json["items"] as? [[String: Any]])?.compactMap { $0["phone"] as? String } == [refuser] && page.json["nextCursor"] as? String == refuser, "\(page.body)")
        let rest = try await system.request("GET", "/v1/do-not-call?limit=1&cursor=%2B79167000001")
        #expect((rest.json["items"] as? [[String: Any]])?.compactMap { $0["phone"] as? String } == [marked] && rest.json["nextCursor"] == nil, "\(rest.body)")
        #expect(try await system.request("POST", "/v1/do-not-call", body: #"{"phone":"not a number"}"#).status == 422)
        #expect(try await system.request("GET", "/v1/do-not-call", key: Self.token(1)).status == 403, "operators do not browse it")
        // Taken off: the next lead of the number is queued again.
        #expect(try await system.request("DELETE", "/v1/do-not-call/+79167000002").status == 200)
        #expect(try await system.request("DELETE", "/v1/do-not-call/+79167000002").status == 404)
        // (D3: a person with an open deal is a duplicate lead; their deal is closed first.)
        for deal in try await system.request("GET", "/v1/deals?status=open").json["items"] as? [[String: Any]] ?? [] {
            let id = try #require(deal["id"] as? Int)
            #expect(try await system.request("POST", "/v1/deals/\(id)/stage", body: #"{"stageId":5,"lossReason":"not now"}"#).status == 200)
        }
        try await lead("C-1", marked, partner: "third")
        try await lead("C-2", other, partner: "third")
        #expect(try await eventuallyAsync(within: .seconds(20)) { await counts()["ready"] == 2 })
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
        // Processes: `next` gives each replica 300 ms (T10), which a replica sharing the
        // test's busy threads can miss on a loaded machine (it then answers 503).
        let system = try await Self.start(clock: clock.file, processes: true)
        for i in 1...2 {
            #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Operator \#(i)","role":"operator"}"#).status == 201)
        }
        func lead(_ n: Int, region: String = "") async throws {
            let body = #"{"channel":"partner","partner":"leadgen","externalId":"C-\#(n)","phone":"+7916\#(String(format: "%07d", 5_000_000 + n))","region":"\#(region)"}"#
            #expect(try await system.request("POST", "/v1/leads", body: body).status == 201)
        }
        // Leads an hour apart: the older ranks higher (agePerHour).
        try await lead(1)  // 06:00: "x"
        try clock.set(at(7)); try await lead(2)  // "y"
        try clock.set(at(8)); try await lead(3)  // "z"
        try clock.set(at(8.5)); try await lead(4, region: "tver")  // "w"
        func counts() async -> [String: Int] {
            let items = (try? await system.request("GET", "/v1/dialer/queue"))?.json["items"] as? [[String: Any]] ?? []
            var sum: [String: Int] = [:]
            for item in items { for (k, v) in item { if let n = v as? Int { sum[k, default: 0] += n } } }
            return sum
        }
        #expect(try await eventuallyAsync(within: .seconds(20)) { await counts()["ready"] == 4 })
        func next(_ op: Int) async throws -> (status: Int, id: String, entry: [String: Any]) {
            let r = try await system.request("POST", "/v1/dialer/next", key: Self.token(op))
            return (r.status, r.json["id"] as? String ?? "", r.json)
        }
        func outcome(_ op: Int, _ id: String, _ body: String) async throws -> Int {
            try await system.request("POST", "/v1/dialer/entries/\(id)/outcome", key: Self.token(op), body: body).status
        }

        // 08:45 Moscow: before calling hours (9–21) nobody is called; the diagnostic says why.
        try clock.set(at(8.75))
        #expect(try await next(1).status == 204)
        let outside = await counts()
        #expect(outside["outsideHours"] == 4, "\(outside)")

        // 09:00: the oldest first, leased for 120 s.
        try clock.set(at(9))
        let x = try await next(1)
        #expect(x.status == 200 && x.entry["leasedBy"] as? Int == 1, "\(x.entry)")
        #expect(x.entry["attempts"] as? Int ?? 0 == 0)
        let xScore = x.entry["score"] as? Int
        // The lease runs out: the entry comes back unchanged, to whoever asks next.
        try clock.set(at(9) + 121_000)
        // Issue 22: a run-out lease reads ready at once, before anyone claims it again.
        let expired = try await system.request("GET", "/v1/dialer/entries/\(x.id)").json
        #expect(expired["state"] as? String == "ready" && (expired["leasedBy"] as? Int) == nil, "\(expired)")
        let settled = await counts()
        #expect(settled["leased"] ?? 0 == 0 && settled["ready"] == 4, "\(settled)")
        let again = try await next(2)
        #expect(again.id == x.id && again.entry["leasedBy"] as? Int == 2)
        #expect(again.entry["attempts"] as? Int ?? 0 == 0 && again.entry["score"] as? Int == xScore, "\(again.entry)")
        #expect(try await outcome(1, x.id, #"{"outcome":"no_answer"}"#) == 409, "the first operator's lease ran out")
        // Operator 2 agrees a callback at 10:00, for them only.
        let ten = at(10)
        let tenText = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ten) / 1000))
        #expect(try await outcome(2, x.id, #"{"outcome":"callback","callbackAt":"\#(tenText)","callbackForMe":true}"#) == 200)

        // The next oldest; then an admin puts Tver first: the newest lead (Tver) outranks the older one.
        let y = try await next(1)
        #expect(y.status == 200 && y.id != x.id)
        // T10 (issue 22 item 18): one open lease per operator — asking again answers the same entry.
        let leasedBefore = await counts()["leased"] ?? 0
        for _ in 0..<3 { #expect(try await next(1).id == y.id) }
        let leasedAfter = await counts()
        #expect(leasedAfter["leased"] ?? 0 == leasedBefore, "\(leasedAfter)")
        // G3 (issue 21): to operator 2, who never held it, Y does not exist, for an outcome
        // as for a GET (no 409 telling that it does), and nothing changes.
        #expect(try await outcome(2, y.id, #"{"outcome":"invalid"}"#) == 404)
        #expect(try await system.request("GET", "/v1/dialer/entries/\(y.id)", key: Self.token(2)).status == 404)
        #expect(try await system.request("GET", "/v1/dialer/entries/\(y.id)").json["leasedBy"] as? Int == 1)
        #expect(try await outcome(1, y.id, #"{"outcome":"offer_made"}"#) == 200)
        // Issue 22 item 20: the operator who made the offer works the deal nobody worked
        // (and can open it); the callback operator 2 kept for themselves makes X's theirs.
        for (op, entry) in [(1, y.entry), (2, x.entry)] {
            let deal = try #require(entry["dealId"] as? Int)
            #expect(try await eventuallyAsync {
                let reply = try? await system.request("GET", "/v1/deals/\(deal)", key: Self.token(op))
                return reply?.status == 200 && reply?.json["responsibleId"] as? Int == op
            }, "operator \(op) works deal \(deal)")
        }
        let settings = try await system.request("GET", "/v1/dialer/settings")
        var body = settings.json
        for readOnly in ["version", "updatedBy", "updatedAt"] { body[readOnly] = nil }
        body["regions"] = [["name": "tver", "score": 500]]
        let put = try await system.request(
            "PUT", "/v1/dialer/settings?version=\(settings.json["version"] as? Int ?? 0)",
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(put.status == 200, "\(put.body)")
        // A table naming one region 500 times is refused with its first problems, changing nothing.
        body["regions"] = Array(repeating: ["name": "tver", "score": 1], count: 500)
        let repeated = try await system.request(
            "PUT", "/v1/dialer/settings?version=\(put.json["version"] as? Int ?? 0)",
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(repeated.status == 422 && (repeated.json["errors"] as? [Any])?.count == 20, "\(repeated.status) \(repeated.body.prefix(300))")
        #expect(try await system.request("GET", "/v1/dialer/settings").json["version"] as? Int == put.json["version"] as? Int)
        let w = try await next(1)
        #expect(w.entry["region"] as? String == "tver", "\(w.entry)")
        #expect((w.entry["components"] as? [[String: Any]])?.first { $0["name"] as? String == "region" }?["value"] as? Int == 500)
        #expect(try await outcome(1, w.id, #"{"outcome":"refused","reason":"bought elsewhere"}"#) == 200)

        // 09:59: the callback is not due; operator 1 gets the last one and it does not answer.
        try clock.set(at(10) - 60_000)
        let z = try await next(1)
        #expect(z.status == 200 && ![x.id, y.id, w.id].contains(z.id))
        #expect(try await outcome(1, z.id, #"{"outcome":"no_answer"}"#) == 200)
        // Z waits the minimum gap; X waits for 10:00: nothing to call.
        #expect(try await next(1).status == 204)
        // A new Tver lead (500 points) arrives before ten.
        try await lead(5, region: "tver")
        #expect(try await eventuallyAsync(within: .seconds(20)) { await counts()["ready"] == 1 })

        // 10:00: the callback is due. Not for operator 1 (for-me-only), who gets the new lead;
        // first for operator 2, ahead of the Tver lead.
        try clock.set(ten)
        let callback = try await next(2)
        #expect(callback.id == x.id, "\(callback.entry)")
        #expect((callback.entry["components"] as? [[String: Any]])?.first { $0["name"] as? String == "callback" }?["value"] as? Int == 1_000_000)
        let other = try await next(1)
        #expect(other.status == 200 && other.entry["region"] as? String == "tver" && other.id != x.id)
        #expect(try await outcome(1, other.id, #"{"outcome":"invalid","reason":"not a person"}"#) == 200)
        #expect(try await next(1).status == 204, "Z still waits its gap (5 minutes)")
        try clock.set(ten + 301_000)
        #expect(try await next(1).id == z.id)
        try await system.stop()
    }

    /// D7 over a scripted day: leads from two partners, the operators' calls and outcomes,
    /// a win; the report gives what the test works out by hand.
    @Test func d7AScriptedDayGivesTheCountsSharesAndMediansWorkedOutByHand() async throws {
        let folder = try temporaryFolder("report-clock")
        let clock = Clock(file: folder.appendingPathComponent("now"))
        // 2027-01-15 in UTC (report days are UTC by default); calling hours are Moscow's 9–21 (06–18 UTC).
        let dayStart = Self.midnightMoscow + 3 * Self.hour
        let at = { (h: Int64, m: Int64) in dayStart + h * Self.hour + m * 60_000 }
        try clock.set(at(0, 30))
        let system = try await Self.start(clock: clock.file, replicaWaitMilliseconds: 5000)
        for i in 1...2 {
            #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Operator \#(i)","role":"operator"}"#).status == 201)
        }
        // A recall only in two hours: each lead is tried once in this script.
        let settings = try await system.request("GET", "/v1/dialer/settings")
        var body = settings.json
        for readOnly in ["version", "updatedBy", "updatedAt"] { body[readOnly] = nil }
        body["minGapSeconds"] = 7200
        let put = try await system.request(
            "PUT", "/v1/dialer/settings?version=\(settings.json["version"] as? Int ?? 0)",
            body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        #expect(put.status == 200, "\(put.status) \(put.body)")

        var leadIDs: [String: Int] = [:]
        func lead(_ name: String, _ partner: String, _ region: String, _ product: String, phone: Int, at time: Int64) async throws {
            try clock.set(time)
            let body = #"{"channel":"partner","partner":"\#(partner)","externalId":"\#(name)","phone":"+7916\#(String(format: "%07d", 6_000_000 + phone))","region":"\#(region)","product":"\#(product)"}"#
            let r = try await system.request("POST", "/v1/leads", body: body)
            #expect(r.status == 201, "\(r.body)")
            leadIDs[name] = r.json["id"] as? Int
        }
        // Hours apart, so the queue's order (oldest first) is known.
        try await lead("A1", "alpha", "moscow", "windows", phone: 1, at: at(1, 0))
        try await lead("B1", "beta", "moscow", "windows", phone: 2, at: at(2, 0))
        try await lead("A2", "alpha", "moscow", "doors", phone: 3, at: at(3, 0))
        try await lead("B2", "beta", "tver", "windows", phone: 4, at: at(4, 0))
        try await lead("A3", "alpha", "tver", "windows", phone: 5, at: at(5, 0))
        try await lead("B3", "beta", "moscow", "windows", phone: 2, at: at(5, 30))  // B1's number again: a duplicate, low quality
        try await lead("A4", "alpha", "tver", "doors", phone: 6, at: at(5, 40))
        func ready() async -> Int {
            ((try? await system.request("GET", "/v1/dialer/queue"))?.json["items"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["ready"] as? Int ?? 0) }
        }
        #expect(try await eventuallyAsync(within: .seconds(20)) { await ready() == 6 }, "the duplicate is not queued")

        func call(_ op: Int, at time: Int64, expect name: String, _ outcome: String, then after: Int64 = 60_000) async throws {
            try clock.set(time)
            let next = try await system.request("POST", "/v1/dialer/next", key: Self.token(op))
            #expect(next.json["leadId"] as? Int == leadIDs[name], "operator \(op) at \(time): \(next.body)")
            try clock.set(time + after)
            let r = try await system.request("POST", "/v1/dialer/entries/\(next.json["id"] as? String ?? "")/outcome", key: Self.token(op), body: outcome)
            #expect(r.status == 200, "\(r.body)")
        }
        try await call(1, at: at(7, 0), expect: "A1", #"{"outcome":"offer_made"}"#)  // 6 h after the lead
        try await call(2, at: at(7, 0), expect: "B1", #"{"outcome":"no_answer"}"#)  // 5 h
        try await call(2, at: at(7, 10), expect: "A2", #"{"outcome":"invalid","reason":"a test number"}"#)  // 4 h 10 min
        try await call(1, at: at(7, 20), expect: "B2", #"{"outcome":"offer_made"}"#)  // 3 h 20 min
        try await call(1, at: at(7, 30), expect: "A3", #"{"outcome":"refused","reason":"too dear"}"#)  // 2 h 30 min
        let nine = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(at(9, 0)) / 1000))
        try await call(2, at: at(7, 40), expect: "A4", #"{"outcome":"callback","callbackAt":"\#(nine)"}"#)  // 2 h

        func report(_ groupBy: String) async throws -> [String: Any] {
            try await system.request("GET", "/v1/reports/leads?from=2027-01-15&to=2027-01-15&groupBy=\(groupBy)").json
        }
        #expect(try await eventuallyAsync(within: .seconds(20)) { ((try? await report("operator"))?["total"] as? [String: Any])?["claims"] as? Int == 6 })
        // A1's offer is accepted: the deal is won.
        let a1 = try await system.request("GET", "/v1/leads/\(try #require(leadIDs["A1"]))").json
        let dealID = try #require(a1["dealId"] as? Int)
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            (try? await system.request("GET", "/v1/deals/\(dealID)"))?.json["stageId"] as? Int == 3
        }, "offer_made moved the deal to Proposal")
        #expect(try await system.request("POST", "/v1/deals/\(dealID)/stage", body: #"{"stageId":4}"#).status == 200)

        func row(_ report: [String: Any], _ value: String) -> [String: Any] {
            (report["items"] as? [[String: Any]] ?? []).first { $0["value"] as? String == value } ?? [:]
        }
        let byPartner = try await report("partner")
        let alpha = row(byPartner, "alpha"), beta = row(byPartner, "beta"), total = byPartner["total"] as? [String: Any] ?? [:]
        // alpha: A1–A4; A2 invalid; A1 offered and won. First attempts 7200, 9000, 15000, 21600 s.
        #expect(alpha["leads"] as? Int == 4 && alpha["lowQuality"] as? Int == 1 && alpha["attempted"] as? Int == 4, "\(alpha)")
        #expect(alpha["offers"] as? Int == 1 && alpha["won"] as? Int == 1, "\(alpha)")
        #expect(alpha["lowQualityShare"] as? Double == 0.25 && alpha["wonRate"] as? Double == 0.25)
        #expect(alpha["firstAttemptMedianSeconds"] as? Int == 9000 && alpha["firstAttemptP90Seconds"] as? Int == 21600, "\(alpha)")
        // beta: B1–B3; B3 a duplicate; B2 offered. First attempts 12000 and 18000 s.
        #expect(beta["leads"] as? Int == 3 && beta["lowQuality"] as? Int == 1 && beta["attempted"] as? Int == 2 && beta["offers"] as? Int == 1, "\(beta)")
        #expect(beta["lowQualityShare"] as? Double == 0.3333 && beta["won"] as? Int == 0)
        #expect(beta["firstAttemptMedianSeconds"] as? Int == 12000 && beta["firstAttemptP90Seconds"] as? Int == 18000, "\(beta)")
        // Everything: six attempts, median the 3rd (12000), p90 the 6th (21600).
        #expect(total["leads"] as? Int == 7 && total["lowQuality"] as? Int == 2 && total["offers"] as? Int == 2 && total["won"] as? Int == 1, "\(total)")
        #expect(total["firstAttemptMedianSeconds"] as? Int == 12000 && total["firstAttemptP90Seconds"] as? Int == 21600, "\(total)")
        // The rows add up to the total; operators' activity is in the operator grouping (issue 22).
        let partnerRows = byPartner["items"] as? [[String: Any]] ?? []
        for field in ["leads", "claims", "talkSeconds", "offersMade"] {
            #expect(partnerRows.reduce(0) { $0 + ($1[field] as? Int ?? 0) } == total[field] as? Int ?? 0, "\(field): \(byPartner)")
        }

        // Operators: 1 offered A1 and B2 and was refused on A3; 2 took B1, A2, A4. All in one clock hour.
        let byOperator = try await report("operator")
        let one = row(byOperator, "1"), two = row(byOperator, "2")
        #expect(one["leads"] as? Int == 3 && one["offers"] as? Int == 2 && one["won"] as? Int == 1, "\(one)")
        #expect(one["claims"] as? Int == 3 && one["activeHours"] as? Int == 1 && one["claimsPerHour"] as? Double == 3, "\(one)")
        #expect(one["offersMade"] as? Int == 2 && one["refused"] as? Int == 1)
        #expect(two["leads"] as? Int == 3 && two["lowQuality"] as? Int == 1 && two["noAnswer"] as? Int == 1 && two["invalid"] as? Int == 1 && two["callbacks"] as? Int == 1, "\(two)")
        #expect(row(byOperator, "")["leads"] as? Int == 1, "the duplicate was never called")
        #expect((byOperator["items"] as? [Any])?.count == 3, "no empty groups: \(byOperator)")

        let byRegion = try await report("geography")
        #expect(row(byRegion, "moscow")["leads"] as? Int == 4 && row(byRegion, "tver")["leads"] as? Int == 3)
        let byProduct = try await report("product")
        #expect(row(byProduct, "windows")["leads"] as? Int == 5 && row(byProduct, "doors")["won"] as? Int == 0)

        // The same as CSV; a day with nothing is empty; bad periods are refused.
        let csv = try await system.request("GET", "/v1/reports/leads.csv?from=2027-01-15&to=2027-01-15&groupBy=partner")
        #expect(csv.status == 200)
        let lines = csv.body.split(separator: "\r\n").map(String.init)
        #expect(lines.first?.hasPrefix("partner,leads,low_quality,low_quality_share") == true)
        #expect(lines.contains { $0.hasPrefix("alpha,4,1,0.25,4,1,1,0.25,0.25,9000,21600,") }, "\(lines)")
        #expect(lines.last?.hasPrefix("total,7,2,") == true, "\(lines)")
        #expect((try await report("partner").isEmpty) == false)
        let empty = try await system.request("GET", "/v1/reports/leads?from=2027-01-16&to=2027-01-20&groupBy=partner").json
        #expect((empty["items"] as? [Any])?.isEmpty == true && (empty["total"] as? [String: Any])?["leads"] as? Int == 0)
        for bad in ["from=2027-02-30&to=2027-03-01&groupBy=partner", "from=2027-01-15&to=2027-01-14&groupBy=partner",
                    "from=2026-01-01&to=2027-12-31&groupBy=partner", "from=15.01.2027&to=2027-01-15&groupBy=partner"] {
            let r = try await system.request("GET", "/v1/reports/leads?\(bad)")
            #expect(r.status == 422 || r.status == 400, "\(bad): \(r.status) \(r.body)")
        }
        #expect(try await system.request("GET", "/v1/reports/leads?from=2027-01-15&to=2027-01-15&groupBy=partner", key: Self.token(1)).status == 403)
        try await system.stop()
    }
}
