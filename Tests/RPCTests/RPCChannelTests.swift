import Contracts
import RPC
import Testing
import Wire

@Suite struct RPCChannelTests {
    /// Each replica answers with its own name, so the test sees who served a key.
    func replica(_ name: String) throws -> (RPCServer, Endpoint) {
        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.log = { _, _ in }
        let server = RPCServer(configuration: configuration)
        server.register(Echo.echo) { request, _ in EchoMessage(id: request.id, text: name) }
        try server.start()
        return (server, Endpoint(host: "127.0.0.1", port: server.port, name: name))
    }

    @Test func rendezvousSendsEachKeyToItsOwnerAndADownReplicaOnlyLosesItsKeys() async throws {
        let (s0, e0) = try replica("telephony-0")
        let (s1, e1) = try replica("telephony-1")
        var configuration = RPCClient.Configuration()
        configuration.retry = .none
        configuration.backoff = ConnectionBackoff(initial: .milliseconds(20), maximum: .milliseconds(50))
        let channel = RPCChannel(endpoints: [e0, e1], balancing: .rendezvous, configuration: configuration)
        let keys = (0..<40).map { "+7900555\($0)" }
        var owners: [String: String] = [:]
        for key in keys {
            let reply = try await channel.call(Echo.echo, EchoMessage(id: 1, text: ""), key: key)
            let expected = [e0, e1][RendezvousHash.pick(key: key, names: [e0.name, e1.name])!].name
            #expect(reply.text == expected)
            owners[key] = reply.text
        }
        #expect(Set(owners.values).count == 2)

        await s1.shutdown(gracePeriod: .milliseconds(100))
        for key in keys {
            if owners[key] == "telephony-0" {
                #expect(try await channel.call(Echo.echo, EchoMessage(), key: key).text == "telephony-0")
            } else {
                // Never silently served by the other replica.
                let error = await #expect(throws: RPCError.self) {
                    try await channel.call(Echo.echo, EchoMessage(), key: key)
                }
                #expect(error?.code == .unavailable)
            }
        }
        channel.shutdown()
        await s0.shutdown()
    }

    @Test func roundRobinSpreadsCallsOverEveryEndpoint() async throws {
        let replicas = try (0..<3).map { try replica("contacts-\($0)") }
        let channel = RPCChannel(endpoints: replicas.map(\.1), balancing: .roundRobin)
        var served: [String: Int] = [:]
        for i in 0..<30 {
            served[try await channel.call(Echo.echo, EchoMessage(id: Int64(i), text: "")).text, default: 0] += 1
        }
        #expect(served == ["contacts-0": 10, "contacts-1": 10, "contacts-2": 10])
        channel.shutdown()
        for (server, _) in replicas { await server.shutdown() }
    }
}
