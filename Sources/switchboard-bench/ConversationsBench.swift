import Contracts
import DealsService
import Digest
import Foundation
import NotificationsService
import Sockets
import Storage
import Synchronization
import Wire

/// `switchboard-bench conversations` (issue 25, D3, D5), against the real executables
/// (build -c release):
/// - conversations.intake: signed WhatsApp Cloud API messages through the gateway with 64
///   connections, each sent as soon as the last is answered, from 2,000 people (seeded),
///   each stored before its 200. After the load the relay files every message with deals
///   and keeps it in its conversation (bounded); `drain_ms` is how long after the load the
///   last one was kept, `missing` the messages answered 200 that are not in a conversation,
///   `leads` the deals opened (one a person);
/// - conversations.burst: the same at 5,000 messages a second for the run's length: how
///   long after the burst the last message is on its timeline (`drain_ms`);
/// - conversations.unread: `GET /v1/conversations?unread=true` for an operator (a staff
///   token, one connection) among 20,000 conversations, 10,000 of them theirs and half of
///   those unread, written to notifications' database before it starts.
enum ConversationsBench {
    static let seed: UInt64 = 20_261_206
    static let people = 2_000
    static let key = "bench-key-0123456789abcdef"
    static let operatorKey = "bench-operator-0123456789"
    static let secret = "bench-whatsapp-app-secret"

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        var results: [BenchResult] = []
        if options.wants("conversations.intake") { results.append(try await intake(options, scenario: "conversations.intake")) }
        if options.wants("conversations.burst") { results.append(try await intake(options, scenario: "conversations.burst", perSecond: 5_000)) }
        if options.wants("conversations.unread") { results.append(try await unread(options)) }
        return results
    }

    /// Contacts, deals, notifications and the gateway; `prepare` writes notifications' data first.
    static func start(_ folder: URL, prepare: ((String) async throws -> Void)? = nil) async throws -> [BenchProcess] {
        let contacts = try BenchProcess(
            "switchboard-contacts", ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let deals = try BenchProcess(
            "switchboard-deals",
            ["DEALS_PORT": "0", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path, "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)"])
        let notificationsData = folder.appendingPathComponent("notifications")
        if let prepare {
            try FileManager.default.createDirectory(at: notificationsData, withIntermediateDirectories: true)
            try await prepare(notificationsData.appendingPathComponent("notifications.sqlite").path)
        }
        let notifications = try BenchProcess(
            "switchboard-notifications",
            ["NOTIFICATIONS_PORT": "0", "NOTIFICATIONS_ADMIN_PORT": "0", "NOTIFICATIONS_DATA_DIR": notificationsData.path,
             "NOTIFICATIONS_CONTACTS": "127.0.0.1:\(contacts.port)", "NOTIFICATIONS_DEALS": "127.0.0.1:\(deals.port)", "NOTIFICATIONS_TELEPHONY": ""])
        let gateway = try BenchProcess(
            "switchboard-gateway",
            ["GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
             "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(deals.port),notifications=127.0.0.1:\(notifications.port)",
             "GATEWAY_API_KEYS": "\(key)=admin,\(operatorKey)=staff:1", "GATEWAY_RATE_LIMIT": "1000000", "GATEWAY_RATE_BURST": "1000000"])
        return [gateway, notifications, deals, contacts]
    }

    static func post(_ port: Int, _ path: String, _ body: String) throws {
        guard let answer = HTTPLoad.fetch(
            port: port,
            "POST \(path) HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"),
            (200...201).contains(answer.status)
        else { throw BenchError("the gateway refused \(path)") }
    }

    static func intake(_ options: BenchOptions, scenario: String, perSecond: Int? = nil) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conversations-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let processes = try await start(folder)
        defer { for process in processes { process.stop() } }
        let gateway = processes[0]
        try post(gateway.port, "/v1/admin/integrations", #"{"name":"wa","kind":"whatsapp","secret":"\#(secret)"}"#)
        let keyBytes = Array(secret.utf8)
        let sent = Atomic<Int>(0)
        let now = Int64(Date().timeIntervalSince1970)
        var result = HTTPLoad.run(
            scenario: scenario, port: gateway.port, connections: 64, warmUp: options.warmUp, duration: options.duration, perSecond: perSecond,
            request: { i in
                var random = DialerBench.Seeded(state: seed &+ UInt64(i))
                let person = 971_500_000_000 + random.next(people)
                let body = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"55"},"contacts":[{"profile":{"name":"Person \#(person)"},"wa_id":"\#(person)"}],"messages":[{"from":"\#(person)","id":"wamid.bench-\#(i)","timestamp":"\#(now)","type":"text","text":{"body":"message \#(i)"}}]}}]}]}"#
                let mac = HMAC.authenticationCode(.sha256, key: keyBytes, message: Array(body.utf8)).map { String(format: "%02x", $0) }.joined()
                return Array("POST /v1/hooks/wa HTTP/1.1\r\nHost: bench\r\nX-Hub-Signature-256: sha256=\(mac)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            },
            accept: { status in
                if status == 200 { sent.add(1, ordering: .relaxed) }
                return status == 200
            })
        // Until every hook is handed over and kept in its conversation (bounded).
        let loaded = MonotonicInstant.now()
        _ = try await HTTPLoad.awaitHooksRelayed(port: gateway.port, key: key, until: MonotonicInstant.now() + .seconds(300))
        let drained = Int((MonotonicInstant.now().nanoseconds - loaded.nanoseconds) / 1_000_000)
        for process in processes { process.stop() }
        let notifications = try Database(path: folder.appendingPathComponent("notifications/notifications.sqlite").path, migrations: NotificationsSchema.migrations)
        let kept = try await notifications.read { c in try c.queryFirst("SELECT count(*) FROM inbox_messages", []) { $0.int(0) } ?? 0 }
        try await notifications.close()
        let deals = try Database(path: folder.appendingPathComponent("deals/deals.sqlite").path, migrations: DealsSchema.migrations)
        let (leads, timeline) = try await deals.read { c in
            (try c.queryFirst("SELECT count(*) FROM leads", []) { $0.int(0) } ?? 0,
             try c.queryFirst("SELECT count(*) FROM timeline WHERE kind = 'message'", []) { $0.int(0) } ?? 0)
        }
        try await deals.close()
        let answered = sent.load(ordering: .relaxed)
        result.figures = [
            ("kept", kept), ("missing", max(0, answered - kept)), ("on_timeline", timeline), ("leads", leads), ("people", people), ("drain_ms", drained),
        ]
        return result
    }

    static func unread(_ options: BenchOptions) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conversations-unread-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let processes = try await start(folder) { path in try await fill(path) }
        defer { for process in processes { process.stop() } }
        let gateway = processes[0]
        // Staff 1 (the operator's token) and 2, whose conversations the operator does not see.
        try post(gateway.port, "/v1/staff", #"{"firstName":"Olga","role":"operator"}"#)
        try post(gateway.port, "/v1/staff", #"{"firstName":"Pavel","role":"operator"}"#)
        let request = Array("GET /v1/conversations?unread=true&limit=50 HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(operatorKey)\r\n\r\n".utf8)
        return HTTPLoad.run(
            scenario: "conversations.unread", port: gateway.port, connections: 1, warmUp: options.warmUp, duration: options.duration,
            request: { _ in request }, accept: { $0 == 200 })
    }

    /// 20,000 conversations over a month, alternately staff 1's and staff 2's, half unread.
    static func fill(_ path: String) async throws {
        let database = try Database(path: path, migrations: NotificationsSchema.migrations)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await database.write { tx in
            var random = DialerBench.Seeded(state: seed)
            for i in 0..<20_000 {
                let at = now - Int64(random.next(30 * 86_400)) * 1000
                try tx.run(
                    """
                    INSERT INTO inbox_conversations (contact_id, channel, chat_id, assignee_id, deal_id, unread, last_message_at, last_inbound_at, preview, title)
                    VALUES (?, 4, ?, ?, ?, ?, ?, ?, 'When can you come?', ?)
                    """,
                    [.integer(Int64(i + 1)), .text("97150\(1_000_000 + i)"), .integer(Int64(1 + i % 2)), .integer(Int64(i + 1)),
                     .integer(Int64(random.next(2) * (1 + random.next(5)))), .integer(at), .integer(at), .text("Person \(i)")])
            }
        }
        try await database.close()
    }
}
