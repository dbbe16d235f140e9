import Contracts
import Foundation
import RPC
import Synchronization
import Testing
import TelephonyService
import TestSupport
import Wire

/// The telephony service over real processes: two replicas, each owning its shards (T12),
/// sessions made from legs and repeats (T1), lists that fan out to exactly once each.
@Suite struct TelephonyProcessTests {
    static let replicas = ["telephony-0", "telephony-1"]

    static func start(_ name: String, folder: URL, replicas: [String] = replicas, takeOverFrom: String = "") async throws -> ServiceProcess {
        try await ServiceProcess(
            executable: "switchboard-telephony",
            environment: [
                "TELEPHONY_PORT": "0", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.appendingPathComponent(name).path,
                "TELEPHONY_REPLICA": name, "TELEPHONY_REPLICAS": replicas.joined(separator: ","), "TELEPHONY_CONTACTS": "none",
                "TELEPHONY_TAKE_OVER_FROM": takeOverFrom,
            ])
    }

    /// The error `work` fails with, nil if it succeeds.
    static func refusal(_ work: () async throws -> Void) async -> RPCError? {
        do {
            try await work()
            return nil
        } catch {
            return error as? RPCError
        }
    }

    static func report(_ number: String, id: String, legs: [CallLeg]) -> CallReport {
        CallReport(provider: "ringostat", providerCallID: id, direction: .inbound, clientNumber: number, trackingNumber: "+74951112233", legs: legs)
    }

    static func leg(_ destination: String, _ disposition: LegDisposition, at: Int64, staff: Int64, talk: Int64 = 0) -> CallLeg {
        CallLeg(destination: destination, staffID: staff, disposition: disposition, startedAtMilliseconds: at, durationSeconds: 30, talkSeconds: talk)
    }

    @Test func t12EachReplicaTakesOnlyItsShardsAndAListThroughAllOfThemHasEveryCallOnce() async throws {
        let folder = try temporaryFolder("telephony")
        let processes = try await [Self.start("telephony-0", folder: folder), Self.start("telephony-1", folder: folder)]
        var configuration = RPCClient.Configuration()
        configuration.retry = .none
        let clients = processes.enumerated().map { RPCClient.test("telephony-\($0.offset)", port: $0.element.port, configuration: configuration) }
        let shards = CallShard()
        let t0: Int64 = 1_760_000_000_000
        var sessions: Set<String> = []
        for i in 0..<40 {
            let number = "7916\(String(format: "%07d", 1_000_000 + i))"  // Ringostat's form, without +
            let owner = shards.owner(of: shards.of("+" + number), replicas: Self.replicas)!
            let start = t0 + Int64(i) * 60_000
            // T1: "before", "on pickup" and "after" hooks for one forwarded call, then a repeat.
            let reports = [
                Self.report(number, id: "c\(i)", legs: [Self.leg("201", .noAnswer, at: start, staff: 1)]),
                Self.report(number, id: "c\(i)", legs: [Self.leg("202", .answered, at: start + 15_000, staff: 2, talk: 20)]),
                Self.report(number, id: "c\(i)", legs: [Self.leg("201", .noAnswer, at: start, staff: 1), Self.leg("202", .answered, at: start + 15_000, staff: 2, talk: 20)]),
            ]
            var last = RecordCallResponse()
            for r in reports + [reports[2]] { last = try await clients[owner].call(Telephony.recordCall, r) }
            #expect(!last.changed && last.session.legs.count == 2 && last.session.answeredByStaffID == 2)
            sessions.insert(last.session.id)
            // The other replica refuses the number and names the owner.
            let refusal = await Self.refusal { _ = try await clients[1 - owner].call(Telephony.recordCall, reports[0]) }
            #expect(refusal?.code == .failedPrecondition && refusal?.message.contains(Self.replicas[owner]) == true)
            #expect(try await clients[owner].call(Telephony.getCall, GetCallRequest(id: last.session.id)).clientNumber == "+" + number)
        }
        #expect(sessions.count == 40)
        // Fan out, merge, page: every call exactly once, newest first.
        var seen: [String] = []
        var cursors = ["", ""]
        var done = [false, false]
        var buffer: [[CallSession]] = [[], []]
        // A simple merge of two paged lists, as the gateway does.
        while true {
            for r in 0..<2 where buffer[r].isEmpty && !done[r] {
                var request = ListCallsRequest()
                request.pageSize = 7
                request.cursor = cursors[r]
                let page = try await clients[r].call(Telephony.listCalls, request)
                buffer[r] = page.calls
                cursors[r] = page.nextCursor
                done[r] = page.nextCursor.isEmpty
            }
            let candidates = (0..<2).filter { !buffer[$0].isEmpty }
            guard let r = candidates.max(by: { buffer[$0][0].startedAtMilliseconds < buffer[$1][0].startedAtMilliseconds }) else { break }
            seen.append(buffer[r].removeFirst().id)
        }
        #expect(seen.count == 40 && Set(seen) == sessions)
        var stats = CallStats()
        for client in clients { stats = stats.adding(try await client.call(Telephony.stats, CallStatsRequest())) }
        #expect(stats.calls == 40 && stats.missed == 0)
        #expect(stats.load.map(\.staffID) == [1, 2] && stats.load[0].offered == 40 && stats.load[1].answered == 40)
        // A bad number is a field error.
        await #expect(throws: RPCError.self) { _ = try await clients[0].call(Telephony.recordCall, Self.report("not a number", id: "x", legs: [])) }
        for p in processes {
            p.signal(SIGTERM)
            #expect(try await p.waitForExit() == 0)
        }
    }

