import Foundation
import Sockets

/// `switchboard-bench gateway`, against the real executables (build -c release): GET
/// /v1/contacts/{id} with an admin key, 64 keep-alive connections, the whole stack (HTTP
/// → gateway → mutual-TLS RPC → contacts → SQLite) — issue 30's "gateway GET contact"
/// (target ≥ 40k/s), measured by the bench's own load generator on the same cores (wrk,
/// as the README shows, loads the machine less and measures more).
enum GatewayBench {
    static func run(options: BenchOptions) async throws -> [BenchResult] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = "bench-key-0123456789abcdef"
        let (contacts, gateway) = try contactsBehindGateway(folder: folder, key: key)
        defer { for process in [gateway, contacts] { process.stop() } }
        let body = #"{"firstName":"Anna","phones":["+79001112233"],"emails":["anna@example.com"]}"#
        guard let made = HTTPLoad.fetch(port: gateway.port, "POST /v1/contacts HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"), made.status == 201,
            let range = made.body.range(of: "\"id\":"), let id = Int(made.body[range.upperBound...].prefix { $0.isNumber })
        else { throw BenchError("the gateway did not create the contact") }
        let request = Array("GET /v1/contacts/\(id) HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer \(key)\r\n\r\n".utf8)
        return [HTTPLoad.run(
            scenario: "gateway.get_contact", port: gateway.port, connections: 64, warmUp: options.warmUp, duration: options.duration,
            request: { _ in request }, accept: { $0 == 200 })]
    }

    /// Contacts and a gateway in front of it (deals' calls go to contacts too, unanswered),
    /// `key` an admin key and no rate limit to speak of.
    static func contactsBehindGateway(folder: URL, key: String) throws -> (contacts: BenchProcess, gateway: BenchProcess) {
        let contacts = try BenchProcess(
            "switchboard-contacts", ["CONTACTS_PORT": "0", "CONTACTS_ADMIN_PORT": "0", "CONTACTS_DATA_DIR": folder.appendingPathComponent("contacts").path])
        let gateway = try BenchProcess(
            "switchboard-gateway",
            ["GATEWAY_PORT": "0", "GATEWAY_DATA_DIR": folder.appendingPathComponent("gateway").path,
             "GATEWAY_SERVICES": "contacts=127.0.0.1:\(contacts.port),deals=127.0.0.1:\(contacts.port)",
             "GATEWAY_API_KEYS": "\(key)=admin", "GATEWAY_RATE_LIMIT": "1000000", "GATEWAY_RATE_BURST": "1000000"])
        return (contacts, gateway)
    }
}
