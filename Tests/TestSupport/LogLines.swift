import Synchronization

/// The log lines of a service hosted in the test's process, kept for the test to read.
public final class LogLines: Sendable {
    private let text = Mutex("")

    public init() {}

    @Sendable public func append(_ line: String) { text.withLock { $0 += line } }
    public var all: String { text.withLock { $0 } }
}
