// `switchboard up`: the zero-setup way to run everything (P3). Starts every service
// executable and the gateway as child processes on localhost with data under ./data
// (or --data DIR), waits until they are ready, prints the gateway URL and the admin
// API key, and stops them gracefully on Ctrl-C or SIGTERM.
import Contracts
import Dispatch
import Foundation
import HTTP
import ServiceKit
import TLS

let usage = """
    \(ImportCommand.usage)
    \(BackupCommand.usage)
    \(RestoreCommand.usage)
    usage: switchboard certificates --dir DIR [--watch] IDENTITY...
      Makes DIR/ca.crt and ca.key (unless there: bring your own CA) and a certificate per
      identity (gateway, contacts, telephony-0, ...), renews those within 30 days of their
      end; with --watch, checks again every hour (Compose's pki service).
    usage: switchboard settings [--write]
      Prints every process's settings (Compose/README.md's table); --write puts them there.
    usage: switchboard up [--data DIR] [--port GATEWAY_PORT] [--contacts-port PORT] [--deals-port PORT]
                          [--telephony N] [--telephony-port PORT] [--scheduling-port PORT] [--billing-port PORT] [--notifications-port PORT]
      Starts contacts, deals, N telephony replicas (1; 0 for none; replica i listens on
      PORT + 10 i, 7103 first), scheduling (7104), billing (7105), notifications (7106) and the gateway on localhost (service admin ports are the
      service port + 1000). Data goes to ./data/<service> (./data/telephony-<i>).
      The admin API key is created once in DIR/admin.key (mode 0600) and reused.
      Services talk mutual TLS: a local CA and every process's certificate are made in
      DIR/pki on first start (keys 0600), reused, and renewed 30 days before they end.
      Put your own ca.crt and ca.key there first to issue from your CA.
    """

var arguments = Array(CommandLine.arguments.dropFirst())
// `switchboard settings [--write]`: every service's settings as Compose/README.md's table,
// printed or written between its markers.
if arguments.first == "settings" {
    guard arguments.dropFirst().first == "--write" else {
        print(SettingsTable.markdown(Topology.Process.hosted), terminator: "")
        exit(0)
    }
    let path = "Compose/README.md"
    guard let readme = try? String(contentsOfFile: path, encoding: .utf8),
        let rewritten = SettingsTable.rewritten(readme, Topology.Process.hosted)
    else {
        FileHandle.standardError.write(Data("switchboard: \(path) not found or without its settings markers; run from the package root\n".utf8))
        exit(1)
    }
    try rewritten.write(toFile: path, atomically: true, encoding: .utf8)
    exit(0)
}
// `switchboard certificates --dir DIR [--watch] IDENTITY...`: the cluster's certificates
// for Compose or any deployment without cert-manager.
if arguments.first == "certificates" {
    var rest = Array(arguments.dropFirst())
    var folder: String?
    var watch = false
    var names: [String] = []
    while !rest.isEmpty {
        let item = rest.removeFirst()
        switch item {
        case "--dir": folder = rest.isEmpty ? nil : rest.removeFirst()
        case "--watch": watch = true
        default: names.append(item)
        }
    }
    guard let folder, !names.isEmpty else {
        FileHandle.standardError.write(Data("switchboard: certificates needs --dir DIR and at least one identity\n\(usage)\n".utf8))
        exit(2)
    }
    let directory = CertificateDirectory(path: folder)
    while true {
        do {
            let issued = try directory.prepare(names, now: Date())
            print(issued.isEmpty ? "certificates in \(folder) are current" : "issued in \(folder): \(issued.joined(separator: ", "))")
        } catch {
            FileHandle.standardError.write(Data("switchboard: \(error)\n".utf8))
            if !watch { exit(1) }
        }
        guard watch else { exit(0) }
        sleep(3600)
    }
}
// `switchboard import FILE --source SOURCE ...`: moving in (G7).
if arguments.first == "import" {
    do {
        var command = try ImportCommand(Array(arguments.dropFirst()))
        exit(try await command.run())
    } catch {
        FileHandle.standardError.write(Data("switchboard: \(error)\n\(error is ImportCommand.UsageError ? ImportCommand.usage + "\n" : "")".utf8))
        exit(error is ImportCommand.UsageError ? 2 : 1)
    }
}
// `switchboard backup ...` and `switchboard restore DIR`: operations (P5).
if arguments.first == "backup" || arguments.first == "restore" {
    do {
        let rest = Array(arguments.dropFirst())
        exit(arguments.first == "backup" ? try BackupCommand(rest).run() : try RestoreCommand(rest).run())
    } catch {
        let usage = arguments.first == "backup" ? BackupCommand.usage : RestoreCommand.usage
        FileHandle.standardError.write(Data("switchboard: \(error)\n\(error is BackupCommand.UsageError ? usage + "\n" : "")".utf8))
        exit(error is BackupCommand.UsageError ? 2 : 1)
    }
}
guard arguments.first == "up" else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(arguments.isEmpty || arguments.first == "--help" ? 0 : 2)
}
arguments.removeFirst()
var dataDirectory = "./data"
var gatewayPort = 8080
var contactsPort = 7101
var dealsPort = 7102
var telephonyCount = 1
var telephonyPort = 7103
var schedulingPort = 7104
var billingPort = 7105
var notificationsPort = 7106
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard let value = arguments.first else {
        FileHandle.standardError.write(Data("switchboard: \(flag) needs a value\n\(usage)\n".utf8))
        exit(2)
    }
    arguments.removeFirst()
    switch flag {
    case "--data": dataDirectory = value
    case "--telephony":
        guard let n = Int(value), (0...16).contains(n) else {
            FileHandle.standardError.write(Data("switchboard: --telephony must be 0-16 replicas\n".utf8))
            exit(2)
        }
        telephonyCount = n
    case "--port", "--contacts-port", "--deals-port", "--telephony-port", "--scheduling-port", "--billing-port", "--notifications-port":
        guard let p = Int(value), (1...65535).contains(p) else {
            FileHandle.standardError.write(Data("switchboard: \(flag) must be 1-65535\n".utf8))
            exit(2)
        }
        switch flag {
        case "--port": gatewayPort = p
        case "--contacts-port": contactsPort = p
        case "--telephony-port": telephonyPort = p
        case "--scheduling-port": schedulingPort = p
        case "--billing-port": billingPort = p
        case "--notifications-port": notificationsPort = p
        default: dealsPort = p
        }
    default:
        FileHandle.standardError.write(Data("switchboard: unknown option \(flag)\n\(usage)\n".utf8))
        exit(2)
    }
}

