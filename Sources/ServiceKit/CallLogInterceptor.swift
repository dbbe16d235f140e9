import RPC
import Sockets
import Wire

/// Logs every failed call with the caller's request id, so one request can be followed
/// across every service's log. Successes are only counted (a line each would cost more
/// than the call).
public struct CallLogInterceptor: ServerInterceptor {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func intercept(
        _ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome {
        let started = MonotonicInstant.now()
        let outcome = await next(context)
        let code = outcome.code
        guard code != .ok else { return outcome }
        let level: Logger.Level = code == .internal || code == .unavailable ? .error : .warn
        logger.log(level, "call failed", [
            "method": context.method, "code": code.name, "duration_us": "\(started.duration(until: .now()).microsecondsClamped)",
            "request_id": context.metadata[Metadata.Key.requestID] ?? "", "peer": context.peer,
        ])
        return outcome
    }
}
