import Foundation
import Glibc
import Synchronization

/// `switchboard-bench chaos [--seed N] [--seconds S]` (issue 29), Jepsen's habit on our
/// scale: `switchboard up` with two telephony replicas; 32 clients write leads, calls,
/// Ringostat hooks, stage changes, bookings and payments through the gateway for S seconds
/// (600 unless given), each
/// retrying an unanswered write with the same Idempotency-Key or natural key, as a real
/// integration does; every few seconds one random service process is killed (-9; the
/// runner starts it again) or frozen (SIGSTOP, then SIGCONT). The schedule and the writes
/// come from the seed, so a failing run replays. Then, with every process serving again:
/// - lost: writes acknowledged (2xx) that are not there: a lead, a call or a hook without
///   exactly one contact and one deal, a stage change not kept, a booking not on its deal, a
///   payment's reference not listed;
/// - doubled: any write, acknowledged or not, there more than once;
/// - parked events without a reason, and processes not serving.
enum ChaosBench {
    static let key = "chaos-admin-key-0123456789abcdef"
    /// The runner's ports (each service's admin port is 1000 above; telephony-1 is 10 above telephony-0).
    typealias Ports = (gateway: Int, contacts: Int, deals: Int, telephony: Int, scheduling: Int, billing: Int, notifications: Int)
    static let clients = 32

    /// One client's write and what became of it.
    struct Write: Sendable {
        enum Kind: String, Sendable { case lead, call, hook, stage, booking, payment }
        let kind: Kind
        /// The lead's, call's or hook's phone, the payment's reference, the stage change's or
        /// booking's deal id.
        let subject: String
        let acknowledged: Bool
    }

    final class Journal: Sendable {
        let writes = Mutex<[Write]>([])
        let stop = Atomic<Bool>(false)
        let faults = Mutex<[String]>([])
    }

