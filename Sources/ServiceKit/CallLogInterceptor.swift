import RPC

/// Logs every failed call with the caller's request id, so one request can be followed
/// across every service's log. Successes are only counted (a line each would cost more
/// than the call).
public struct CallLogInterceptor: ServerInterceptor {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func callFinished(_ call: RPCServer.CallRecord) {
        guard call.code != .ok else { return }
        let level: Logger.Level = call.code == .internal || call.code == .unavailable ? .error : .warn
        logger.log(level, "call failed", [
            "method": call.method, "code": call.code.name, "duration_us": "\(call.duration.microsecondsClamped)",
            "request_id": call.requestID ?? "", "peer": call.peer,
        ])
    }
}
