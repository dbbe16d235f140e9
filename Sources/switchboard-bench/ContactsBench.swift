import ContactsService
import Contracts
import Foundation
import RPC
import ServiceKit
import Sockets
import Storage
import Synchronization

/// `switchboard-bench contacts`: the contacts service over the protocol with a real
/// SQLite file: match-or-create (each call a new person, so every call writes) and get
/// by id, 64 calls in flight on one connection.
enum ContactsBench {
    static func run(options: BenchOptions) async throws -> [BenchResult] {
        // Issue 30 item 4: SQLite's own rates on this machine, just before.
        let limits = try MachineLimits.current()
        var server: RPCServer?
        let endpoint: Endpoint
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("contacts-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        if let target = options.target {
            endpoint = target
        } else {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let database = try Database(path: folder.appendingPathComponent("contacts.sqlite").path, migrations: ContactsSchema.migrations)
            let s = RPCServer(configuration: .init(host: "127.0.0.1", port: 0), reactor: try Reactor(name: "bench-server"))
            ContactsAPI(database: database, defaultCountry: .fallback).registerMethods(with: s)
            try s.start()
            server = s
            endpoint = Endpoint(host: "127.0.0.1", port: s.port)
        }
        let client = RPCClient(endpoint: endpoint)
        let run = UUID().uuidString.prefix(8)
        // Unique across warm-up and measurement, so every call creates a contact.
        let sequence = Atomic<Int>(0)
        var results: [BenchResult] = []
        if options.wants("contacts.match_or_create") {
            results.append(await LoadRunner.run(
                scenario: "contacts.match_or_create", concurrency: 64, warmUp: options.warmUp, duration: options.duration,
                executor: client.reactor
            ) { _ in
                let i = sequence.wrappingAdd(1, ordering: .relaxed).oldValue
                var draft = ContactDraft()
                draft.firstName = "Bench"
                draft.emails = ["b\(run)-\(i)@example.com"]
                draft.phones = ["+7900\(String(format: "%07d", i % 10_000_000))"]
                return (try? await client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft))) != nil
            })
        }
        if options.wants("contacts.get") {
            // A fixed set of existing contacts to read.
            var ids: [Int64] = []
            for i in 0..<1000 {
                var draft = ContactDraft()
                draft.firstName = "Read"
                draft.emails = ["r\(run)-\(i)@example.com"]
                if let reply = try? await client.call(Contacts.matchOrCreate, MatchOrCreateRequest(draft: draft)) { ids.append(reply.contact.id) }
            }
            let readIDs = ids
            results.append(await LoadRunner.run(
                scenario: "contacts.get", concurrency: 64, warmUp: options.warmUp, duration: options.duration,
                executor: client.reactor
            ) { i in
                (try? await client.call(Contacts.get, GetContactRequest(id: readIDs[i % readIDs.count]))) != nil
            })
        }
        client.shutdown()
        await server?.shutdown(gracePeriod: .seconds(1))
        return results.map { result in
            var result = result
            if result.scenario == "contacts.match_or_create" { MachineLimits.ratio(&result, to: limits.sqliteCommitsPerSecond, named: "sqlite_commit") }
            if result.scenario == "contacts.get" { MachineLimits.ratio(&result, to: limits.sqliteLookupsPerSecond, named: "sqlite_lookup") }
            return result
        }
    }
}
