import Foundation
import TestSupport

/// The real executables behind a gateway, with telephony replicas a test may stop
/// (SIGSTOP) for a while; `stop` wakes and ends them all.
struct ReplicatedSystem {
    let processes: [ServiceProcess]
    let replicas: [ServiceProcess]
    let gateway: ServiceProcess

    func request(_ method: String, _ path: String, key: String = adminKey, body: String? = nil) async throws -> HTTPExchange {
        try await httpRequest(port: gateway.port, method, path, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"], body: body)
    }

    func stop() async throws {
        for p in [gateway] + replicas + processes {
            p.signal(SIGCONT)
            p.signal(SIGTERM)
            _ = try await p.waitForExit()
        }
    }
}
