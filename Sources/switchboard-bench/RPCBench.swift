import Contracts
import RPC
import Sockets

/// `switchboard-bench rpc`: the protocol's own cost. An Echo method whose message is
/// an int64 id and a 64-byte string, over loopback: sequential calls on one connection,
/// and 64 calls in flight on one connection.
enum RPCBench {
    static func run(options: BenchOptions) async throws -> [BenchResult] {
        var server: RPCServer?
        let endpoint: Endpoint
        if let target = options.target {
            endpoint = target
        } else {
            // The server gets its own reactor thread, as it would in its own process.
            let s = RPCServer(configuration: .init(host: "127.0.0.1", port: 0), reactor: try Reactor(name: "bench-server"))
            s.register(Echo.echo) { request, _ in request }
            try s.start()
            server = s
            endpoint = Endpoint(host: "127.0.0.1", port: s.port)
        }
        let client = RPCClient(endpoint: endpoint)
        let text = String(repeating: "x", count: 64)
        let call: @Sendable (Int) async -> Bool = { i in
            do {
                let reply = try await client.call(Echo.echo, EchoMessage(id: Int64(i), text: text))
                return reply.id == Int64(i)
            } catch {
                return false
            }
        }
        var results: [BenchResult] = []
        // Callers on the client's reactor, as the gateway's handlers call services.
        for (name, concurrency) in [("rpc.sequential", 1), ("rpc.inflight64", 64)] where options.wants(name) {
            results.append(await LoadRunner.run(
                scenario: name, concurrency: concurrency, warmUp: options.warmUp, duration: options.duration,
                executor: client.reactor, call: call))
        }
        // Callers on Swift's global pool, as an external Swift program would call.
        for (name, concurrency) in [("rpc.sequential.pool", 1), ("rpc.inflight64.pool", 64)] where options.wants(name) {
            results.append(await LoadRunner.run(
                scenario: name, concurrency: concurrency, warmUp: options.warmUp, duration: options.duration, call: call))
        }
        client.shutdown()
        await server?.shutdown(gracePeriod: .seconds(1))
        return results
    }
}
