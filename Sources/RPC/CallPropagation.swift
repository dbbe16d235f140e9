import Sockets
import Wire

/// Carries a served call's request id, trace and deadline into every call its handler
/// makes, as gRPC propagates deadlines: one request can be followed through every
/// service's log, and work done for a caller never outlives the caller's wait.
///
/// As a server interceptor it keeps the served call in a task-local value for the
/// handler's task (and the tasks it starts), a new span of the caller's trace; as a
/// client interceptor it adds the request id and that span as `traceparent` (P5) where a
/// call does not already carry them, and keeps the earlier deadline.
public struct CallPropagation: ServerInterceptor, ClientInterceptor {
    /// What a served call passes on.
    public struct Inherited: Sendable {
        public let requestID: String?
        /// The span serving this call (nil: the caller named no trace).
        public let trace: TraceContext?
        /// The caller's span: this one's parent.
        public let parentSpanID: String?
        public let deadline: MonotonicInstant?

        public init(requestID: String?, trace: TraceContext?, parentSpanID: String?, deadline: MonotonicInstant?) {
            self.requestID = requestID
            self.trace = trace
            self.parentSpanID = parentSpanID
            self.deadline = deadline
        }
    }

    /// The call being served by this task, if any.
    @TaskLocal public static var inherited: Inherited?

    public init() {}

    public func intercept(
        _ context: ServerContext, next: @Sendable (ServerContext) async -> ServerOutcome
    ) async -> ServerOutcome {
        let caller = context.metadata[Metadata.Key.traceparent].flatMap(TraceContext.init(header:))
        let inherited = Inherited(
            requestID: context.metadata[Metadata.Key.requestID], trace: caller?.child(), parentSpanID: caller?.spanID, deadline: context.deadline)
        return await Self.$inherited.withValue(inherited) { await next(context) }
    }

    public func intercept(
        _ call: ClientCall, next: @Sendable (ClientCall) async -> ClientOutcome
    ) async -> ClientOutcome {
        guard let inherited = Self.inherited else { return await next(call) }
        var call = call
        for (key, value) in [(Metadata.Key.requestID, inherited.requestID), (Metadata.Key.traceparent, inherited.trace?.header)] {
            if let value, call.metadata[key] == nil { call.metadata[key] = value }
        }
        if let deadline = inherited.deadline {
            call.deadline = call.deadline.map { min($0, deadline) } ?? deadline
        }
        return await next(call)
    }
}
