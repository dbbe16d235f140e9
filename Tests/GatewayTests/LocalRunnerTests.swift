import Foundation
import Testing
import TestSupport

@Suite struct LocalRunnerTests {
    @Test func switchboardUpRunsEverythingAndStopsCleanly() async throws {
        let folder = try temporaryFolder("switchboard-up")
        let ports = LocalRunnerPorts()
        let gatewayPort = ports.gateway
        let runner = try await ServiceProcess(executable: "switchboard", arguments: ports.arguments(data: folder))
        #expect(try await eventually(within: .seconds(30)) { runner.printed.contains("[switchboard] ready:") })
        let keyFile = folder.appendingPathComponent("admin.key")
        let key = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Issue 9 item 3: the key is named by its file, never printed.
        #expect(runner.printed.contains("$(cat \(keyFile.path))"))
        let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        let first = try await httpRequest(port: gatewayPort, "POST", "/v1/contacts", headers: headers, body: #"{"phones":["+79001234567"]}"#)
        let second = try await httpRequest(port: gatewayPort, "POST", "/v1/contacts", headers: headers, body: #"{"phones":["8 900 123 45 67"]}"#)
        #expect(first.status == 201 && second.status == 200)
        let lead = try await httpRequest(port: gatewayPort, "POST", "/v1/leads", headers: headers, body: #"{"channel":"web","phone":"+79001234567"}"#)
        #expect(lead.status == 201)
        // Telephony behind the gateway, its calls reaching deals (T3). (One replica: the second
        // would listen on a port no test reserved.)
        let call = #"{"provider":"up","providerCallId":"u1","direction":"inbound","clientNumber":"+79005550011","legs":[{"destination":"201","disposition":"answered","startedAt":"2026-12-01T10:00:00Z","durationSeconds":60,"talkSeconds":50}],"ended":true}"#
        #expect(try await httpRequest(port: gatewayPort, "POST", "/v1/calls", headers: headers, body: call).status == 201)
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            ((try? await httpRequest(port: gatewayPort, "GET", "/v1/deals?limit=10", headers: headers))?.json["items"] as? [Any])?.count == 2
        })
        // Both leads reach the dialing queue (T10: deals -> telephony): the web one is a known client with no open deal, not a duplicate.
        let fresh = #"{"channel":"partner","partner":"leadgen","externalId":"up-1","phone":"+79005550022"}"#
        #expect(try await httpRequest(port: gatewayPort, "POST", "/v1/leads", headers: headers, body: fresh).status == 201)
        #expect(try await eventuallyAsync(within: .seconds(20)) {
            ((try? await httpRequest(port: gatewayPort, "GET", "/v1/dialer/queue", headers: headers))?.json["items"] as? [[String: Any]])?.first?["ready"] as? Int == 2
        }, "switchboard up wires lead.accepted to telephony")
        // Scheduling behind the gateway: a resource to book.
        let resource = #"{"name":"Ivan","kind":"engineer","timeZone":"Europe/Moscow","hours":[{"weekday":1,"fromMinute":540,"toMinute":1080}]}"#
        #expect(try await httpRequest(port: gatewayPort, "POST", "/v1/resources", headers: headers, body: resource).status == 201)
        #expect(try await httpRequest(port: gatewayPort, "GET", "/readyz").status == 200)
        // G7: `switchboard import` sends a spreadsheet with the key `up` keeps, follows it and says what it did.
        let sheet = folder.appendingPathComponent("people.csv")
        try Data("externalId,firstName,phones,tags\r\nx1,Олег,+7 900 123 45 67,excel\r\nx2,Bad,12,\r\nx3,Нина,+7 900 765 43 21,\r\n".utf8).write(to: sheet)
        let printed = folder.appendingPathComponent("import.out").path
        let importing = try ChildProcess(
            path: ServiceProcess.executable(named: "switchboard").path,
            arguments: ["import", sheet.path, "--source", "excel", "--kind", "contact", "--data", folder.path, "--gateway", "127.0.0.1:\(gatewayPort)"],
            environment: ProcessInfo.processInfo.environment, output: printed, errorOutput: printed)
        #expect(try await importing.waitForExit(within: .seconds(30)) == 1, "a refused row: exit 1")
        let said = (try? String(contentsOfFile: printed, encoding: .utf8)) ?? ""
        #expect(said.contains("done: rowsRead 3, created 1, updated 0, matched 1, refused 1") && said.contains("line 3 contact.phones[0]:"), "\(said)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("contacts/contacts.sqlite").path))
        runner.signal(SIGINT)
        #expect(try await runner.waitForExit() == 0)
        #expect(try await eventually { runner.printed.contains("[switchboard] stopped") })
        #expect((try? await httpRequest(port: gatewayPort, "GET", "/healthz")) == nil)
        #expect(!runner.printed.contains(key) && !runner.logged.contains(key))
    }
}
