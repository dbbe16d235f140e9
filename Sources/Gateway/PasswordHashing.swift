import Digest
import Dispatch
import Synchronization

/// G6: scrypt runs off the reactors, one at a time: each costs tens of milliseconds and
/// 32 MiB, so a burst of sign-ins neither stalls other requests nor exhausts memory; past
/// `maxWaiting` a sign-in is answered 503 at once. An unknown email is checked against a
/// stand-in hash, so the answer takes as long as for a known one.
final class PasswordHashing: Sendable {
    let cost: PasswordHash
    let maxWaiting: Int
    private let queue = DispatchQueue(label: "gateway.password-hashing")
    private let waiting = Atomic<Int>(0)
    /// Made on the first sign-in that needs it, not at start (it costs a hash).
    private let standIn = Mutex<String?>(nil)

    init(cost: PasswordHash = .standard, maxWaiting: Int = 64) {
        self.cost = cost
        self.maxWaiting = maxWaiting
    }

    /// Too many sign-ins are being checked already.
    struct Busy: Error {}

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await run { cost.hash(password) }
    }

    /// Whether `password` matches `stored`; with no stored hash, false after the same work.
    func verify(_ password: String, against stored: String?) async throws -> Bool {
        let cost = self.cost
        return try await run { [self] in
            let against = stored ?? self.standIn.withLock { made in
                if made == nil { made = cost.hash(SecureRandom.hex(16)) }
                return made!
            }
            let matches = PasswordHash.verify(password, against: against)
            return stored != nil && matches
        }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        guard waiting.add(1, ordering: .relaxed).newValue <= maxWaiting else {
            waiting.subtract(1, ordering: .relaxed)
            throw Busy()
        }
        return await withCheckedContinuation { continuation in
            queue.async {
                let result = work()
                self.waiting.subtract(1, ordering: .relaxed)
                continuation.resume(returning: result)
            }
        }
    }
}