    /// Who the ingest sends to: the list it believes, and every replica's client.
    final class Routing: Sendable {
        let state = Mutex<(list: [String], clients: [String: RPCClient])>(([], [:]))
        let acknowledged = Mutex<Set<String>>([])
        let stopped = Atomic<Bool>(false)
    }

    @Test func t12AddingAThirdReplicaDuringIngestMovesOnlyItsShardsAndLosesNoAcknowledgedCall() async throws {
        let folder = try temporaryFolder("telephony-handoff")
        let two = ["telephony-0", "telephony-1"]
        let three = two + ["telephony-2"]
        var processes = try await [Self.start("telephony-0", folder: folder, replicas: two), Self.start("telephony-1", folder: folder, replicas: two)]
        func client(_ name: String, _ p: ServiceProcess) -> RPCClient {
            var configuration = RPCClient.Configuration()
            configuration.retry = .none
            return RPCClient.test(name, port: p.port, configuration: configuration)
        }
        let routing = Routing()
        routing.state.withLock { $0 = (two, ["telephony-0": client("telephony-0", processes[0]), "telephony-1": client("telephony-1", processes[1])]) }
        let shards = CallShard()
        // Four writers, 120 numbers, each call acknowledged once some replica took it.
        let writers = (0..<4).map { w in
            Task {
                var i = 0
                while !routing.stopped.load(ordering: .relaxed) {
                    let number = "+7916\(String(format: "%07d", 3_000_000 + (i * 4 + w) % 120))"
                    let id = "w\(w)-\(i)"
                    let report = Self.report(number, id: id, legs: [Self.leg("201", .answered, at: 1_760_000_000_000 + Int64(i) * 1000, staff: 1, talk: 10)])
                    var target: String? = nil
                    for _ in 0..<200 {
                        let (list, clients) = routing.state.withLock { $0 }
                        let name = target ?? list[shards.owner(of: shards.of(number), replicas: list)!]
                        guard let c = clients[name] else { try? await Task.sleep(for: .milliseconds(20)); continue }
                        let refusal = await Self.refusal { _ = try await c.call(Telephony.recordCall, report) }
                        if refusal == nil {
                            routing.acknowledged.withLock { _ = $0.insert(id) }
                            break
                        }
                        // Refused: the shard moved (go where it says), or its new owner is not up yet.
                        target = three.first { refusal!.message.contains("belongs to \($0)") } ?? target
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    i += 1
                }
            }
        }
        #expect(try await eventually { routing.acknowledged.withLock { $0.count } >= 200 })
        let third = try await Self.start(
            "telephony-2", folder: folder, replicas: three,
            takeOverFrom: "telephony-0=127.0.0.1:\(processes[0].port),telephony-1=127.0.0.1:\(processes[1].port)")
        processes.append(third)
        routing.state.withLock { $0.list = three; $0.clients["telephony-2"] = client("telephony-2", third) }
        let before = routing.acknowledged.withLock { $0.count }
        #expect(try await eventually { routing.acknowledged.withLock { $0.count } >= before + 200 })
        routing.stopped.store(true, ordering: .relaxed)
        for writer in writers { await writer.value }
        #expect(third.logged.contains("shards taken over"))

        // Every acknowledged call exactly once across the three replicas' lists.
        let clients = routing.state.withLock { $0.clients }
        var listed: [String] = []
        for name in three {
            var cursor = ""
            repeat {
                var request = ListCallsRequest()
                request.pageSize = 500
                request.cursor = cursor
                let page = try await clients[name]!.call(Telephony.listCalls, request)
                listed += page.calls.flatMap(\.providerCallIDs)
                cursor = page.nextCursor
            } while !cursor.isEmpty
        }
        let acknowledged = routing.acknowledged.withLock { $0 }
        let ids = listed.map { String($0.dropFirst("ringostat:".count)) }
        #expect(Set(ids).isSuperset(of: acknowledged), "lost: \(acknowledged.subtracting(ids).sorted().prefix(5))")
        #expect(ids.count == Set(ids).count, "a call listed twice")
        // Only the shards telephony-2 wins moved; it holds them and nobody else lists them.
        let moved = (0..<16).filter { three[shards.owner(of: $0, replicas: three)!] == "telephony-2" }
        #expect(!moved.isEmpty)
        for p in processes {
            p.signal(SIGTERM)
            #expect(try await p.waitForExit() == 0)
        }
    }
}
