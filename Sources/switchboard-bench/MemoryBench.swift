import Contracts
import Foundation
import Synchronization

/// `switchboard-bench memory` (issue 30 item 1): each service executable started alone on a
/// fresh data folder and left idle for two seconds, then its resident memory read from
/// /proc: `rss_kb` (VmRSS), `pss_kb` (its share of pages it shares, from smaps_rollup), and
/// `anon_kb` (the process's own heap and stacks; the rest of VmRSS is mapped files, mostly
/// shared libraries), and whether ICU is mapped (`icu`: 1 when a libicu or
/// FoundationInternationalization library is, what importing all of Foundation brings).
/// Target: under 15 MB each. Contacts is read again after its bench (`memory.after_load`:
/// `--seconds` of 64 match-or-creates in flight, each a new person, then two idle seconds).
enum MemoryBench {
    static let services = [
        ("contacts", "switchboard-contacts"), ("deals", "switchboard-deals"), ("telephony", "switchboard-telephony"),
        ("scheduling", "switchboard-scheduling"), ("billing", "switchboard-billing"), ("notifications", "switchboard-notifications"),
        ("gateway", "switchboard-gateway"),
    ]

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-memory-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        var results: [BenchResult] = []
        for (service, executable) in services where options.wants("memory.idle.\(service)") {
            let prefix = service.uppercased()
            let data = folder.appendingPathComponent(service).path
            var environment = ["\(prefix)_PORT": "0", "\(prefix)_ADMIN_PORT": "0", "\(prefix)_DATA_DIR": data]
            if service == "gateway" { environment["GATEWAY_API_KEYS"] = "bench-key-0123456789abcdef=admin" }
            let process = try BenchProcess(executable, environment)
            defer { process.stop() }
            try await Task.sleep(for: .seconds(2))
            results.append(Self.reading("memory.idle.\(service)", process.process.processIdentifier))
            if service == "contacts" {
                // After its bench: 64 match-or-creates in flight, every one a new person.
                let client = BenchPKI.client("contacts", port: process.port)
                let sequence = Atomic<Int>(0)
                let load = await LoadRunner.run(
                    scenario: "memory.load.contacts", concurrency: 64, warmUp: .zero, duration: options.duration, executor: client.reactor
                ) { _ in
                    let i = sequence.wrappingAdd(1, ordering: .relaxed).oldValue
                    var draft = ContactDraft()
                    draft.firstName = "Memory"
                    draft.emails = ["m\(i)@example.com"]
                    return (try? await client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft))) != nil
                }
                client.shutdown()
                try await Task.sleep(for: .seconds(2))
                var after = Self.reading("memory.after_load.contacts", process.process.processIdentifier)
                after.calls = load.calls
                after.seconds = load.seconds
                after.errors = load.errors
                results.append(after)
            }
        }
        return results
    }

    /// What `pid` holds now.
    static func reading(_ scenario: String, _ pid: Int32) -> BenchResult {
        var result = BenchResult(scenario: scenario, calls: 0, seconds: 1, latenciesNanoseconds: [], errors: 0)
        result.figures = [
            ("rss_kb", Self.kibibytes("/proc/\(pid)/status", field: "VmRSS:")), ("pss_kb", Self.kibibytes("/proc/\(pid)/smaps_rollup", field: "Pss:")),
            ("anon_kb", Self.kibibytes("/proc/\(pid)/smaps_rollup", field: "Anonymous:")),
            ("icu", Self.icuMapped(pid) ? 1 : 0), ("target_kb", 15 * 1024),
        ]
        return result
    }

    /// The value of `field` (in kB) in a /proc file, 0 when absent.
    static func kibibytes(_ path: String, field: String) -> Int {
        guard let line = procFile(path).split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
        return Int(line.dropFirst(field.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0
    }

    static func icuMapped(_ pid: Int32) -> Bool {
        let maps = procFile("/proc/\(pid)/maps")
        return maps.contains("libicu") || maps.contains("FoundationInternationalization") || maps.contains("_FoundationICU")
    }

    /// A /proc file whole: they report no size, so it is read until the end.
    static func procFile(_ path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() else { return "" }
        try? handle.close()
        return String(decoding: data, as: UTF8.self)
    }
}
