import RPC
import Sockets

/// Counts every call by method and status and records its duration (the admin port's
/// /metrics).
public struct MetricsInterceptor: ServerInterceptor {
    let metrics: Metrics

    public init(metrics: Metrics) {
        self.metrics = metrics
    }

    public func intercept(
        _ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome {
        let started = MonotonicInstant.now()
        let outcome = await next(context)
        metrics.recordCall(method: context.method, code: outcome.code, duration: started.duration(until: .now()))
        return outcome
    }
}
