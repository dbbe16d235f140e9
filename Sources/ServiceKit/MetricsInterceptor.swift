import RPC

/// Counts every call by method and status and records its duration (the admin port's
/// /metrics).
public struct MetricsInterceptor: ServerInterceptor {
    let metrics: Metrics

    public init(metrics: Metrics) {
        self.metrics = metrics
    }

    public func callFinished(_ call: RPCServer.CallRecord) {
        metrics.recordCall(method: call.method, code: call.code, duration: call.duration)
    }
}
