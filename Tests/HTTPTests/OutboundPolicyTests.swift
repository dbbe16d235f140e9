import HTTP
import Sockets
import Testing
import TestSupport

/// Issue 21 item 8: one outbound policy for every URL the system calls. Inward ranges are
/// refused in every spelling a resolver accepts, unless an operator allows them; the
/// client checks the address it connects to, after DNS.
@Suite struct OutboundPolicyTests {
    let strict = OutboundPolicy()

    @Test func n1InwardAddressesAreRefusedInEverySpelling() {
        for host in [
            "169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "0xa9.0xfe.0xa9.0xfe",
            "[::ffff:a9fe:a9fe]", "::ffff:169.254.169.254", "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::1]", "[fe80::1]",
            "127.0.0.1", "127.1", "0", "0.0.0.0", "[::]", "[::1]", "localhost", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1",
            "[fd00::1]", "224.0.0.1", "255.255.255.255",
        ] {
            #expect(strict.refusal(host: host) != nil, "\(host) should be refused")
        }
        for host in ["93.184.216.34", "8.8.8.8", "[2606:4700:4700::1111]", "172.32.0.1", "192.169.0.1"] {
            #expect(strict.refusal(host: host) == nil, "\(host) is public")
        }
        #expect(strict.refusal(host: "2852039166")?.contains("link-local") == true)
    }

    @Test func n1SavingNeverWaitsForDNSConnectingResolves() async {
        // A name is judged when connected to: saving a URL must not wait on a resolver
        // (with no network, getaddrinfo took the request's whole budget: a 504 in CI).
        #expect(strict.refusal(host: "api.telegram.org") == nil && strict.refusal(host: "crm.localhost") != nil)
        #expect(await strict.refusalResolving(host: "localhost")?.contains("loopback") == true)
        #expect(await strict.refusalResolving(host: "8.8.8.8") == nil)
    }

    @Test func n1AnOperatorAllowsARangeExplicitly() throws {
        let local = try OutboundPolicy(allowing: "loopback, 10.1.0.0/16")
        #expect(local.refusal(host: "127.0.0.1") == nil && local.refusal(host: "[::1]") == nil && local.refusal(host: "10.1.200.3") == nil)
        #expect(local.refusal(host: "10.2.0.1") != nil && local.refusal(host: "169.254.169.254") != nil)
        #expect(try OutboundPolicy(allowing: "private").refusal(host: "192.168.0.10") == nil)
        #expect(throws: SocketError.self) { try OutboundPolicy(allowing: "10.0.0.0/40") }
        #expect(throws: SocketError.self) { try OutboundPolicy(allowing: "intranet") }
    }

    @Test func n1TheClientChecksTheAddressItConnectsTo() async throws {
        var serverConfiguration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        // Under a loaded machine a client may connect and write seconds later; the server's
        // 3 s first-byte limit is not what this test is about.
        serverConfiguration.firstByteTimeout = .seconds(15)
        let server = HTTPServer(configuration: serverConfiguration) { _ in HTTPResponse(status: 200, contentType: "text/plain", body: "ok") }
        try server.start()
        defer { server.shutdown() }
        var configuration = HTTPClient.Configuration()
        configuration.outbound = OutboundPolicy()
        // A name that resolves to loopback is refused at connect time like the literal.
        for host in ["localhost", "127.0.0.1"] {
            guard case let .failure(refused) = await HTTPClient(configuration: configuration).send("GET", host: host, port: server.port, target: "/", timeout: .seconds(2)) else {
                Issue.record("\(host) was reached"); continue
            }
            #expect(refused.message.contains("loopback"), "\(refused.message)")
        }
        configuration.outbound = try OutboundPolicy(allowing: "loopback")
        // A bound, not a wait: the whole suite's processes share two cores.
        #expect(try await HTTPClient(configuration: configuration).send("GET", host: "localhost", port: server.port, target: "/", timeout: .seconds(15)).get().status == 200)
    }
}
