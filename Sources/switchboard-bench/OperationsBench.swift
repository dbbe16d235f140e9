import Foundation
import Glibc
import Storage

/// `switchboard-bench operations` (issue 29, P5), against the real executables (build -c release):
/// - operations.audit: contacts written through the gateway (POST /v1/contacts, 8 connections)
///   with the audit log recording and with `GATEWAY_AUDIT=off`, alternated twice, each on
///   fresh data: what recording costs in write throughput, against the 5% target.
/// - operations.backup: about 1 GB of service files (contacts' own file grown with a table
///   of ballast before it starts, beside its real contacts), then `switchboard backup`
///   while one client reads a contact in a loop: the backup's seconds against 60, and that
///   client's p99 during the backup against twice its p99 at idle just before.
/// - operations.secure_delete: what zeroing deleted bytes (C8) costs a service's writes:
///   one write at a time rewriting a 400-byte record and replacing a child row, as a
///   contact's update does, with `secure_delete` on and off, alternated twice each.
enum OperationsBench {
    static let key = ConsoleBench.key

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        var results: [BenchResult] = []
        if options.wants("operations.audit") { results.append(try audit(options)) }
        if options.wants("operations.backup") { results.append(try await backup(options)) }
        if options.wants("operations.secure_delete") { results.append(try await secureDelete(options)) }
        return results
    }

    static func folder(_ name: String) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("switchboard-bench-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func audit(_ options: BenchOptions) throws -> BenchResult {
        func writes(audit: Bool) throws -> BenchResult {
            let data = try folder("audit-\(audit)")
            defer { try? FileManager.default.removeItem(at: data) }
            let processes = try ConsoleBench.start(data, gateway: ["GATEWAY_AUDIT": audit ? "on" : "off"])
            defer { for p in processes { p.stop() } }
            let port = processes[0].port
            return HTTPLoad.run(
                scenario: "operations.audit", port: port, connections: 8, warmUp: options.warmUp, duration: options.duration,
                request: { i in
                    let body = #"{"firstName":"Bench","phones":["+7917\#(String(format: "%07d", i % 10_000_000))"]}"#
                    return Array("POST /v1/contacts HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
                },
                accept: { $0 == 201 || $0 == 200 })
        }
        // Alternated, twice each: a machine that warms up (page cache, CPU clocks) favours
        // neither side.
        var unaudited: [BenchResult] = [], audited: [BenchResult] = []
        for _ in 0..<2 {
            unaudited.append(try writes(audit: false))
            audited.append(try writes(audit: true))
        }
        func merged(_ runs: [BenchResult]) -> BenchResult {
            BenchResult(
                scenario: "operations.audit", calls: runs.reduce(0) { $0 + $1.calls }, seconds: runs.reduce(0) { $0 + $1.seconds },
                latenciesNanoseconds: runs.flatMap(\.latenciesNanoseconds), errors: runs.reduce(0) { $0 + $1.errors })
        }
        let without = merged(unaudited)
        var with = merged(audited)
        let cost = 100 * (1 - with.callsPerSecond / max(1, without.callsPerSecond))
        with.figures = [
            ("writes_per_s_unaudited", Int(without.callsPerSecond.rounded())), ("p99_us_unaudited", Int(without.percentileMicroseconds(0.99).rounded())),
            ("cost_percent_x10", Int((cost * 10).rounded())), ("target_cost_percent", 5),
        ]
        return with
    }

    static func secureDelete(_ options: BenchOptions) async throws -> BenchResult {
        let records = 20_000
        func writes(secure: Bool) async throws -> BenchResult {
            let data = try folder("secure-delete-\(secure)")
            defer { try? FileManager.default.removeItem(at: data) }
            var configuration = Database.Configuration()
            configuration.secureDelete = secure
            let database = try Database(
                path: data.appendingPathComponent("bench.sqlite").path,
                migrations: [Migration(1, """
                    CREATE TABLE records (id INTEGER PRIMARY KEY, body BLOB NOT NULL);
                    CREATE TABLE phones (record_id INTEGER NOT NULL, number TEXT NOT NULL, PRIMARY KEY (record_id, number)) WITHOUT ROWID;
                    """)],
                configuration: configuration)
            try await database.writeInBatches(of: 1_000) { tx, batch in
                let first = try tx.queryFirst("SELECT COUNT(*) FROM records") { $0.int(0) } ?? 0
                let end = min(records, first + batch)
                for id in first..<end {
                    try tx.run("INSERT INTO records (id, body) VALUES (?, ?)", [.integer(Int64(id)), .blob(Array(repeating: UInt8(id % 251), count: 400))])
                    try tx.run("INSERT INTO phones (record_id, number) VALUES (?, ?)", [.integer(Int64(id)), .text("+7916\(id)")])
                }
                return end - first
            }
            var random = DialerBench.Seeded(state: options.seed ?? 1)
            var latencies: [UInt64] = []
            let warmUpEnd = ContinuousClock.now + options.warmUp, end = warmUpEnd + options.duration
            var measuredStart = ContinuousClock.now
            var started = false
            while ContinuousClock.now < end {
                if !started, ContinuousClock.now >= warmUpEnd { (started, measuredStart) = (true, .now) }
                let id = Int64(random.next(records)), fill = UInt8(random.next(256))
                let begin = ContinuousClock.now
                try await database.write { tx in
                    try tx.run("UPDATE records SET body = ? WHERE id = ?", [.blob(Array(repeating: fill, count: 400)), .integer(id)])
                    try tx.run("DELETE FROM phones WHERE record_id = ?", [.integer(id)])
                    try tx.run("INSERT INTO phones (record_id, number) VALUES (?, ?)", [.integer(id), .text("+7917\(fill)\(id)")])
                }
                let took = ContinuousClock.now - begin
                if started { latencies.append(UInt64(took.components.seconds) * 1_000_000_000 + UInt64(took.components.attoseconds / 1_000_000_000)) }
            }
            try await database.close()
            let seconds = (ContinuousClock.now - measuredStart)
            return BenchResult(
                scenario: "operations.secure_delete", calls: latencies.count,
                seconds: Double(seconds.components.seconds) + Double(seconds.components.attoseconds) / 1e18, latenciesNanoseconds: latencies, errors: 0)
        }
        var plain: [BenchResult] = [], zeroed: [BenchResult] = []
        for _ in 0..<2 {
            plain.append(try await writes(secure: false))
            zeroed.append(try await writes(secure: true))
        }
        func merged(_ runs: [BenchResult]) -> BenchResult {
            BenchResult(
                scenario: "operations.secure_delete", calls: runs.reduce(0) { $0 + $1.calls }, seconds: runs.reduce(0) { $0 + $1.seconds },
                latenciesNanoseconds: runs.flatMap(\.latenciesNanoseconds), errors: 0)
        }
        let without = merged(plain)
        var with = merged(zeroed)
        let cost = 100 * (1 - with.callsPerSecond / max(1, without.callsPerSecond))
        with.figures = [
            ("writes_per_s_without", Int(without.callsPerSecond.rounded())), ("p99_us_without", Int(without.percentileMicroseconds(0.99).rounded())),
            ("cost_percent_x10", Int((cost * 10).rounded())),
        ]
        return with
    }

    static func backup(_ options: BenchOptions) async throws -> BenchResult {
        let data = try folder("backup")
        let target = try folder("backup-copy")
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: target)
        }
        // 1 GB of contacts' file: its schema, then a ballast table of 1 GB the service ignores.
        let contactsFile = data.appendingPathComponent("contacts/contacts.sqlite")
        try FileManager.default.createDirectory(at: contactsFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let ballast = try Database(path: contactsFile.path, migrations: [])
        let row = [UInt8](repeating: 0x5A, count: 64 * 1024)
        try await ballast.write { try $0.run("CREATE TABLE IF NOT EXISTS bench_ballast (id INTEGER PRIMARY KEY, body BLOB NOT NULL)") }
        for chunk in 0..<64 {
            try await ballast.write { tx in
                for i in 0..<256 { try tx.run("INSERT INTO bench_ballast (id, body) VALUES (?, ?)", [.integer(Int64(chunk * 256 + i)), .blob(row)]) }
            }
        }
        try await ballast.close()
        let processes = try ConsoleBench.start(data)
        defer { for p in processes { p.stop() } }
        let port = processes[0].port
        let fd = HTTPLoad.connect(port)
        guard fd >= 0 else { throw BenchError("cannot connect to the gateway") }
        defer { close(fd) }
        let made = try ConsoleBench.call(fd, "POST", "/v1/contacts", #"{"firstName":"Read","phones":["+79170000001"]}"#)
        let id = (ConsoleBench.json(made.body)["contact"] as? [String: Any])?["id"] as? Int ?? 0
        guard id > 0 else { throw BenchError("cannot make the contact to read: \(made.status) \(made.body)") }
        func readOnce() throws -> UInt64 {
            let before = DispatchTime.now().uptimeNanoseconds
            let answer = try ConsoleBench.call(fd, "GET", "/v1/contacts/\(id)")
            guard answer.status == 200 else { throw BenchError("GET /v1/contacts/\(id): \(answer.status)") }
            return DispatchTime.now().uptimeNanoseconds - before
        }
        var idle: [UInt64] = []
        for _ in 0..<2_000 { idle.append(try readOnce()) }
        let bytes = try FileManager.default.subpathsOfDirectory(atPath: data.path).reduce(Int64(0)) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: data.appendingPathComponent(path).path)[.size] as? NSNumber)?.int64Value ?? 0)
        }
        let cli = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("switchboard")
        let backup = Process()
        backup.executableURL = cli
        backup.arguments = ["backup", "--data", data.path, target.appendingPathComponent("copy").path]
        backup.standardOutput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try backup.run()
        var during: [UInt64] = []
        while backup.isRunning { during.append(try readOnce()) }
        backup.waitUntilExit()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard backup.terminationStatus == 0 else { throw BenchError("switchboard backup exited \(backup.terminationStatus)") }
        let idleResult = BenchResult(scenario: "idle", calls: idle.count, seconds: 1, latenciesNanoseconds: idle, errors: 0)
        return BenchResult(
            scenario: "operations.backup", calls: during.count, seconds: seconds, latenciesNanoseconds: during, errors: 0,
            figures: [
                ("data_bytes", Int(bytes)), ("backup_milliseconds", Int(seconds * 1000)), ("target_milliseconds", 60_000),
                ("idle_p99_us", Int(idleResult.percentileMicroseconds(0.99).rounded())),
                ("target_p99_us", Int((2 * idleResult.percentileMicroseconds(0.99)).rounded())),
            ])
    }
}
