import Contracts
import FoundationEssentials
import Glibc
import RPC
import Synchronization
import Wire

/// C4 from telephony's side: which staff member, if any, owns a number (an extension or
/// a staff mobile), asked of contacts and remembered for a minute (at most `capacity`
/// numbers), so T2 and the legs' staff cost a lookup only now and then. When contacts
/// cannot say, the report is refused as unavailable (its sender retries) rather than a
/// staff member's call being taken for a client's.
public final class StaffNumbers: Sendable {
    private let contacts: RPCClient?
    private let cache = Mutex<[String: (staffID: Int64?, at: ContinuousClock.Instant)]>([:])
    let capacity: Int
    let ttl: Duration

    /// `contacts` nil: nobody is staff (a deployment without contacts, tests).
    public init(contacts: RPCClient?, capacity: Int = 10_000, ttl: Duration = .seconds(60)) {
        self.contacts = contacts
        self.capacity = capacity
        self.ttl = ttl
    }

    public func staffID(of number: String) async throws(RPCError) -> Int64? {
        guard let contacts, !number.isEmpty else { return nil }
        if let hit = cache.withLock({ $0[number] }), ContinuousClock.now - hit.at < ttl { return hit.staffID }
        let found: Int64?
        do throws(RPCError) {
            found = try await contacts.call(Contacts.findStaffByNumber, FindStaffByNumberRequest(number: number), options: CallOptions(timeout: .seconds(2))).id
        } catch where error.code == .notFound {
            found = nil
        }
        cache.withLock { c in
            if c.count >= capacity { c.removeAll(keepingCapacity: true) }
            c[number] = (found, .now)
        }
        return found
    }
}
