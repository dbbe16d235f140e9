import BillingService
import Contracts
import Digest
import Foundation
import RPC
import Sockets
import Storage
import Synchronization
import Wire

/// `switchboard-bench billing` (B3, B6), against the real executables (build -c release):
/// - billing.payment: CloudPayments `pay` notifications, each signed, through the gateway
///   with 64 connections; 30% of them re-deliver an earlier payment (seeded). After the
///   load the relay and the payer intake drain (bounded); `duplicates` counts payments
///   beyond one per provider id sent, and payment.paid events beyond one per payment
///   (both must be 0), `missing` the ids sent that never became a payment, `drain_ms` how
///   long after the load every payment had its payer (`payers_per_s_after_burst`: the
///   payments over that time, issue 30's ≥ 10,000/s);
/// - billing.bonus_report: the month-end report for 200 groups of 25 students (5,000),
///   each with a six-month prepayment or a monthly fee, 8 lessons held a month for three
///   months and 20 managers, written to billing's database before it starts.
enum BillingBench {
    static let seed: UInt64 = 20_261_215
    static let groups = 200
    static let perGroup = 25

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        var results: [BenchResult] = []
        if options.wants("billing.payment") { results.append(try await payments(options)) }
        if options.wants("billing.bonus_report") { results.append(try await bonusReport(options)) }
        return results
    }

    static func payments(_ options: BenchOptions) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("billing-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = "bench-key-0123456789abcdef"
        let secret = "bench-cloudpayments-secret"
        let contacts = try BenchProcess(
            "switchboard-contacts", ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let billingData = folder.appendingPathComponent("billing")
        let billing = try BenchProcess(
            "switchboard-billing",
            ["BILLING_PORT": "0", "BILLING_ADMIN_PORT": "0", "BILLING_DATA_DIR": billingData.path, "BILLING_CONTACTS": "127.0.0.1:\(contacts.port)", "BILLING_DEALS": "none"])
        let gateway = try BenchProcess(
            "switchboard-gateway",
            ["GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
             "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(contacts.port),billing=127.0.0.1:\(billing.port)",
             "GATEWAY_API_KEYS": "\(key)=admin", "GATEWAY_RATE_LIMIT": "1000000"])
        defer { for process in [gateway, contacts] { process.stop() } }
        let create = #"{"name":"cloudpayments","kind":"cloudpayments","secret":"\#(secret)"}"#
        guard let made = HTTPLoad.fetch(port: gateway.port, "POST /v1/admin/integrations HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(create.utf8.count)\r\nConnection: close\r\n\r\n\(create)"), made.status == 201 else {
            throw BenchError("the gateway did not make the integration")
        }
        let keyBytes = Array(secret.utf8)
        let sent = Mutex<Set<Int>>([])
        var result = HTTPLoad.run(
            scenario: "billing.payment", port: gateway.port, connections: 64, warmUp: options.warmUp, duration: options.duration,
            request: { i in
                // 30% say again what an earlier notification said (CloudPayments calls back several times).
                var random = DialerBench.Seeded(state: seed &+ UInt64(i))
                let invoice = i > 100 && random.next(10) < 3 ? i - 1 - random.next(100) : i
                sent.withLock { _ = $0.insert(invoice) }
                let body = "TransactionId=\(invoice)&Amount=\(100 + invoice % 900).00&Currency=RUB&InvoiceId=INV-\(invoice)&AccountId=donor-\(invoice % 5000)&Email=donor\(invoice % 5000)%40example.org&Status=Completed"
                let mac = Data(HMAC.authenticationCode(.sha256, key: keyBytes, message: Array(body.utf8))).base64EncodedString()
                return Array("POST /v1/hooks/cloudpayments?type=pay HTTP/1.1\r\nHost: bench\r\nContent-HMAC: \(mac)\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            },
            accept: { $0 == 200 })
        // Until the relay has handed every hook over (bounded), then the payers.
        let loaded = MonotonicInstant.now()
        let limit = MonotonicInstant.now() + .seconds(300)
        _ = try await HTTPLoad.awaitHooksRelayed(port: gateway.port, key: key, until: limit)
        let relayed = Int((MonotonicInstant.now().nanoseconds - loaded.nanoseconds) / 1_000_000)
        let database = try Database(path: billingData.appendingPathComponent("billing.sqlite").path, migrations: BillingSchema.migrations)
        var waiting = 0
        while MonotonicInstant.now() < limit {
            waiting = try await database.read { c in try c.queryFirst("SELECT count(*) FROM payments WHERE payer_state = 'pending'", []) { $0.int(0) } ?? 0 }
            if waiting == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let drained = Int((MonotonicInstant.now().nanoseconds - loaded.nanoseconds) / 1_000_000)
        billing.stop()
        let (rows, distinct, events) = try await database.read { c in
            (try c.queryFirst("SELECT count(*) FROM payments", []) { $0.int(0) } ?? 0,
             try c.queryFirst("SELECT count(DISTINCT provider_id) FROM payments", []) { $0.int(0) } ?? 0,
             try c.queryFirst("SELECT count(*) FROM outbox WHERE event_type = 'payment.paid'", []) { $0.int(0) } ?? 0)
        }
        try await database.close()
        let ids = sent.withLock { $0.count }
        result.figures = [("payments", rows), ("duplicates", (rows - distinct) + max(0, events - rows)), ("missing", max(0, ids - distinct)), ("payers_pending", waiting), ("drain_ms", drained), ("relay_ms", relayed),
            // Issue 30's figure: how fast a burst's payments get their payers once it stops.
            ("payers_per_s_after_burst", rows * 1000 / max(1, drained))]
        return result
    }

    static func bonusReport(_ options: BenchOptions) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("billing-report-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let month = BillingMonth(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        try await fill(folder.appendingPathComponent("billing.sqlite").path, month: month)
        let service = try BenchProcess("switchboard-billing", ["BILLING_PORT": "0", "BILLING_ADMIN_PORT": "0", "BILLING_DATA_DIR": folder.path])
        defer { service.stop() }
        let client = BenchPKI.client("billing", port: service.port)
        defer { client.shutdown() }
        let managers = Mutex(0)
        let result = await LoadRunner.run(scenario: "billing.bonus_report", concurrency: 1, warmUp: options.warmUp, duration: options.duration) { _ in
            guard let report = try? await client.call(Billing.bonusReport, BonusReportRequest(month: month.description), options: CallOptions(timeout: .seconds(30))) else { return false }
            managers.withLock { $0 = report.managers.count }
            return report.managers.count == 20
        }
        FileHandle.standardError.write(Data("billing: the report has \(managers.withLock { $0 }) managers over \(groups) groups of \(perGroup) students\n".utf8))
        return result
    }

    /// Three months (this one and the two before) of 200 groups: students, payments, lessons held, won deals, costs.
    static func fill(_ path: String, month: BillingMonth) async throws {
        let database = try Database(path: path, migrations: BillingSchema.migrations)
        var random = DialerBench.Seeded(state: seed)
        let first = BillingMonth(index: month.index - 2)
        for g in 1...groups {
            let plan: [(Int64, Int64, Int64, Int64)] = (0..<perGroup).map { s in
                let contact = Int64(g * 1000 + s)
                let joined = first.startMilliseconds + Int64(random.next(60)) * 86_400_000 / 2
                return (contact, joined, Int64(random.next(3)), Int64(1 + random.next(20)))
            }
            try await database.write { tx in
                let costs = GroupCosts(groupID: Int64(g), currency: "RUB", teacherPerLessonMinor: 250_000, textbookPerStudentMinor: 100_000, rentPerMonthMinor: 1_500_000, taxBasisPoints: 600, groupName: "Group \(g)")
                try tx.run("INSERT INTO group_costs (group_id, costs) VALUES (?, ?)", [.integer(Int64(g)), .blob(costs.wireBytes())])
                for m in 0..<3 {
                    let start = BillingMonth(index: first.index + Int64(m)).startMilliseconds
                    for l in 0..<8 {
                        try tx.run("INSERT INTO lessons_held (lesson_id, group_id, start_at) VALUES (?, ?, ?)",
                            [.integer(Int64(g * 100 + m * 10 + l)), .integer(Int64(g)), .integer(start + Int64(l * 3 + 1) * 86_400_000)])
                    }
                }
                for (contact, joined, kind, manager) in plan {
                    try tx.run("INSERT INTO students (group_id, contact_id, group_name, status, deal_id, joined_at) VALUES (?, ?, ?, 2, ?, ?)",
                        [.integer(Int64(g)), .integer(contact), .text("Group \(g)"), .integer(contact), .integer(joined)])
                    try tx.run("INSERT INTO won_deals (deal_id, contact_id, responsible_id, won_at) VALUES (?, ?, ?, ?)",
                        [.integer(contact), .integer(contact), .integer(manager), .integer(joined)])
                    // A six-month prepayment, or a monthly fee each month from joining.
                    let fees: [(Int64, Int64, Int64)] = kind == 0
                        ? [(joined, 3_000_000, 6)]
                        : (0..<3).compactMap { m in
                            let at = max(joined, BillingMonth(index: first.index + Int64(m)).startMilliseconds)
                            return BillingMonth(milliseconds: at).index == first.index + Int64(m) ? (at, 600_000, 1) : nil
                        }
                    for (n, fee) in fees.enumerated() {
                        var p = Payment()
                        p.provider = .manual
                        p.providerPaymentID = "bench-\(contact)-\(n)"
                        p.status = .paid
                        p.amountMinor = fee.1
                        p.currency = "RUB"
                        p.groupID = Int64(g)
                        p.months = fee.2
                        p.payerContactID = contact
                        p.paidAtMilliseconds = fee.0
                        p.createdAtMilliseconds = fee.0
                        try tx.run(
                            "INSERT INTO payments (provider, provider_id, status, payer_state, payer_contact_id, student_id, group_id, created_at, paid_at, payment) VALUES (3, ?, 2, 'found', ?, ?, ?, ?, ?, ?)",
                            [.text(p.providerPaymentID), .integer(contact), .integer(contact), .integer(Int64(g)), .integer(fee.0), .integer(fee.0), .blob(p.wireBytes())])
                    }
                }
            }
        }
        try await database.close()
    }
}
