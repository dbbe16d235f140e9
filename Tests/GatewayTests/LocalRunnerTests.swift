import Foundation
import Testing
import TestSupport

/// A port nothing listens on right now, picked below Linux's ephemeral range (32768+)
/// so that no other test's port-0 listener or outgoing connection is handed it meanwhile.
func freePort() throws -> Int {
    for _ in 0..<100 {
        let port = Int.random(in: 20_000..<32_000)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if bound { return port }
    }
    throw TestFailure("no free port below 32000")
}

@Suite struct LocalRunnerTests {
    @Test func switchboardUpRunsEverythingAndStopsCleanly() async throws {
        let folder = try temporaryFolder("switchboard-up")
        let gatewayPort = try freePort()
        let contactsPort = try freePort()
        let runner = try await ServiceProcess(
            executable: "switchboard",
            arguments: ["up", "--data", folder.path, "--port", "\(gatewayPort)", "--contacts-port", "\(contactsPort)"])
        #expect(try await eventually(within: .seconds(30)) { runner.printed.contains("[switchboard] ready:") })
        let keyFile = folder.appendingPathComponent("admin.key")
        let key = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await eventually { runner.printed.contains(key) })
        let headers = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        let first = try httpRequest(port: gatewayPort, "POST", "/v1/contacts", headers: headers, body: #"{"phones":["+79001234567"]}"#)
        let second = try httpRequest(port: gatewayPort, "POST", "/v1/contacts", headers: headers, body: #"{"phones":["8 900 123 45 67"]}"#)
        #expect(first.status == 201 && second.status == 200)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("contacts/contacts.sqlite").path))
        runner.signal(SIGINT)
        #expect(try await runner.waitForExit() == 0)
        #expect(try await eventually { runner.printed.contains("[switchboard] stopped") })
        #expect((try? httpRequest(port: gatewayPort, "GET", "/healthz")) == nil)
    }
}