let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
func executable(_ name: String) -> URL {
    let url = binaries.appendingPathComponent(name)
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
        FileHandle.standardError.write(Data("switchboard: \(url.path) is missing; run `swift build` first\n".utf8))
        exit(1)
    }
    return url
}

let data = URL(fileURLWithPath: dataDirectory).standardizedFileURL
let keyFile = data.appendingPathComponent("admin.key")
let adminKey: String
do {
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    if let existing = try? String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), existing.count >= 16 {
        adminKey = existing
    } else {
        var generator = SystemRandomNumberGenerator()
        adminKey = "sb_" + (0..<32).map { _ in String(UInt8.random(in: 0...15, using: &generator), radix: 16) }.joined()
        guard FileManager.default.createFile(atPath: keyFile.path, contents: Data((adminKey + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            FileHandle.standardError.write(Data("switchboard: cannot write \(keyFile.path)\n".utf8))
            exit(1)
        }
    }
} catch {
    FileHandle.standardError.write(Data("switchboard: cannot use \(data.path): \(error.localizedDescription)\n".utf8))
    exit(1)
}

// Mutual TLS between the processes (PROTOCOL.md §1): the local CA and one certificate per
// identity, checked again every hour so a long-running `up` renews before anything expires.
let pki = CertificateDirectory(path: ProcessInfo.processInfo.environment["SWITCHBOARD_TLS_DIR"] ?? data.appendingPathComponent("pki").path)
let identities = ["gateway", "contacts", "deals"] + (0..<telephonyCount).map { "telephony-\($0)" } + ["scheduling", "billing", "notifications"]
@Sendable func prepareCertificates() -> Bool {
    do {
        let issued = try pki.prepare(identities, now: Date())
        if !issued.isEmpty { say("certificates issued in \(pki.path): \(issued.joined(separator: ", "))") }
        return true
    } catch {
        say("cannot prepare the certificates in \(pki.path): \(error)")
        return false
    }
}
if ProcessInfo.processInfo.environment["SWITCHBOARD_PLAINTEXT_RPC"] == "true" {
    say("WARNING: SWITCHBOARD_PLAINTEXT_RPC=true: the services talk without TLS; any local process may call them")
} else if !prepareCertificates() {
    exit(1)
}
let renewal = DispatchSource.makeTimerSource(queue: .global())
renewal.schedule(deadline: .now() + 3600, repeating: 3600)
renewal.setEventHandler { _ = prepareCertificates() }
renewal.resume()

/// A service of this run, finding the certificates made above.
func childService(name: String, executable: URL, environment: [String: String]) -> ChildService {
    ChildService(name: name, executable: executable, environment: environment.merging(["SWITCHBOARD_TLS_DIR": pki.path]) { $1 })
}

func adminPort(_ port: Int) -> String { "\(port + 1000 <= 65535 ? port + 1000 : 0)" }
// Telephony's replicas share the shards (T12).
let replicaNames = (0..<telephonyCount).map { "telephony-\($0)" }
let replicaPorts = (0..<telephonyCount).map { telephonyPort + 10 * $0 }
guard replicaPorts.allSatisfy({ $0 + 1000 <= 65535 }) else {
    FileHandle.standardError.write(Data("switchboard: --telephony-port leaves no room for \(telephonyCount) replicas\n".utf8))
    exit(2)
}
/// Where `publisher`'s subscribers listen; what each takes is the topology's (P2).
@MainActor func subscribers(of publisher: Topology.Process) -> String {
    Topology.subscribers(of: publisher).flatMap { route -> [String] in
        switch route.process {
        case .contacts: ["contacts@127.0.0.1:\(contactsPort)"]
        case .deals: ["deals@127.0.0.1:\(dealsPort)"]
        case .telephony: zip(replicaNames, replicaPorts).map { "\($0)@127.0.0.1:\($1)" }
        case .scheduling: ["scheduling@127.0.0.1:\(schedulingPort)"]
        case .billing: ["billing@127.0.0.1:\(billingPort)"]
        case .notifications: ["notifications@127.0.0.1:\(notificationsPort)"]
        }
    }.joined(separator: ";")
}
let contacts = childService(
    name: "contacts", executable: executable("switchboard-contacts"),
    environment: [
        "CONTACTS_PORT": "\(contactsPort)", "CONTACTS_ADMIN_PORT": adminPort(contactsPort),
        "CONTACTS_DATA_DIR": data.appendingPathComponent("contacts").path,
        "CONTACTS_SUBSCRIBERS": subscribers(of: .contacts),
    ])
// Deals' accepted leads go to every replica (each keeps the numbers of its shards, T10).
let deals = childService(
    name: "deals", executable: executable("switchboard-deals"),
    environment: [
        "DEALS_PORT": "\(dealsPort)", "DEALS_ADMIN_PORT": adminPort(dealsPort),
        "DEALS_DATA_DIR": data.appendingPathComponent("deals").path, "DEALS_CONTACTS": "127.0.0.1:\(contactsPort)",
        "DEALS_SUBSCRIBERS": subscribers(of: .deals),
    ])
let telephony = zip(replicaNames, replicaPorts).map { name, port in
    childService(
        name: name, executable: executable("switchboard-telephony"),
        environment: [
            "TELEPHONY_PORT": "\(port)", "TELEPHONY_ADMIN_PORT": adminPort(port), "TELEPHONY_DATA_DIR": data.appendingPathComponent(name).path,
            "TELEPHONY_REPLICA": name, "TELEPHONY_REPLICAS": replicaNames.joined(separator: ","), "TELEPHONY_CONTACTS": "127.0.0.1:\(contactsPort)",
            "TELEPHONY_SUBSCRIBERS": subscribers(of: .telephony),
        ])
}
// Scheduling; deals puts its appointments on the timeline.
let scheduling = childService(
    name: "scheduling", executable: executable("switchboard-scheduling"),
    environment: [
        "SCHEDULING_PORT": "\(schedulingPort)", "SCHEDULING_ADMIN_PORT": adminPort(schedulingPort),
        "SCHEDULING_DATA_DIR": data.appendingPathComponent("scheduling").path, "SCHEDULING_DEALS": "127.0.0.1:\(dealsPort)",
        "SCHEDULING_SUBSCRIBERS": subscribers(of: .scheduling),
    ])
// Billing: payers through contacts; deals moves confirmed offers and opens donation deals.
let billing = childService(
    name: "billing", executable: executable("switchboard-billing"),
    environment: [
        "BILLING_PORT": "\(billingPort)", "BILLING_ADMIN_PORT": adminPort(billingPort),
        "BILLING_DATA_DIR": data.appendingPathComponent("billing").path, "BILLING_CONTACTS": "127.0.0.1:\(contactsPort)", "BILLING_DEALS": "127.0.0.1:\(dealsPort)",
        "BILLING_SUBSCRIBERS": subscribers(of: .billing),
    ])
// Local providers (a fake SMS gateway, a relay on this machine) are on loopback: allowed
// here unless the caller's environment says otherwise; never by default elsewhere.
func outboundAllow(_ variable: String) -> String { ProcessInfo.processInfo.environment[variable] ?? "loopback" }
// Notifications: rules, templates, sends and outbound webhooks.
let notifications = childService(
    name: "notifications", executable: executable("switchboard-notifications"),
    environment: [
        "NOTIFICATIONS_PORT": "\(notificationsPort)", "NOTIFICATIONS_ADMIN_PORT": adminPort(notificationsPort),
        "NOTIFICATIONS_DATA_DIR": data.appendingPathComponent("notifications").path, "NOTIFICATIONS_SUBSCRIBERS": subscribers(of: .notifications),
        "NOTIFICATIONS_CONTACTS": "127.0.0.1:\(contactsPort)", "NOTIFICATIONS_DEALS": "127.0.0.1:\(dealsPort)",
        "NOTIFICATIONS_BILLING": "127.0.0.1:\(billingPort)", "NOTIFICATIONS_TELEPHONY": zip(replicaNames, replicaPorts).map { "\($0)=127.0.0.1:\($1)" }.joined(separator: ","),
        "NOTIFICATIONS_OUTBOUND_ALLOW": outboundAllow("NOTIFICATIONS_OUTBOUND_ALLOW"),
    ])
var gatewayEnvironment = [
    "GATEWAY_PORT": "\(gatewayPort)", "GATEWAY_DATA_DIR": data.appendingPathComponent("gateway").path, "GATEWAY_CONTACTS": "127.0.0.1:\(contactsPort)", "GATEWAY_DEALS": "127.0.0.1:\(dealsPort)",
    "GATEWAY_SCHEDULING": "127.0.0.1:\(schedulingPort)", "GATEWAY_BILLING": "127.0.0.1:\(billingPort)",
    "GATEWAY_NOTIFICATIONS": "127.0.0.1:\(notificationsPort)",
    "GATEWAY_API_KEYS": "\(adminKey)=admin", "GATEWAY_OUTBOUND_ALLOW": outboundAllow("GATEWAY_OUTBOUND_ALLOW"),
]
if telephonyCount > 0 {
    gatewayEnvironment["GATEWAY_TELEPHONY"] = zip(replicaNames, replicaPorts).map { "\($0)=127.0.0.1:\($1)" }.joined(separator: ",")
}
let gateway = childService(name: "gateway", executable: executable("switchboard-gateway"), environment: gatewayEnvironment)
let services = [contacts, deals] + telephony + [scheduling, billing, notifications, gateway]
let publishedPort = gatewayPort

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let stopAll: @Sendable () -> Void = {
    say("stopping")
    // The gateway first, so no new work reaches the services while they drain.
    for service in services.reversed() { service.stop(grace: 15) }
    say("stopped")
    exit(0)
}
let signalSources = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler(handler: stopAll)
    source.resume()
    return source
}

