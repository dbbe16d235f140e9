import Digest
import Sockets
import Foundation

/// G2 through the real executables: Timepad ticket hooks, each signed and stored
/// durably by the gateway before its 200 (`hooks.intake`, 64 connections), and how fast
/// the gateway's relay hands the stored hooks to contacts, which records each attendee
/// (`hooks.relay`: hooks delivered per second from the start of the load until the
/// backlog is empty).
enum HooksBench {
    static func run(options: BenchOptions) async throws -> [BenchResult] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hooks-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = "bench-key-0123456789abcdef"
        let secret = "bench-timepad-secret"
        let (contacts, gateway) = try GatewayBench.contactsBehindGateway(folder: folder, key: key)
        defer { for process in [gateway, contacts] { process.stop() } }
        let create = #"{"name":"timepad-bench","kind":"timepad","secret":"\#(secret)"}"#
        guard let made = HTTPLoad.fetch(port: gateway.port, "POST /v1/admin/integrations HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(create.utf8.count)\r\nConnection: close\r\n\r\n\(create)"), made.status == 201 else {
            throw BenchError("the gateway did not make the integration")
        }
        let run = UInt64.random(in: 0..<1_000_000)
        let keyBytes = Array(secret.utf8)
        let started = MonotonicInstant.now()
        let intake = HTTPLoad.run(
            scenario: "hooks.intake", port: gateway.port, connections: 64, warmUp: options.warmUp, duration: options.duration,
            request: { i in
                // A new ticket (and person) each time, as a busy event's check-in desk sends them.
                let n = run * 100_000_000 + UInt64(i)
                let body = #"{"id":"\#(n):T","event_id":4242,"order_id":\#(n),"status_raw":"paid","email":"p\#(n)@example.com","surname":"Bench","name":"N\#(n)","attended":true,"code":"T","event_name":"Bench night","hook_resend":0}"#
                let mac = HMAC.authenticationCode(.sha1, key: keyBytes, message: Array(body.utf8))
                var hex = ""
                for byte in mac { hex += String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }
                return Array("POST /v1/hooks/timepad-bench HTTP/1.1\r\nHost: bench\r\nX-Hub-Signature: sha1=\(hex)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            },
            accept: { $0 == 200 })
        // The relay's figures from /metrics until nothing is pending (bounded).
        let figures = try await HTTPLoad.awaitHooksRelayed(port: gateway.port, key: key, until: MonotonicInstant.now() + .seconds(300))
        let delivered = figures[#"switchboard_hook_deliveries_total{outcome="delivered"}"#] ?? 0
        let pending = figures[#"switchboard_hooks_stored{status="pending"}"#] ?? -1
        let seconds = Double(MonotonicInstant.now().nanoseconds - started.nanoseconds) / 1e9
        FileHandle.standardError.write(Data("hooks: \(intake.calls) stored in the measured window, \(delivered) delivered to contacts in \(String(format: "%.1f", seconds)) s; \(max(pending, 0)) still pending\n".utf8))
        let relay = BenchResult(scenario: "hooks.relay", calls: delivered, seconds: seconds, latenciesNanoseconds: [], errors: max(pending, 0))
        return [intake, relay]
    }
}
