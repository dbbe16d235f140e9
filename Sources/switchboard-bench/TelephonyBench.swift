import Contracts
import Foundation
import RPC
import Sockets
import Wire

/// `switchboard-bench telephony`, against the real executables (build -c release):
/// - telephony.ingest: RecordCall over the protocol to one replica, 64 in flight, each a
///   new call's full session update with its dedup lookup;
/// - telephony.ingest.2replicas: the same spread over two replicas by the number's owner;
/// - telephony.webhook: Ringostat after-call hooks (forms) through the gateway, 64
///   connections, each stored before its 200 and relayed to the replica;
/// - telephony.route: GET /v1/calls/route through the gateway (contacts asked for the
///   caller's responsible and the staff), 16 connections.
/// The replica's idle RSS after the load is printed on stderr.
enum TelephonyBench {
    static func run(options: BenchOptions) async throws -> [BenchResult] {
        var results: [BenchResult] = []
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("telephony-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        if options.wants("telephony.ingest") {
            let one = try replicas(["telephony-0"], folder: folder.appendingPathComponent("one"))
            results.append(await ingest("telephony.ingest", one, options: options))
            try await Task.sleep(for: .seconds(1))
            FileHandle.standardError.write(Data("telephony: idle RSS of a replica after the load: \(rssMegabytes(one[0].process.processIdentifier)) MB\n".utf8))
            for p in one { p.stop() }
            if options.wants("telephony.ingest.2replicas") {
                let two = try replicas(["telephony-0", "telephony-1"], folder: folder.appendingPathComponent("two"))
                results.append(await ingest("telephony.ingest.2replicas", two, options: options))
                for p in two { p.stop() }
            }
        }
        if options.wants("telephony.webhook") || options.wants("telephony.route") {
            results += try await throughGateway(folder: folder.appendingPathComponent("gateway"), options: options)
        }
        return results
    }

    static func replicas(_ names: [String], folder: URL, contacts: Int? = nil) throws -> [BenchProcess] {
        try names.map { name in
            try BenchProcess("switchboard-telephony", [
                "TELEPHONY_PORT": "0", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.appendingPathComponent(name).path,
                "TELEPHONY_REPLICA": name, "TELEPHONY_REPLICAS": names.joined(separator: ","),
                "TELEPHONY_CONTACTS": contacts.map { "127.0.0.1:\($0)" } ?? "none",
            ])
        }
    }

    static func ingest(_ scenario: String, _ processes: [BenchProcess], options: BenchOptions) async -> BenchResult {
        let names = (0..<processes.count).map { "telephony-\($0)" }
        let clients = zip(names, processes).map { BenchPKI.client($0, port: $1.port) }
        let shards = CallShard()
        let run = UInt64.random(in: 0..<1_000_000)
        let start: Int64 = 1_760_000_000_000
        let result = await LoadRunner.run(scenario: scenario, concurrency: 64, warmUp: options.warmUp, duration: options.duration) { i in
            let n = (run * 100_000_000 + UInt64(i)) % 10_000_000_000
            let number = "+7\(String(format: "%010llu", n))"
            var report = CallReport()
            report.provider = "bench"
            report.providerCallID = "\(run)-\(i)"
            report.direction = .inbound
            report.clientNumber = number
            report.trackingNumber = "+74951112233"
            report.ended = true
            report.legs = [CallLeg(destination: "201", disposition: .answered, startedAtMilliseconds: start + Int64(i % 1_000_000) * 1000, durationSeconds: 60, talkSeconds: 50)]
            let owner = shards.owner(of: shards.of(number), replicas: names) ?? 0
            return (try? await clients[owner].call(Telephony.recordCall, report)) != nil
        }
        for c in clients { c.shutdown() }
        return result
    }

    static func throughGateway(folder: URL, options: BenchOptions) async throws -> [BenchResult] {
        let key = "bench-key-0123456789abcdef"
        let contacts = try BenchProcess(
            "switchboard-contacts", ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let replica = try replicas(["telephony-0"], folder: folder, contacts: contacts.port)[0]
        let gateway = try BenchProcess("switchboard-gateway", [
            "GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
            "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(contacts.port)",
            "GATEWAY_TELEPHONY": "telephony-0=127.0.0.1:\(replica.port)",
            "GATEWAY_API_KEYS": "\(key)=admin", "GATEWAY_RATE_LIMIT": "1000000", "GATEWAY_AUTH_FAILURES_PER_MINUTE": "1000000",
        ])
        defer { for p in [gateway, replica, contacts] { p.stop() } }
        func post(_ path: String, _ body: String) -> (status: Int, body: String)? {
            HTTPLoad.fetch(port: gateway.port, "POST \(path) HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        }
        for (i, ext) in ["201", "202", "203"].enumerated() {
            _ = post("/v1/staff", #"{"firstName":"M\#(i)","role":"manager","extensions":["\#(ext)"]}"#)
        }
        _ = post("/v1/contacts", #"{"firstName":"Vera","phones":["+79165550303"],"responsibleId":3}"#)
        guard let made = post("/v1/admin/integrations", #"{"name":"ringostat","kind":"ringostat"}"#), made.status == 201,
            let range = made.body.range(of: "\"hookPath\":\""), let end = made.body[range.upperBound...].firstIndex(of: "\"")
        else { throw BenchError("the gateway did not make the ringostat integration") }
        let path = String(made.body[range.upperBound..<end])
        var results: [BenchResult] = []
        let run = UInt64.random(in: 0..<1_000_000)
        if options.wants("telephony.webhook") {
            results.append(HTTPLoad.run(
                scenario: "telephony.webhook", port: gateway.port, connections: 64, warmUp: options.warmUp, duration: options.duration,
                request: { i in
                    let n = (run * 100_000_000 + UInt64(i)) % 10_000_000_000
                    let body = "uniqueid=\(run).\(i)&calldate=2026-12-01+10%3A00%3A00&caller=7\(String(format: "%010llu", n))&dst=74951112233&disposition=ANSWERED&billsec=31&duration=40&call_type=in&connected_with=201"
                    return Array("POST \(path) HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
                },
                accept: { $0 == 200 }))
        }
        if options.wants("telephony.route") {
            results.append(HTTPLoad.run(
                scenario: "telephony.route", port: gateway.port, connections: 16, warmUp: options.warmUp, duration: options.duration,
                request: { i in
                    let caller = i % 2 == 0 ? "79165550303" : "7916\(String(format: "%07d", i % 1_000_000))"
                    return Array("GET \(path)/route?caller=\(caller) HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
                },
                accept: { $0 == 200 }))
        }
        return results
    }

    /// VmRSS of a process, in MB (Linux).
    static func rssMegabytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return -1 }
        return kb / 1024
    }
}
