import ServiceKit
import Synchronization
import Testing

/// Issue 30 item 2: within a round, the same read is asked once, however many ask at once;
/// its error is everyone's; another key is its own read.
@Suite struct SharedReadsTests {
    final class Count: Sendable { let value = Mutex(0) }

    struct Gone: Error {}

    @Test func n1OneReadPerKeyInARoundEvenWhileTheFirstIsInFlight() async throws {
        let reads = SharedReads<Int, String>()
        let asked = Count()
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await reads.value(7) {
                        asked.value.withLock { $0 += 1 }
                        await Task.yield()
                        return "deal 7"
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == Array(repeating: "deal 7", count: 50) && asked.value.withLock { $0 } == 1)
        #expect(try await reads.value(8) { "deal 8" } == "deal 8")
        let failing = SharedReads<Int, String>()
        await #expect(throws: Gone.self) { try await failing.value(1) { throw Gone() } }
        await #expect(throws: Gone.self) { try await failing.value(1) { "never asked" } }
    }
}