do {
    for service in services { try service.start() }
} catch {
    say("could not start: \(error)")
    for service in services { service.stop(grace: 5) }
    exit(1)
}

// Ready when every child has announced its port; bounded so a broken build says so.
DispatchQueue.global().async {
    let deadline = Date().addingTimeInterval(60)
    while !services.allSatisfy(\.isListening) {
        if Date() > deadline {
            say("services did not become ready within 60 s: \(services.filter { !$0.isListening }.map(\.name).joined(separator: ", "))")
            return
        }
        usleep(20_000)
    }
    // Listening is not yet serving: the gateway's connections to a service that started
    // after it may still be waiting to retry. Ready is the gateway's /readyz answering 200,
    // every service serving through it (first requests would be 503s otherwise).
    let probe = HTTPClient()
    while true {
        let answer = try? waitFor { await probe.send("GET", host: "127.0.0.1", port: gatewayPort, target: "/readyz", timeout: .seconds(2)) }
        if case let .success(response)? = answer, response.status == 200 { break }
        if Date() > deadline {
            say("the gateway did not answer /readyz with 200 within 60 s: a service is not serving")
            return
        }
        usleep(50_000)
    }
    say("ready: gateway at http://127.0.0.1:\(publishedPort)  (admin API key in \(keyFile.path))")
    // The key itself is never printed: logs and terminals are shared, the file is 0600.
    say("try: curl -H \"Authorization: Bearer $(cat \(keyFile.path))\" http://127.0.0.1:\(publishedPort)/v1/contacts")
    let welcome = ConsoleWelcome(port: publishedPort, key: adminKey, data: data)
    for line in (try? waitFor { await welcome.prepare() }) ?? [] { say(line) }
}
// Started by a test run or another supervisor that dies: stop the services too.
let parentWatch = ParentWatch.start(queue: .global()) { _ in
    say("the process that started switchboard is gone")
    stopAll()
}
withExtendedLifetime((signalSources, parentWatch, renewal)) { dispatchMain() }
