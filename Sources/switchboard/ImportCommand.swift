import Foundation
import Gateway
import HTTP
import Sockets
import WebhookHub

/// G7: `switchboard import FILE`: sends an import file (NDJSON, or CSV of one kind) to a
/// running gateway in parts of up to 8 MiB, then follows the import until it ends and
/// prints what it did. The admin key is the one `switchboard up` keeps (DIR/admin.key),
/// or SWITCHBOARD_API_KEY.
struct ImportCommand {
    static let usage = """
        usage: switchboard import FILE --source SOURCE [--kind KIND] [--dry-run] [--announce] [--gateway HOST:PORT] [--data DIR]
          Imports FILE (G7): NDJSON (one row a line) or, for a .csv file, CSV rows of KIND (staff, contact, pipeline,
          deal, task, note, activity). SOURCE names the system the rows come from (amocrm, bitrix24, ...): rows of a
          source are kept by their external ids, so importing again updates. --dry-run checks every row and writes
          nothing; --announce lets rules and webhooks hear of new deals. The gateway is 127.0.0.1:8080 unless given;
          the key is DIR/admin.key (./data) or SWITCHBOARD_API_KEY. Exits 0 when every row was taken, 1 when some
          were refused or the import failed.
        usage: switchboard import --from amocrm --url https://ACCOUNT.amocrm.ru [--token TOKEN] [options]
               switchboard import --from bitrix24 --url https://PORTAL/rest/USER/SECRET/ [options]
               switchboard import --from hollihop --url https://SCHOOL.t8s.ru [--token AUTHKEY] [options]
               switchboard import --from suitecrm --module Accounts|Contacts|Leads|Opportunities|Calls FILE.csv [options]
          Reads the system a business leaves into DIR/imports/<from>-<time>.ndjson, then imports it as above (the
          source is the system's name unless --source says otherwise). The token may come from SWITCHBOARD_SOURCE_TOKEN
          instead; SWITCHBOARD_OUTBOUND_ALLOW (loopback, private, CIDRs) lets it reach a non-public address.
        """
    static let partBytes = 8 * 1024 * 1024

    var file = ""
    var source = ""
    var kind = ""
    var dryRun = false
    var announce = false
    var host = "127.0.0.1"
    var port = 8080
    var dataDirectory = "./data"
    var from = ""
    var url = ""
    var token = ProcessInfo.processInfo.environment["SWITCHBOARD_SOURCE_TOKEN"] ?? ""
    var module = ""

    init(_ arguments: [String]) throws {
        var rest = arguments
        while !rest.isEmpty {
            let item = rest.removeFirst()
            func value() throws -> String {
                guard !rest.isEmpty else { throw UsageError("\(item) needs a value") }
                return rest.removeFirst()
            }
            switch item {
            case "--source": source = try value()
            case "--kind": kind = try value()
            case "--dry-run": dryRun = true
            case "--announce": announce = true
            case "--data": dataDirectory = try value()
            case "--from": from = try value()
            case "--url": url = try value()
            case "--token": token = try value()
            case "--module": module = try value()
            case "--gateway":
                let text = try value()
                let parts = text.split(separator: ":")
                guard parts.count == 2, let p = Int(parts[1]), (1...65535).contains(p) else { throw UsageError("--gateway is HOST:PORT") }
                (host, port) = (String(parts[0]), p)
            default:
                guard !item.hasPrefix("--"), file.isEmpty else { throw UsageError("unknown option \(item)") }
                file = item
            }
        }
        if source.isEmpty { source = from }
        guard !source.isEmpty else { throw UsageError("--source is required (amocrm, bitrix24, suitecrm, hollihop, ...)") }
        switch from {
        case "":
            guard !file.isEmpty else { throw UsageError("name the file to import") }
        case "amocrm", "bitrix24", "hollihop":
            guard !url.isEmpty else { throw UsageError("--from \(from) needs --url") }
            guard from == "bitrix24" || !token.isEmpty else { throw UsageError("--from \(from) needs --token (or SWITCHBOARD_SOURCE_TOKEN)") }
        case "suitecrm":
            guard SuiteCRMReader.Module(rawValue: module) != nil else { throw UsageError("--from suitecrm needs --module Accounts, Contacts, Leads, Opportunities or Calls") }
            guard !file.isEmpty else { throw UsageError("name the SuiteCRM export to read") }
        default:
            throw UsageError("--from takes amocrm, bitrix24, hollihop or suitecrm")
        }
    }

    struct UsageError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    var csv: Bool { from.isEmpty && file.lowercased().hasSuffix(".csv") }

