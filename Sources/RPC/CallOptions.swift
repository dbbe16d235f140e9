import Sockets
import Wire

/// Per-call settings: the time budget, metadata, and whether to retry.
public struct CallOptions: Sendable {
    /// How long the caller waits, from now.
    public var timeout: Duration?
    /// An absolute deadline, e.g. ``ServerContext/deadline`` passed down a chain of
    /// calls. With both set, the earlier wins.
    public var deadline: MonotonicInstant?
    public var metadata: Metadata
    /// nil uses the client's configured policy.
    public var retry: RetryPolicy?

    public init(
        timeout: Duration? = nil, deadline: MonotonicInstant? = nil, metadata: Metadata = Metadata(),
        retry: RetryPolicy? = nil
    ) {
        self.timeout = timeout
        self.deadline = deadline
        self.metadata = metadata
        self.retry = retry
    }

    /// The effective deadline given the client's default timeout.
    func effectiveDeadline(default defaultTimeout: Duration?) -> MonotonicInstant? {
        let now = MonotonicInstant.now()
        let fromTimeout = (timeout ?? (deadline == nil ? defaultTimeout : nil)).map { now + $0 }
        switch (fromTimeout, deadline) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }
}
