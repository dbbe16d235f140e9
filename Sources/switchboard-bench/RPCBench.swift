import Contracts
import RPC
import Sockets

/// `switchboard-bench rpc`: the protocol's own cost. An Echo method whose message is
/// an int64 id and a 64-byte string, over loopback: sequential calls on one connection,
/// and 64 calls in flight on one connection; in plaintext (`rpc.*`) and under mutual TLS
/// (`rpc.tls.*`, the way services talk) in the same run, so the two compare.
enum RPCBench {
    static func run(options: BenchOptions) async throws -> [BenchResult] {
        // Issue 30 item 4: the machine's limits first, on the same machine, just before.
        let limits = try MachineLimits.current()
        var results: [BenchResult] = []
        for secured in [false, true] {
            let prefix = secured ? "rpc.tls" : "rpc"
            let scenarios = ["sequential", "inflight64", "sequential.pool", "inflight64.pool"].map { "\(prefix).\($0)" }
            guard scenarios.contains(where: options.wants) else { continue }
            var server: RPCServer?
            let client: RPCClient
            if let target = options.target {
                guard !secured else { continue }
                client = RPCClient(endpoint: target)
            } else {
                // The server gets its own reactor thread, as it would in its own process.
                var configuration = RPCServer.Configuration(host: "127.0.0.1", port: 0)
                if secured { configuration.security = try BenchPKI.server("echo") }
                let s = RPCServer(configuration: configuration, reactor: try Reactor(name: "bench-server"))
                s.register(Echo.echo) { request, _ in request }
                try s.start()
                server = s
                client = secured ? BenchPKI.client("echo", port: s.port) : RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: s.port))
            }
            results += await measure(client, prefix: prefix, options: options).map { result in
                var result = result
                if result.scenario.hasSuffix(".sequential") {
                    MachineLimits.ratio(&result, to: limits.pingPongPerSecond, named: "c_pingpong")
                    result.figures.append(("p50_ratio_x100", Int((100 * result.percentileMicroseconds(0.5) / max(0.001, limits.pingPongP50Microseconds)).rounded())))
                } else if result.scenario.hasSuffix(".inflight64") {
                    MachineLimits.ratio(&result, to: limits.pipelinedPerSecond, named: "c_pipelined64")
                }
                return result
            }
            client.shutdown()
            await server?.shutdown(gracePeriod: .seconds(1))
        }
        return results
    }

    private static func measure(_ client: RPCClient, prefix: String, options: BenchOptions) async -> [BenchResult] {
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
        for (name, concurrency) in [("\(prefix).sequential", 1), ("\(prefix).inflight64", 64)] where options.wants(name) {
            results.append(await LoadRunner.run(
                scenario: name, concurrency: concurrency, warmUp: options.warmUp, duration: options.duration,
                executor: client.reactor, call: call))
        }
        // Callers on Swift's global pool, as an external Swift program would call.
        for (name, concurrency) in [("\(prefix).sequential.pool", 1), ("\(prefix).inflight64.pool", 64)] where options.wants(name) {
            results.append(await LoadRunner.run(
                scenario: name, concurrency: concurrency, warmUp: options.warmUp, duration: options.duration, call: call))
        }
        return results
    }
}
