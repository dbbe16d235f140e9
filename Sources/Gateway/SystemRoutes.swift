import HTTP
import RPC

/// The gateway's own routes: probes, metrics and the API's description.
enum SystemRoutes {
    static let all: [Route] = [
        Route(
            method: "GET", path: "/healthz", operationID: "liveness", access: .open, summary: "Liveness: the gateway answers",
            answers: [Route.Answer(status: 200, description: "alive", content: .text)]
        ) { _ in
            HTTPResponse(status: 200, contentType: "text/plain", body: "ok\n")
        },
        Route(
            method: "GET", path: "/readyz", operationID: "readiness", access: .open,
            summary: "Readiness: every service the gateway routes to answers Health as serving",
            answers: [Route.Answer(status: 200, description: "ready", content: .text), Route.Answer(status: 503, description: "a service is not serving", content: .text)]
        ) { ctx in
            await ctx.api.readiness()
        },
        Route(
            method: "GET", path: "/metrics", operationID: "metrics", access: .role(.admin),
            summary: "Prometheus metrics; needs an admin key unless GATEWAY_METRICS_AUTH=none",
            answers: [Route.Answer(status: 200, description: "Prometheus text", content: .text)]
        ) { ctx in
            HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4", body: ctx.api.counters.render() + (await ctx.api.webhooks?.renderMetrics() ?? ""))
        },
        Route(
            method: "GET", path: "/v1/openapi.json", operationID: "openAPIDocument", access: .open, summary: "This document",
            answers: [Route.Answer(status: 200, description: "OpenAPI 3.1", content: .document)]
        ) { _ in
            Reply.json(200, OpenAPIDocument.served)
        },
    ]
}

extension GatewayAPI {
    func readiness() async -> HTTPResponse {
        let options = CallOptions(timeout: .seconds(1), retry: RetryPolicy.none)
        var down: [String] = []
        await withTaskGroup(of: (String, Bool).self) { group in
            for (id, client) in services.services {
                group.addTask { (id, (try? await client.call(Health.check, HealthCheckRequest(), options: options).status) == .serving) }
            }
            for await (id, serving) in group where !serving { down.append(ServiceBinding.all.first { $0.id == id }?.name ?? id) }
        }
        return down.isEmpty
            ? HTTPResponse(status: 200, contentType: "text/plain", body: "ready\n")
            : HTTPResponse(
                status: 503, headers: [("Retry-After", "1"), ("Content-Type", "text/plain")],
                body: Array("not serving: \(down.sorted().joined(separator: ", "))\n".utf8))
    }
}
