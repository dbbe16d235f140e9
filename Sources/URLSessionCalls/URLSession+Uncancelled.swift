import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// `data(for:)` in a task of its own that nothing cancels. FoundationNetworking's async
    /// `data(for:)` deadlocks when its task is cancelled just as the answer arrives: the
    /// cancel takes the task's status lock and waits for the session's queue, which is
    /// resuming the task under that lock (seen in CI: every cooperative thread stuck, a
    /// background loop stopping while its pull finished). A stopping loop waits for the
    /// request instead, which ends within its timeout.
    public func dataUncancelled(for request: URLRequest) async throws -> (Data, URLResponse) {
        try await Task.detached { try await self.data(for: request) }.value
    }
}
