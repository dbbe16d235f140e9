import RPC
import Storage

/// Hands the served call's span to the database (P5): the events its writes publish carry
/// it as their `traceparent`, so a subscriber's work joins the caller's trace. Runs after
/// ``CallPropagation``, which made the span.
public struct TraceScope: ServerInterceptor {
    public init() {}

    public func intercept(
        _ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome {
        guard let trace = CallPropagation.inherited?.trace else { return await next(context) }
        return await Database.$trace.withValue(trace.header) { await next(context) }
    }
}
