import FoundationEssentials
import Glibc
import RPC
import Sockets
import Wire

/// Logs every failed call with the caller's request id, so one request can be followed
/// across every service's log. Successes are only counted (a line each would cost more
/// than the call), unless the call's trace is sampled: then each call is a span (P5).
public struct CallLogInterceptor: ServerInterceptor {
    let logger: Logger
    let spans: SpanRecorder?

    public init(logger: Logger, spans: SpanRecorder? = nil) {
        self.logger = logger
        self.spans = spans
    }

    public func intercept(
        _ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome {
        let started = MonotonicInstant.now()
        let startedAt = Date()
        let outcome = await next(context)
        let code = outcome.code
        if let spans, let inherited = CallPropagation.inherited, let trace = inherited.trace, trace.sampled {
            spans.record(Span(
                name: context.method, kind: .server, trace: trace, parentSpanID: inherited.parentSpanID, start: startedAt, end: Date(),
                failed: code != .ok, attributes: ["rpc.method": context.method, "rpc.code": code.name, "request_id": inherited.requestID ?? ""]))
        }
        guard code != .ok else { return outcome }
        let level: Logger.Level = code == .internal || code == .unavailable ? .error : .warn
        logger.log(level, "call failed", [
            "method": context.method, "code": code.name, "duration_us": "\(started.duration(until: .now()).microsecondsClamped)",
            "request_id": context.metadata[Metadata.Key.requestID] ?? "", "peer": context.peer,
        ])
        return outcome
    }
}
