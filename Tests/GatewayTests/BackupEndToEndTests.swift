import Foundation
import Synchronization
import Testing
import TestSupport

/// P5: `switchboard backup` while the system serves, `switchboard restore` into wiped
/// folders, over the real processes `switchboard up` starts.
@Suite struct BackupEndToEndTests {
    /// One write a client made and had acknowledged: a contact, a web lead or a call, each
    /// with a phone number of its own.
    struct Write: Sendable {
        enum Kind: Sendable { case contact, lead, call }
        let kind: Kind
        let phone: String
        let beforeBackup: Bool
    }

    /// 64 clients on one key: past the gateway's default rate. Two call shards, not 16:
    /// fewer files to create and copy beside the rest of the suite.
    static let unlimited = ["GATEWAY_RATE_LIMIT": "100000", "TELEPHONY_SHARDS": "2", "GATEWAY_TELEPHONY_SHARDS": "2"]

    @Test func P5_aBackupTakenWhile64ClientsWriteRestoresEveryAcknowledgedWriteOnceAndEventsFlowOnce() async throws {
        let folder = try temporaryFolder("backup")
        let data = folder.appendingPathComponent("data"), backup = folder.appendingPathComponent("backup")
        let ports = LocalRunnerPorts()
        var runner = try await ServiceProcess(executable: "switchboard", arguments: ports.arguments(data: data), environment: Self.unlimited)
        #expect(try await eventually(within: .seconds(30)) { runner.printed.contains("[switchboard] ready:") })
        let key = try String(contentsOf: data.appendingPathComponent("admin.key"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]

        // 64 clients write twice each, wait for one another, then write on until the backup is
        // done: what was acknowledged before it began is what the restore must hold.
        let progress = Progress()
        let gate = Gate()
        let writers = Task {
            try await withThrowingTaskGroup(of: [Write].self) { group in
                for client in 0..<64 {
                    group.addTask {
                        var done: [Write] = []
                        var step = 0
                        while step >= 2 ? !progress.stop.load(ordering: .acquiring) : true {
                            if step == 2 {
                                progress.ready.add(1, ordering: .relaxed)
                                await gate.wait()
                            }
                            let phone = "+7916\(String(format: "%03d", client))\(String(format: "%04d", step))"
                            let kind: Write.Kind = [.contact, .lead, .call][step % 3]
                            let body: String
                            let path: String
                            switch kind {
                            case .contact: (path, body) = ("/v1/contacts", #"{"firstName":"Backup","phones":["\#(phone)"]}"#)
                            case .lead: (path, body) = ("/v1/leads", #"{"channel":"web","phone":"\#(phone)"}"#)
                            case .call:
                                path = "/v1/calls"
                                body = #"{"provider":"bk","providerCallId":"\#(phone)","direction":"inbound","clientNumber":"\#(phone)","legs":[{"destination":"201","disposition":"answered","startedAt":"2026-12-01T10:00:00Z","durationSeconds":60,"talkSeconds":50}],"ended":true}"#
                            }
                            let sentBefore = !progress.backupBegun.load(ordering: .acquiring)
                            let answer = try await httpRequest(port: ports.gateway, "POST", path, headers: headers, body: body)
                            step += 1
                            // A 503 (a replica still connecting) is a write not acknowledged.
                            guard answer.status == 201 || answer.status == 200 else {
                                if answer.status != 503 { throw TestFailure("\(path): \(answer.status) \(answer.body)") }
                                continue
                            }
                            // Acknowledged before the backup began only if it was also sent before.
                            done.append(Write(kind: kind, phone: phone, beforeBackup: sentBefore && !progress.backupBegun.load(ordering: .acquiring)))
                            progress.acknowledged.add(1, ordering: .relaxed)
                        }
                        return done
                    }
                }
                var all: [Write] = []
                for try await done in group { all += done }
                return all
            }
        }
        #expect(try await eventually(within: .seconds(60)) { progress.ready.load(ordering: .relaxed) == 64 }, "\(runner.printed.suffix(2000)) \(runner.logged.suffix(3000))")
        // Every client writing again when the backup begins.
        let released = progress.acknowledged.load(ordering: .relaxed)
        await gate.release()
        #expect(try await eventually(within: .seconds(30)) { progress.acknowledged.load(ordering: .relaxed) >= released + 64 })
        progress.backupBegun.store(true, ordering: .releasing)
        let printed = folder.appendingPathComponent("backup.out").path
        let backing = try ChildProcess(
            path: ServiceProcess.executable(named: "switchboard").path, arguments: ["backup", "--data", data.path, backup.path],
            environment: ProcessInfo.processInfo.environment, output: printed, errorOutput: printed)
        let atStart = progress.acknowledged.load(ordering: .relaxed)
        let backedUp = try await backing.waitForExit(within: .seconds(60))
        // Writes in flight as it ran are answered (each client stops after its current one).
        #expect(try await eventually(within: .seconds(20)) { progress.acknowledged.load(ordering: .relaxed) > atStart }, "clients wrote on while it ran")
        progress.stop.store(true, ordering: .releasing)
        let writes = try await writers.value
        #expect(backedUp == 0, "\((try? String(contentsOfFile: printed, encoding: .utf8)) ?? "")")
        let verifying = try ChildProcess(
            path: ServiceProcess.executable(named: "switchboard").path, arguments: ["backup", "--verify", backup.path],
            environment: ProcessInfo.processInfo.environment, output: printed, errorOutput: printed)
        #expect(try await verifying.waitForExit(within: .seconds(60)) == 0)

        // kill -9 everything, the data gone, the backup laid back.
        let children = Self.children(of: runner.process.pid)
        for pid in children { kill(pid, SIGKILL) }
        runner.signal(SIGKILL)
        _ = try await runner.waitForExit()
        #expect(try await eventually { children.allSatisfy { kill($0, 0) != 0 } })
        try FileManager.default.removeItem(at: data)
        let restoring = try ChildProcess(
            path: ServiceProcess.executable(named: "switchboard").path, arguments: ["restore", "--data", data.path, backup.path],
            environment: ProcessInfo.processInfo.environment, output: printed, errorOutput: printed)
        #expect(try await restoring.waitForExit(within: .seconds(60)) == 0, "\((try? String(contentsOfFile: printed, encoding: .utf8)) ?? "")")
        runner = try await ServiceProcess(executable: "switchboard", arguments: ports.arguments(data: data), environment: Self.unlimited)
        #expect(try await eventually(within: .seconds(30)) { runner.printed.contains("[switchboard] ready:") })

        // Every write acknowledged before the backup began is there once; a lead's deal and
        // a call's deal (telephony's event to deals) exist once, the events behind the
        // backup's copies sent again and applied once.
        let before = writes.filter(\.beforeBackup)
        #expect(before.count >= 96 && before.count < writes.count)
        func contacts(_ phone: String) async throws -> [[String: Any]] {
            let answer = try await httpRequest(port: ports.gateway, "GET", "/v1/contacts?phone=\(phone.replacingOccurrences(of: "+", with: "%2B"))", headers: headers)
            return answer.json["items"] as? [[String: Any]] ?? []
        }
        func deals(_ phone: String) async throws -> Int? {
            let found = try await contacts(phone)
            guard found.count == 1, let id = found[0]["id"] as? Int else { return nil }
            let answer = try await httpRequest(port: ports.gateway, "GET", "/v1/deals?contactId=\(id)", headers: headers)
            return (answer.json["items"] as? [Any])?.count
        }
        var missing: [String] = []
        for write in before {
            switch write.kind {
            case .contact: if try await contacts(write.phone).count != 1 { missing.append("contact \(write.phone)") }
            case .lead, .call: if try await deals(write.phone) != 1 { missing.append("\(write.kind) \(write.phone)") }
            }
        }
        // A call's deal may still be on its way from telephony: wait for those, bounded.
        let late = missing
        if !late.isEmpty {
            _ = try await eventuallyAsync(within: .seconds(20)) {
                missing = []
                for label in late { if try await deals(String(label.split(separator: " ")[1])) != 1 { missing.append(label) } }
                return missing.isEmpty
            }
        }
        #expect(missing.isEmpty, "\(missing.count) of \(before.count) writes not there exactly once: \(missing.prefix(10)) in \(folder.path)")

        // New writes after the restore flow once: a call reaches deals as one deal.
        let fresh = "+79170000001"
        let call = #"{"provider":"bk","providerCallId":"after","direction":"inbound","clientNumber":"\#(fresh)","legs":[{"destination":"201","disposition":"answered","startedAt":"2026-12-01T11:00:00Z","durationSeconds":30,"talkSeconds":20}],"ended":true}"#
        #expect(try await httpRequest(port: ports.gateway, "POST", "/v1/calls", headers: headers, body: call).status == 201)
        let freshFlowed = try await eventuallyAsync(within: .seconds(20)) { try await deals(fresh) == 1 }
        let freshContacts = try await contacts(fresh), freshDeals = try await deals(fresh)
        #expect(freshFlowed, "contacts \(freshContacts) deals \(String(describing: freshDeals)) in \(folder.path)")
        runner.signal(SIGINT)
        #expect(try await runner.waitForExit() == 0)

        // A restore never lays a backup over live files; a damaged backup is refused.
        let again = try ChildProcess(
            path: ServiceProcess.executable(named: "switchboard").path, arguments: ["restore", "--data", data.path, backup.path],
            environment: ProcessInfo.processInfo.environment, output: printed, errorOutput: printed)
        #expect(try await again.waitForExit(within: .seconds(60)) == 1)
        let damaged = try FileHandle(forWritingTo: backup.appendingPathComponent("deals/deals.sqlite"))
        try damaged.seek(toOffset: 8192)
        try damaged.write(contentsOf: Data(repeating: 0xA5, count: 16))
        try damaged.close()
        let checking = try ChildProcess(
            path: ServiceProcess.executable(named: "switchboard").path, arguments: ["backup", "--verify", backup.path],
            environment: ProcessInfo.processInfo.environment, output: printed, errorOutput: printed)
        #expect(try await checking.waitForExit(within: .seconds(60)) == 1)
        #expect(try await eventually { ((try? String(contentsOfFile: printed, encoding: .utf8)) ?? "").contains("deals/deals.sqlite does not match its SHA-256") })
    }

    /// What the writers and the test share.
    final class Progress: Sendable {
        /// Clients whose first writes are done.
        let ready = Atomic<Int>(0)
        let backupBegun = Atomic<Bool>(false)
        let stop = Atomic<Bool>(false)
        let acknowledged = Atomic<Int>(0)
    }

    /// Where the clients wait for the backup to start.
    actor Gate {
        private var opened = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func wait() async {
            guard !opened else { return }
            await withCheckedContinuation { waiting.append($0) }
        }

        func release() {
            opened = true
            for continuation in waiting { continuation.resume() }
            waiting = []
        }
    }

    /// The processes `pid` started (its children in /proc).
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let child = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { return nil }
            // Field 4 is the parent's pid; the name (field 2) may hold spaces, so count after ')'.
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }
}
