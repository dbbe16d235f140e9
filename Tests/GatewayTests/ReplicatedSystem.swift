import Foundation
import TestSupport

/// The services behind a gateway with two telephony replicas, hosted in the test's
/// process, or as real processes for a test that stops a replica (SIGSTOP) for a while or
/// holds a timing budget across them; `stop` wakes and ends them all.
struct ReplicatedSystem {
    let processes: [Hosted]
    /// Real processes when the system was started with `processes: true`
    /// (`replicas[1].process.suspend()`).
    let replicas: [Hosted]
    let gateway: Hosted

    func request(_ method: String, _ path: String, key: String = adminKey, body: String? = nil) async throws -> HTTPExchange {
        try await httpRequest(port: gateway.port, method, path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"], body: body)
    }

    func stop() async throws {
        for p in [gateway] + replicas + processes { try await p.stop() }
    }
}