    /// Blocking, on purpose: the run is its threads and the fault loop between them.
    static func run(options: BenchOptions) throws -> [BenchResult] {
        guard options.wants("chaos") else { return [] }
        let seed = options.seed ?? 1
        let seconds = options.durationGiven ? Double(options.duration.components.seconds) : 600
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("switchboard-bench-chaos-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("\(key)\n".utf8).write(to: folder.appendingPathComponent("admin.key"))
        chmod(folder.appendingPathComponent("admin.key").path, 0o600)

        var random = DialerBench.Seeded(state: seed)
        let ports = try freePorts(&random)
        let runner = Process()
        runner.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("switchboard")
        runner.arguments = [
            "up", "--data", folder.path, "--port", "\(ports.gateway)", "--contacts-port", "\(ports.contacts)", "--deals-port", "\(ports.deals)",
            "--telephony", "2", "--telephony-port", "\(ports.telephony)", "--scheduling-port", "\(ports.scheduling)",
            "--billing-port", "\(ports.billing)", "--notifications-port", "\(ports.notifications)",
        ]
        runner.environment = ProcessInfo.processInfo.environment.merging(["GATEWAY_RATE_LIMIT": "100000", "GATEWAY_RATE_BURST": "100000"]) { $1 }
        let log = FileHandle(forWritingAtPath: "/dev/null")
        runner.standardOutput = log
        runner.standardError = log
        try runner.run()
        defer {
            for child in children(of: runner.processIdentifier) { kill(child.pid, SIGCONT) }
            runner.terminate()
            runner.waitUntilExit()
        }
        guard waitUntilServing(ports.gateway, runner: runner.processIdentifier, within: 60) else {
            throw BenchError("the system did not start in 60 s")
        }

        // A Ringostat integration for the hooks, and an engineer with every hour free for each client.
        var setup = Connection(port: ports.gateway)
        guard let made = setup.send("POST", "/v1/admin/integrations", #"{"name":"ringostat","kind":"ringostat"}"#), made.status == 201,
            let hookPath = ConsoleBench.json(made.body)["hookPath"] as? String
        else { throw BenchError("the gateway did not make the Ringostat integration") }
        let allWeek = (1...7).map { #"{"weekday":\#($0),"fromMinute":0,"toMinute":1440}"# }.joined(separator: ",")
        var resources: [Int] = []
        for client in 0..<clients {
            guard let made = setup.send("POST", "/v1/resources", #"{"name":"Engineer \#(client)","kind":"engineer","timeZone":"UTC","hours":[\#(allWeek)]}"#),
                let id = ConsoleBench.json(made.body)["id"] as? Int
            else { throw BenchError("the gateway did not make a resource") }
            resources.append(id)
        }
        setup.close()
        // Bookings from tomorrow's first hour on, half an hour each, never two at once on one resource.
        let firstSlot = (Int(Date().timeIntervalSince1970) / 3600 + 24) * 3600

        let journal = Journal()
        let started = Date()
        let done = DispatchGroup()
        for client in 0..<clients {
            done.enter()
            let resource = resources[client]
            Thread.detachNewThread {
                Self.client(client, seed: seed, port: ports.gateway, hookPath: hookPath, resource: resource, firstSlot: firstSlot, journal: journal)
                done.leave()
            }
        }

        // Faults: every 2-6 s one child killed or frozen for 1-6 s.
        var kills = 0, freezes = 0
        while Date().timeIntervalSince(started) < seconds {
            Thread.sleep(forTimeInterval: Double(2 + random.next(5)))
            let living = children(of: runner.processIdentifier)
            guard !living.isEmpty else { continue }
            let victim = living[random.next(living.count)]
            if random.next(2) == 0 {
                kill(victim.pid, SIGKILL)
                kills += 1
                journal.faults.withLock { $0.append("kill -9 \(victim.name)") }
            } else {
                kill(victim.pid, SIGSTOP)
                Thread.sleep(forTimeInterval: Double(1 + random.next(6)))
                kill(victim.pid, SIGCONT)
                freezes += 1
                journal.faults.withLock { $0.append("freeze \(victim.name)") }
            }
        }
        journal.stop.store(true, ordering: .releasing)
        done.wait()
        let writing = Date().timeIntervalSince(started)

        // Every process serving again (the runner's back-off is at most 30 s), then every event
        // and hook delivered: what is checked is what the system settled on.
        let serving = waitUntilServing(ports.gateway, runner: runner.processIdentifier, within: 120)
        let drained = Date()
        let quiet = waitUntilQuiet(ports, within: 1800)
        let drainSeconds = Int(Date().timeIntervalSince(drained))
        let writes = journal.writes.withLock { $0 }
        let check = try verify(writes, port: ports.gateway)
        let parked = try parkedWithoutReason(port: ports.gateway)
        let acknowledged = writes.filter(\.acknowledged).count
        FileHandle.standardError.write(Data("chaos (seed \(seed)): faults in order: \(journal.faults.withLock { $0 }.joined(separator: ", "))\n".utf8))
        for line in check.lost.prefix(10).map({ "lost \($0)" }) + check.doubled.prefix(10).map({ "doubled \($0)" }) {
            FileHandle.standardError.write(Data("chaos (seed \(seed)): \(line)\n".utf8))
        }
        return [
            BenchResult(
                scenario: "chaos", calls: acknowledged, seconds: writing, latenciesNanoseconds: [], errors: check.lost.count + check.doubled.count,
                figures: [
                    ("seed", Int(seed)), ("writes", writes.count), ("acknowledged", acknowledged),
                    ("leads", writes.filter { $0.kind == .lead && $0.acknowledged }.count), ("calls", writes.filter { $0.kind == .call && $0.acknowledged }.count),
                    ("hooks", writes.filter { $0.kind == .hook && $0.acknowledged }.count),
                    ("stages", writes.filter { $0.kind == .stage && $0.acknowledged }.count), ("bookings", writes.filter { $0.kind == .booking && $0.acknowledged }.count),
                    ("payments", writes.filter { $0.kind == .payment && $0.acknowledged }.count),
                    ("kills", kills), ("freezes", freezes), ("lost", check.lost.count), ("doubled", check.doubled.count),
                    ("parked_without_reason", parked), ("serving", serving ? 1 : 0), ("settled", quiet ? 1 : 0), ("settle_s", drainSeconds),
                ])
        ]
    }

    /// One client: a lead, a call, a hook, a stage change and a booking of one of its deals, a
    /// payment, in turn.
    static func client(_ client: Int, seed: UInt64, port: Int, hookPath: String, resource: Int, firstSlot: Int, journal: Journal) {
        var random = DialerBench.Seeded(state: seed &+ UInt64(client) &* 7919)
        var connection = Connection(port: port)
        var toStage: [Int] = [], toBook: [Int] = []
        var step = 0, slot = 0
        while !journal.stop.load(ordering: .acquiring) {
            step += 1
            let number = String(format: "%02d%05d", client, step)
            let write: Write
            switch step % 6 {
            case 1:
                let phone = "+7916" + number
                let answer = connection.send("POST", "/v1/leads", #"{"channel":"web","phone":"\#(phone)","firstName":"Chaos"}"#, idempotencyKey: "lead-\(seed)-\(number)")
                if answer?.status == 201, let deal = ConsoleBench.json(answer?.body ?? "")["dealId"] as? Int {
                    toStage.append(deal)
                    toBook.append(deal)
                }
                write = Write(kind: .lead, subject: phone, acknowledged: answer.map { (200...202).contains($0.status) } ?? false)
            case 5:
                // Ringostat's hook (form-encoded, the URL token its credential): a call telephony keeps once.
                let phone = "7919" + number
                let body = "uniqueid=\(seed).\(number)&calldate=2026-12-01+10%3A00%3A00&caller=\(phone)&dst=74951112233&disposition=ANSWERED&billsec=31&duration=40&call_type=in&connected_with=201"
                let answer = connection.send("POST", hookPath, body, contentType: "application/x-www-form-urlencoded", authorized: false)
                write = Write(kind: .hook, subject: "+" + phone, acknowledged: answer?.status == 200)
            case 0:
                guard !toBook.isEmpty else { continue }
                let deal = toBook.remove(at: random.next(toBook.count))
                let start = firstSlot + slot * 1800
                slot += 1
                let body = #"{"dealId":\#(deal),"kind":"measurement","resourceIds":[\#(resource)],"start":"\#(RFC3339Seconds(start))","end":"\#(RFC3339Seconds(start + 1800))"}"#
                // No Idempotency-Key here: a booking sent again meets itself (409), never a second one.
                let answer = connection.send("POST", "/v1/appointments", body)
                write = Write(kind: .booking, subject: "\(deal)", acknowledged: answer?.status == 201)
            case 2:
                let phone = "+7917" + number
                let body = #"{"provider":"chaos","providerCallId":"\#(seed)-\#(number)","direction":"inbound","clientNumber":"\#(phone)","legs":[{"destination":"201","disposition":"answered","startedAt":"2026-12-01T10:00:00Z","durationSeconds":60,"talkSeconds":50}],"ended":true}"#
                let answer = connection.send("POST", "/v1/calls", body)
                write = Write(kind: .call, subject: phone, acknowledged: answer.map { (200...201).contains($0.status) } ?? false)
            case 3:
                guard !toStage.isEmpty else { continue }
                let deal = toStage.remove(at: random.next(toStage.count))
                let answer = connection.send("POST", "/v1/deals/\(deal)/stage", #"{"stageId":2}"#)
                write = Write(kind: .stage, subject: "\(deal)", acknowledged: answer?.status == 200)
            default:
                let reference = "chaos-\(seed)-\(number)"
                let body = #"{"reference":"\#(reference)","status":"paid","amountMinor":\#(1000 + random.next(100_000)),"currency":"RUB","phone":"+7918\#(number)","payerName":"Chaos"}"#
                let answer = connection.send("POST", "/v1/payments", body)
                write = Write(kind: .payment, subject: reference, acknowledged: answer?.status == 200)
            }
            journal.writes.withLock { $0.append(write) }
        }
        connection.close()
    }

    /// A kept connection to the gateway that sends a write until it is answered (not 5xx,
    /// not 429), at most 8 times, again on a new connection when one breaks or a frozen
    /// process keeps it waiting past 10 s; nil when it never was.
    struct Connection {
        let port: Int
        var fd: Int32 = -1

        init(port: Int) { self.port = port }

        mutating func send(
            _ method: String, _ path: String, _ body: String, idempotencyKey: String? = nil, contentType: String = "application/json", authorized: Bool = true
        ) -> (status: Int, body: String)? {
            var head = "\(method) \(path) HTTP/1.1\r\nHost: chaos\r\n"
            if authorized { head += "Authorization: Bearer \(ChaosBench.key)\r\n" }
            if let idempotencyKey { head += "Idempotency-Key: \(idempotencyKey)\r\n" }
            if !body.isEmpty { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n" }
            let request = Array((head + "\r\n" + body).utf8)
            for attempt in 0..<8 {
                if attempt > 0 { Thread.sleep(forTimeInterval: 0.5) }
                if fd < 0 {
                    fd = HTTPLoad.connect(port)
                    guard fd >= 0 else { continue }
                    var wait = timeval(tv_sec: 10, tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
                }
                guard let answer = HTTPLoad.answer(fd, request) else {
                    close()
                    continue
                }
                if answer.status >= 500 || answer.status == 429 || answer.status == 409 && idempotencyKey != nil {
                    if ConsoleBench.header("Connection", answer.head)?.lowercased() == "close" { close() }
                    continue
                }
                return (answer.status, String(decoding: answer.body, as: UTF8.self))
            }
            return nil
        }

        mutating func close() {
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }

    /// Waits until no service has an event waiting for a subscriber and the gateway no hook
    /// waiting for its service (each service's admin /metrics, the gateway's /metrics).
    static func waitUntilQuiet(_ ports: Ports, within seconds: Double) -> Bool {
        let admin = [ports.contacts, ports.deals, ports.telephony, ports.telephony + 10, ports.scheduling, ports.billing, ports.notifications].map { $0 + 1000 }
        func pending(_ port: Int, _ metric: String, key: Bool) -> Int? {
            let fd = HTTPLoad.connect(port)
            guard fd >= 0 else { return nil }
            defer { Glibc.close(fd) }
            var wait = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            guard let answer = try? ConsoleBench.call(fd, "GET", "/metrics", headers: key ? ["Authorization: Bearer \(ChaosBench.key)"] : []), answer.status == 200 else { return nil }
            return answer.body.split(separator: "\n").filter { $0.hasPrefix(metric) }.reduce(0) { $0 + (Int(Double($1.split(separator: " ").last ?? "") ?? 0)) }
        }
        let deadline = Date().addingTimeInterval(seconds)
        var quietTimes = 0
        while Date() < deadline {
            let counts = admin.map { pending($0, "switchboard_events_pending", key: false) } + [pending(ports.gateway, "switchboard_hooks_stored{status=\"pending\"}", key: true)]
            quietTimes = counts.allSatisfy { $0 == 0 } ? quietTimes + 1 : 0
            if quietTimes >= 2 { return true }
            Thread.sleep(forTimeInterval: 1)
        }
        return false
    }

    /// What the system holds of `writes`, read back once every process serves and every
    /// event is delivered.
    static func verify(_ writes: [Write], port: Int) throws -> (lost: [String], doubled: [String]) {
        var connection = Connection(port: port)
        defer { connection.close() }
        func read(_ path: String) -> [String: Any] {
            guard let answer = connection.send("GET", path, "") else { return [:] }
            return ConsoleBench.json(answer.body)
        }
        func count(_ phone: String) -> (contacts: Int, deals: Int) {
            let found = read("/v1/contacts?phone=\(phone.replacingOccurrences(of: "+", with: "%2B"))")["items"] as? [[String: Any]] ?? []
            guard found.count == 1, let id = found[0]["id"] as? Int else { return (found.count, 0) }
            return (1, (read("/v1/deals?contactId=\(id)")["items"] as? [Any])?.count ?? 0)
        }
        // Every payment there is, by reference.
        var references: [String: Int] = [:]
        var after = 0
        while true {
            let page = read("/v1/payments?limit=500" + (after > 0 ? "&after=\(after)" : ""))["items"] as? [[String: Any]] ?? []
            for payment in page { references[payment["providerPaymentId"] as? String ?? "", default: 0] += 1 }
            guard page.count == 500, let last = page.last?["id"] as? Int else { break }
            after = last
        }
        var lost: [String] = [], doubled: [String] = []
        for write in writes {
            switch write.kind {
            case .lead, .call, .hook:
                let held = count(write.subject)
                if held.contacts > 1 || held.deals > 1 { doubled.append("\(write.kind) \(write.subject): \(held)") }
                if write.acknowledged, held.contacts == 0 || held.deals == 0 { lost.append("\(write.kind) \(write.subject): \(held)") }
            case .booking:
                let booked = (read("/v1/deals/\(write.subject)/appointments")["items"] as? [Any])?.count ?? 0
                if booked > 1 { doubled.append("booking of deal \(write.subject) x\(booked)") }
                if write.acknowledged, booked == 0 { lost.append("booking of deal \(write.subject)") }
            case .stage:
                if write.acknowledged, read("/v1/deals/\(write.subject)")["stageId"] as? Int != 2 { lost.append("stage of deal \(write.subject)") }
            case .payment:
                let times = references[write.subject] ?? 0
                if times > 1 { doubled.append("payment \(write.subject) x\(times)") }
                if write.acknowledged, times == 0 { lost.append("payment \(write.subject)") }
            }
        }
        return (lost, doubled)
    }

    /// Parked events (every service's) that do not say why they were parked.
    static func parkedWithoutReason(port: Int) throws -> Int {
        var connection = Connection(port: port)
        defer { connection.close() }
        var count = 0
        for service in ["contacts", "deals", "telephony", "scheduling", "billing", "notifications"] {
            guard let answer = connection.send("GET", "/v1/admin/events/\(service)/parked", "") else { continue }
            let items = ConsoleBench.json(answer.body)["items"] as? [[String: Any]] ?? []
            count += items.filter { ($0["reason"] as? String ?? "").isEmpty }.count
        }
        return count
    }

    /// Seconds since 1970 as RFC 3339 in UTC.
    static func RFC3339Seconds(_ seconds: Int) -> String {
        Date(timeIntervalSince1970: Double(seconds)).ISO8601Format()
    }

    /// The runner's children (the services), by pid and executable name.
    static func children(of parent: Int32) -> [(pid: Int32, name: String)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> (Int32, String)? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // pid (comm) state ppid ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == parent else { return nil }
            let command = (try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)) ?? ""
            let name = command.split(separator: "\0").first.map { String($0.split(separator: "/").last ?? "") } ?? "?"
            let replica = ((try? String(contentsOfFile: "/proc/\(entry)/environ", encoding: .utf8)) ?? "").split(separator: "\0")
                .first { $0.hasPrefix("TELEPHONY_REPLICA=") }.map { " " + $0.dropFirst(18) } ?? ""
            return (pid, name + replica)
        }.sorted { $0.0 < $1.0 }
    }

    /// The gateway answers /readyz 200 and the runner has all eight services running, within `seconds`.
    static func waitUntilServing(_ port: Int, runner: Int32, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let fd = HTTPLoad.connect(port)
            if fd >= 0 {
                var wait = timeval(tv_sec: 2, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
                let ready = (try? ConsoleBench.call(fd, "GET", "/readyz"))?.status == 200
                Glibc.close(fd)
                if ready && children(of: runner).count == 8 { return true }
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return false
    }

    /// The runner's ports, each with its admin port (+1000) free; telephony's second replica
    /// listens 10 above the first.
    static func freePorts(_ random: inout DialerBench.Seeded) throws -> Ports {
        var taken: Set<Int> = []
        func pick(_ offsets: [Int]) throws -> Int {
            for _ in 0..<200 {
                let base = 20_000 + random.next(7_000)
                let all = offsets.flatMap { [base + $0, base + $0 + 1000] }
                if all.allSatisfy({ !taken.contains($0) && bindable($0) }) {
                    taken.formUnion(all)
                    return base
                }
            }
            throw BenchError("no free ports")
        }
        return (try pick([0]), try pick([0]), try pick([0]), try pick([0, 10]), try pick([0]), try pick([0]), try pick([0]))
    }

    static func bindable(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }
}
