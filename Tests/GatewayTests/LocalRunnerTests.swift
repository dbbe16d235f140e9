import Foundation
import Testing
import TestSupport

@Suite struct LocalRunnerTests {
    @Test func switchboardUpRunsEverythingAndStopsCleanly() async throws {
        let folder = try temporaryFolder("switchboard-up")
        let gatewayPort = try freePort()
        let contactsPort = try freePort()
        let dealsPort = try freePort()
        let runner = try await ServiceProcess(
            executable: "switchboard",
            arguments: ["up", "--data", folder.path, "--port", "\(gatewayPort)", "--contacts-port", "\(contactsPort)", "--deals-port", "\(dealsPort)"])
        #expect(try await eventually(within: .seconds(30)) { runner.printed.contains("[switchboard] ready:") })
        let keyFile = folder.appendingPathComponent("admin.key")
        let key = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Issue 9 item 3: the key is named by its file, never printed.
        #expect(runner.printed.contains("$(cat \(keyFile.path))"))
        let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        let first = try httpRequest(port: gatewayPort, "POST", "/v1/contacts", headers: headers, body: #"{"phones":["+79001234567"]}"#)
        let second = try httpRequest(port: gatewayPort, "POST", "/v1/contacts", headers: headers, body: #"{"phones":["8 900 123 45 67"]}"#)
        #expect(first.status == 201 && second.status == 200)
        let lead = try httpRequest(port: gatewayPort, "POST", "/v1/leads", headers: headers, body: #"{"channel":"web","phone":"+79001234567"}"#)
        #expect(lead.status == 201)
        #expect(try httpRequest(port: gatewayPort, "GET", "/readyz").status == 200)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("contacts/contacts.sqlite").path))
        runner.signal(SIGINT)
        #expect(try await runner.waitForExit() == 0)
        #expect(try await eventually { runner.printed.contains("[switchboard] stopped") })
        #expect((try? httpRequest(port: gatewayPort, "GET", "/healthz")) == nil)
        #expect(!runner.printed.contains(key) && !runner.logged.contains(key))
    }
}