    /// With --from: the system read into an NDJSON file under DIR/imports, which is then imported.
    mutating func readSource() async throws {
        guard !from.isEmpty else { return }
        let folder = "\(dataDirectory)/imports"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = "\(folder)/\(from)-\(Int(Date().timeIntervalSince1970)).ndjson"
        let writer = try ImportRowWriter(path: path)
        let outbound = try OutboundPolicy(allowing: ProcessInfo.processInfo.environment["SWITCHBOARD_OUTBOUND_ALLOW"] ?? "")
        print("reading \(from) into \(path)")
        switch from {
        case "amocrm": try await AmoCRMReader(baseURL: url, token: token, outbound: outbound).read(into: writer.write)
        case "bitrix24": try await Bitrix24Reader(webhookURL: url, outbound: outbound).read(into: writer.write)
        case "hollihop": try await HollihopReader(baseURL: url, authKey: token, outbound: outbound).read(into: writer.write)
        default:
            let skipped = try SuiteCRMReader(module: SuiteCRMReader.Module(rawValue: module)!, path: file).read(into: writer.write)
            if skipped > 0 { print("  \(skipped) records could not be placed (a call on an account, a record without a name or time)") }
        }
        try writer.close()
        print("  read " + writer.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        file = path
    }

    func key() throws -> String {
        if let key = ProcessInfo.processInfo.environment["SWITCHBOARD_API_KEY"], !key.isEmpty { return key }
        let path = "\(dataDirectory)/admin.key"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UsageError("no admin key: set SWITCHBOARD_API_KEY or run from where `switchboard up` keeps \(path)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends the file, follows the import; the exit status.
    mutating func run() async throws -> Int32 {
        try await readSource()
        guard let handle = FileHandle(forReadingAtPath: file) else { throw UsageError("cannot read \(file)") }
        defer { try? handle.close() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let headers = [("Authorization", "Bearer \(try key())"), ("Content-Type", csv ? "text/csv" : "application/x-ndjson")]
        var query = "source=\(source)"
        if !kind.isEmpty { query += "&kind=\(kind)" }
        if dryRun { query += "&dryRun=true" }
        if announce { query += "&announce=true" }
        var part = try handle.read(upToCount: Self.partBytes).map(Array.init) ?? []
        var next = try handle.read(upToCount: Self.partBytes).map(Array.init) ?? []
        var job = try await send(client, "POST", "/v1/imports?\(query)\(next.isEmpty ? "" : "&more=true")", headers, part)
        guard let id = job["id"] as? Int else { throw UsageError("the gateway answered no import id") }
        var sent = part.count
        while !next.isEmpty {
            part = next
            next = try handle.read(upToCount: Self.partBytes).map(Array.init) ?? []
            job = try await send(client, "POST", "/v1/imports/\(id)/parts\(next.isEmpty ? "" : "?more=true")", headers, part)
            sent += part.count
            print("sent \(sent) bytes")
        }
        print("import \(id): \(dryRun ? "checking" : "importing") \(file)")
        var shown = -1
        while true {
            job = try await send(client, "GET", "/v1/imports/\(id)", headers, [])
            let state = job["state"] as? String ?? ""
            let read = job["rowsRead"] as? Int ?? 0
            if read != shown && state == "running" {
                print("  \(read) rows read")
                shown = read
            }
            if ["done", "failed", "cancelled"].contains(state) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let counts = ["rowsRead", "created", "updated", "matched", "refused"].map { "\($0) \(job[$0] as? Int ?? 0)" }.joined(separator: ", ")
        print("import \(id) \(job["state"] as? String ?? ""): \(counts)")
        if let failure = job["failure"] as? String { print("  failure: \(failure)") }
        for error in job["errors"] as? [[String: Any]] ?? [] {
            let field = (error["field"] as? String).map { $0.isEmpty ? "" : " \($0):" } ?? ""
            print("  line \(error["line"] as? Int ?? 0)\(field) \(error["description"] as? String ?? "")")
        }
        return job["state"] as? String == "done" && (job["refused"] as? Int ?? 0) == 0 ? 0 : 1
    }

    func send(_ client: HTTPClient, _ method: String, _ target: String, _ headers: [(String, String)], _ body: [UInt8]) async throws -> [String: Any] {
        let response = try await client.send(method, host: host, port: port, target: target, headers: headers, body: body, timeout: .seconds(60)).get()
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status) else {
            throw UsageError("the gateway answered \(response.status): \(json["detail"] as? String ?? String(decoding: response.body, as: UTF8.self))")
        }
        return json
    }
}
