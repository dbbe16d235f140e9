import Foundation
import Glibc

/// `switchboard-bench import` (issue 28, G7), against the real executables (build -c release):
/// - import.ndjson: 100,000 contacts, 100,000 deals and 300,000 notes in one NDJSON file
///   (about 80 MB) sent to `POST /v1/imports` in 8 MiB parts as `switchboard import` sends it,
///   then followed until done: the seconds from the first byte sent to done, rows a second,
///   and the gateway's (the importing process's) resident memory sampled throughout, its
///   peak against the 100 MB target. Contacts and deals are the services' own processes.
enum ImportBench {
    static let key = ConsoleBench.key
    static let people = 100_000
    static let notesEach = 3

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        guard options.wants("import.ndjson") else { return [] }
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("switchboard-bench-import-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("rows.ndjson")
        try write(file)
        let processes = try ConsoleBench.start(folder)
        defer { for p in processes { p.stop() } }
        let gateway = processes[0]
        let fd = HTTPLoad.connect(gateway.port)
        guard fd >= 0 else { throw BenchError("cannot connect to the gateway") }
        defer { close(fd) }
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
        let pid = gateway.process.processIdentifier
        var peak = ConsoleBench.rss(pid)
        let before = peak
        let started = ContinuousClock.now
        var part = try handle.read(upToCount: 8 << 20).map(Array.init) ?? []
        var next = try handle.read(upToCount: 8 << 20).map(Array.init) ?? []
        var id = 0
        var target = "/v1/imports?source=bench&more=true"
        while true {
            let answer = try post(fd, target, part)
            guard answer.status == 202 else { throw BenchError("POST \(target): \(answer.status) \(answer.body.prefix(300))") }
            if id == 0 { id = ConsoleBench.json(answer.body)["id"] as? Int ?? 0 }
            peak = max(peak, ConsoleBench.rss(pid))
            guard !next.isEmpty else { break }
            part = next
            next = try handle.read(upToCount: 8 << 20).map(Array.init) ?? []
            target = "/v1/imports/\(id)/parts" + (next.isEmpty ? "" : "?more=true")
        }
        var job: [String: Any] = [:]
        while true {
            try await Task.sleep(for: .milliseconds(250))
            peak = max(peak, ConsoleBench.rss(pid))
            job = ConsoleBench.json(try ConsoleBench.call(fd, "GET", "/v1/imports/\(id)").body)
            let state = job["state"] as? String ?? ""
            if ["done", "failed", "cancelled"].contains(state) { break }
        }
        let seconds = Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
        guard job["state"] as? String == "done" else { throw BenchError("the import ended \(job)") }
        let rows = job["rowsRead"] as? Int ?? 0
        return [BenchResult(
            scenario: "import.ndjson", calls: rows, seconds: seconds, latenciesNanoseconds: [], errors: job["refused"] as? Int ?? 0,
            figures: [
                ("rows", rows), ("file_bytes", size), ("created", job["created"] as? Int ?? 0), ("refused", job["refused"] as? Int ?? 0),
                ("milliseconds", Int(seconds * 1000)), ("target_milliseconds", 60_000), ("gateway_rss_before_kb", before), ("gateway_rss_peak_kb", peak),
                ("target_rss_kb", 100 * 1024),
            ])]
    }

    static func post(_ fd: Int32, _ target: String, _ body: [UInt8]) throws -> (status: Int, body: String) {
        let head = "POST \(target) HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/x-ndjson\r\nContent-Length: \(body.count)\r\n\r\n"
        guard let answer = HTTPLoad.answer(fd, Array(head.utf8) + body) else { throw BenchError("POST \(target): the connection failed") }
        return (answer.status, String(decoding: answer.body, as: UTF8.self))
    }

    /// The file: every contact, then every deal (on the default pipeline, opened in 2024),
    /// then every note (three a deal), written a megabyte at a time.
    static func write(_ file: URL) throws {
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let out = try FileHandle(forWritingTo: file)
        defer { try? out.close() }
        var buffer: [UInt8] = []
        func line(_ text: String) throws {
            buffer += Array(text.utf8)
            buffer.append(10)
            if buffer.count > 1 << 20 {
                try out.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        for i in 1...people {
            try line(#"{"contact":{"externalId":"c\#(i)","firstName":"Person","lastName":"Number \#(i)","emails":["person\#(i)@example.com"],"phones":["+7916\#(String(format: "%07d", i))"],"createdAt":"2024-01-01T10:00:00Z"}}"#)
        }
        for i in 1...people {
            try line(#"{"deal":{"externalId":"d\#(i)","title":"Deal \#(i)","contact":"c\#(i)","amountMinor":\#(i * 100),"currency":"RUB","createdAt":"2024-02-01T10:00:00Z"}}"#)
        }
        for i in 1...people {
            for n in 1...notesEach {
                try line(#"{"note":{"externalId":"n\#(i)-\#(n)","deal":"d\#(i)","text":"Note \#(n) on deal \#(i): the client asked about delivery and mounting.","createdAt":"2024-02-0\#(n + 1)T10:00:00Z"}}"#)
            }
        }
        try out.write(contentsOf: buffer)
    }
}
