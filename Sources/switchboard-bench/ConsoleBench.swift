import Foundation
import Glibc
import Sockets

/// `switchboard-bench console` (issue 27, G6), against the real executables (build -c release):
/// - console.workstation: an operator signed in with a session opens the workstation among
///   10,000 deals: the page and every console file revalidated (304s, a browser's warm
///   cache) on one connection, the session, the next lead and its card — what the browser
///   waits for before the lead shows. One latency per opening; `cold_ms` the first, with
///   the files sent whole. The browser's own parse and render are not in it
///   (.ci/console-browser prints what a real browser took);
/// - console.size: the console's JavaScript and CSS, bytes as shipped and gzip-compressed;
/// - console.streams: 1,000 people each with a live stream open (GET /v1/stream), then 200
///   events through them: the gateway's resident memory before and after (`rss_delta_kb`).
enum ConsoleBench {
    static let key = "bench-key-0123456789abcdef"
    static let deals = 10_000
    static let leads = 300

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        var results: [BenchResult] = []
        if options.wants("console.workstation") { results.append(try await workstation(options)) }
        if options.wants("console.size") { results.append(try size()) }
        if options.wants("console.streams") { results.append(try await streams(options)) }
        return results
    }

    static func freePort() throws -> Int {
        let listener = try Listener(host: "127.0.0.1", port: 0, reactor: .shared) { fd, _ in close(fd) }
        defer { listener.close() }
        return listener.port
    }

    /// Contacts, deals, one telephony replica and the gateway, subscribed to each other.
    static func start(_ folder: URL, extraKeys: [String] = [], gateway extra: [String: String] = [:]) throws -> [BenchProcess] {
        let dealsPort = try freePort(), telephonyPort = try freePort()
        let contacts = try BenchProcess(
            "switchboard-contacts", ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let deals = try BenchProcess("switchboard-deals", [
            "DEALS_PORT": "\(dealsPort)", "DEALS_ADMIN_PORT": "0", "DEALS_DATA_DIR": folder.appendingPathComponent("deals").path,
            "DEALS_CONTACTS": "127.0.0.1:\(contacts.port)", "DEALS_SUBSCRIBERS": "telephony-0@127.0.0.1:\(telephonyPort)",
        ])
        let telephony = try BenchProcess("switchboard-telephony", [
            "TELEPHONY_PORT": "\(telephonyPort)", "TELEPHONY_ADMIN_PORT": "0", "TELEPHONY_DATA_DIR": folder.appendingPathComponent("telephony-0").path,
            "TELEPHONY_REPLICA": "telephony-0", "TELEPHONY_REPLICAS": "telephony-0", "TELEPHONY_CONTACTS": "127.0.0.1:\(contacts.port)",
            "TELEPHONY_SUBSCRIBERS": "deals@127.0.0.1:\(dealsPort)",
        ])
        let gateway = try BenchProcess("switchboard-gateway", [
            "GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
            "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(deals.port)",
            "GATEWAY_TELEPHONY": "telephony-0=127.0.0.1:\(telephony.port)",
            "GATEWAY_API_KEYS": ([key + "=admin"] + extraKeys).joined(separator: ","),
            "GATEWAY_RATE_LIMIT": "1000000", "GATEWAY_RATE_BURST": "1000000", "GATEWAY_AUTH_FAILURES_PER_MINUTE": "1000000",
        ].merging(extra) { $1 })
        return [gateway, telephony, deals, contacts]
    }

    /// A request on a kept connection, with the admin key unless `headers` say otherwise.
    static func call(_ fd: Int32, _ method: String, _ path: String, _ body: String? = nil, headers: [String] = ["Authorization: Bearer \(key)"]) throws -> (status: Int, body: String, head: String) {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: bench\r\n" + headers.map { $0 + "\r\n" }.joined()
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        guard let answer = HTTPLoad.answer(fd, Array(request.utf8)) else { throw BenchError("\(method) \(path): the connection failed") }
        return (answer.status, String(decoding: answer.body, as: UTF8.self), answer.head)
    }

    static func header(_ name: String, _ head: String) -> String? {
        head.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
            .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The console's files as the page names them (its modules import the rest).
    static let files = ["console.css", "console.js", "api.js", "ui.js", "i18n.js", "signin.js", "workstation.js", "tasks.js", "inbox.js",
                        "deal.js", "contact.js", "board.js", "reports.js", "day.js", "admin.js", "live.js"]

    static func workstation(_ options: BenchOptions) async throws -> BenchResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("console-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let processes = try start(folder)
        defer { for process in processes { process.stop() } }
        let port = processes[0].port
        let fd = HTTPLoad.connect(port)
        guard fd >= 0 else { throw BenchError("cannot connect to the gateway") }
        defer { close(fd) }

        // 10,000 deals of 100 clients; the operator; calling hours all day; leads for the queue.
        for i in 0..<100 {
            _ = try call(fd, "POST", "/v1/contacts", #"{"firstName":"Client \#(i)","phones":["+7916\#(String(format: "%07d", 1_000_000 + i))"]}"#)
        }
        let staff = json(try call(fd, "POST", "/v1/staff", #"{"firstName":"Olga","role":"operator","email":"olga@bench.example"}"#).body)
        guard let staffID = staff["id"] as? Int else { throw BenchError("no operator") }
        for i in 0..<deals {
            let made = try call(fd, "POST", "/v1/deals", #"{"title":"Deal \#(i)","contactId":\#(i % 100 + 1),"responsibleId":\#(staffID)}"#)
            guard made.status == 201 else { throw BenchError("deal \(i): \(made.status) \(made.body)") }
        }
        let settings = json(try call(fd, "GET", "/v1/dialer/settings").body)
        var changed = settings
        for name in ["updatedAt", "updatedBy", "version"] { changed[name] = nil }
        changed["callingHourFrom"] = 0
        changed["callingHourTo"] = 24
        let body = String(decoding: try JSONSerialization.data(withJSONObject: changed), as: UTF8.self)
        guard try call(fd, "PUT", "/v1/dialer/settings?version=\(settings["version"] as? Int ?? 1)", body).status == 200 else { throw BenchError("dialer settings") }
        for i in 0..<leads {
            _ = try call(fd, "POST", "/v1/leads", #"{"channel":"partner","partner":"bench","externalId":"B-\#(i)","phone":"+7917\#(String(format: "%07d", 2_000_000 + i))"}"#)
        }
        let deadline = MonotonicInstant.now() + .seconds(60)
        while MonotonicInstant.now() < deadline {
            let queue = json(try call(fd, "GET", "/v1/dialer/queue").body)["items"] as? [[String: Any]] ?? []
            if queue.reduce(0, { $0 + ($1["ready"] as? Int ?? 0) }) >= leads { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Her session, as the console has it.
        let invite = json(try call(fd, "POST", "/v1/staff/\(staffID)/invites").body)["token"] as? String ?? ""
        let signedIn = try call(fd, "POST", "/v1/session/invite", #"{"token":"\#(invite)","password":"bench passphrase 0123"}"#)
        guard let cookie = header("Set-Cookie", signedIn.head)?.split(separator: ";").first, let csrf = json(signedIn.body)["csrfToken"] as? String else {
            throw BenchError("sign-in: \(signedIn.status) \(signedIn.body)")
        }
        let session = ["Cookie: \(cookie)"], writing = session + ["X-CSRF-Token: \(csrf)"]

        var etags: [String: String] = [:]
        var latencies: [UInt64] = []
        var cold = 0
        var errors = 0
        let started = MonotonicInstant.now()
        for round in 0..<leads where MonotonicInstant.now() < started + options.duration || round < 20 {
            let t0 = MonotonicInstant.now()
            for file in ["/"] + files.map({ "/console/\($0)" }) {
                let validator = etags[file].map { ["If-None-Match: \($0)"] } ?? []
                let answer = try call(fd, "GET", file, headers: ["Accept-Encoding: gzip"] + validator)
                if let etag = header("ETag", answer.head) { etags[file] = etag }
                if answer.status != 200 && answer.status != 304 { errors += 1 }
            }
            guard try call(fd, "GET", "/v1/session", headers: session).status == 200 else { throw BenchError("the session ended") }
            let next = try call(fd, "POST", "/v1/dialer/next", headers: writing)
            guard next.status == 200, let id = json(next.body)["id"] as? String else {
                errors += 1
                continue
            }
            let card = try call(fd, "GET", "/v1/dialer/entries/\(id)/card", headers: session)
            let elapsed = UInt64(t0.duration(until: .now()).nanosecondsClamped)
            if card.status != 200 { errors += 1 }
            if round == 0 { cold = Int(elapsed / 1_000_000) } else { latencies.append(elapsed) }
            _ = try call(fd, "POST", "/v1/dialer/entries/\(id)/outcome", #"{"outcome":"no_answer"}"#, headers: writing)
        }
        let seconds = Double(started.duration(until: .now()).nanosecondsClamped) / 1e9
        return BenchResult(
            scenario: "console.workstation", calls: latencies.count, seconds: seconds, latenciesNanoseconds: latencies, errors: errors,
            figures: [("deals", deals), ("requests_per_opening", files.count + 4), ("cold_ms", cold)])
    }

    static func size() throws -> BenchResult {
        // The files as the gateway ships them, next to this executable (the SwiftPM resource bundle).
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("switchboard_Gateway.resources/Console")
        var plain = 0, scripts = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".js") || name.hasSuffix(".css") {
            let bytes = try Data(contentsOf: folder.appendingPathComponent(name)).count
            plain += bytes
            if name.hasSuffix(".js") { scripts += bytes }
        }
        return BenchResult(scenario: "console.size", calls: 0, seconds: 1, latenciesNanoseconds: [], errors: 0,
                           figures: [("js_css_bytes", plain), ("js_bytes", scripts), ("target_bytes", 250 * 1024)])
    }

    static func rss(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    static func streams(_ options: BenchOptions) async throws -> BenchResult {
        let people = 1_000
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = max(limit.rlim_cur, min(limit.rlim_max, 8_192))
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("console-streams-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokens = (1...people).map { "person-\($0)-bench-token-0123456789" }
        let processes = try start(folder, extraKeys: tokens.enumerated().map { "\($1)=staff:\($0 + 1)" },
                                  gateway: ["GATEWAY_MAX_CONNECTIONS": "4096", "GATEWAY_MAX_CONNECTIONS_PER_ADDRESS": "4096", "GATEWAY_REACTORS": "2"])
        defer { for process in processes { process.stop() } }
        let gateway = processes[0]
        let fd = HTTPLoad.connect(gateway.port)
        defer { close(fd) }
        for i in 1...people {
            guard try call(fd, "POST", "/v1/staff", #"{"firstName":"Person \#(i)","role":"operator"}"#).status == 201 else { throw BenchError("staff \(i)") }
        }
        _ = try call(fd, "POST", "/v1/contacts", #"{"firstName":"Client","phones":["+79160000001"]}"#)
        try await Task.sleep(for: .seconds(1))
        let before = rss(gateway.process.processIdentifier)
        var open: [Int32] = []
        defer { for s in open { close(s) } }
        let started = MonotonicInstant.now()
        var latencies: [UInt64] = []
        for token in tokens {
            let t0 = MonotonicInstant.now()
            let s = HTTPLoad.connect(gateway.port)
            guard s >= 0 else { throw BenchError("stream \(open.count + 1): cannot connect") }
            let request = "GET /v1/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\nAuthorization: Bearer \(token)\r\n\r\n"
            _ = Array(request.utf8).withUnsafeBytes { send(s, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = recv(s, &buffer, buffer.count, 0)
            guard n > 0, String(decoding: buffer[0..<n], as: UTF8.self).hasPrefix("HTTP/1.1 200") else { throw BenchError("stream \(open.count + 1) was refused") }
            latencies.append(UInt64(t0.duration(until: .now()).nanosecondsClamped))
            open.append(s)
        }
        // Events through every stream: deals for people 1...200.
        for i in 1...200 {
            _ = try call(fd, "POST", "/v1/deals", #"{"title":"Live \#(i)","contactId":1,"responsibleId":\#(i)}"#)
        }
        try await Task.sleep(for: .seconds(3))
        let after = rss(gateway.process.processIdentifier)
        let seconds = Double(started.duration(until: .now()).nanosecondsClamped) / 1e9
        return BenchResult(
            scenario: "console.streams", calls: open.count, seconds: seconds, latenciesNanoseconds: latencies, errors: 0,
            figures: [("streams", open.count), ("rss_before_kb", before), ("rss_after_kb", after), ("rss_delta_kb", after - before), ("target_delta_kb", 50 * 1024)])
    }
}
