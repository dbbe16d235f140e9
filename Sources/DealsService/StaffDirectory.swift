import Contracts
import RPC
import Synchronization
import Wire

/// C4 from the deals side: whether a staff id names someone, asked of the contacts
/// service and remembered (staff members are never deleted, so a "yes" stays true; a
/// "no" is asked again, so a member added a moment ago counts at once). At most
/// `capacity` ids are kept.
public final class StaffDirectory: Sendable {
    private let contacts: RPCClient
    private let known = Mutex<Set<Int64>>([])
    let capacity: Int

    public init(contacts: RPCClient, capacity: Int = 10_000) {
        self.contacts = contacts
        self.capacity = capacity
    }

    /// Throws invalid_argument naming `field` when `id` is no staff member; unavailable
    /// when contacts cannot say (the change is refused, never made unchecked).
    public func requireMember(_ id: Int64?, field: String, options: CallOptions) async throws {
        guard let id else { return }
        if known.withLock({ $0.contains(id) }) { return }
        switch await lookup(id, options) {
        case .success: break
        case let .failure(error) where error.code == .notFound:
            throw RPCError.invalidArgument("staff member \(id) does not exist", details: [FieldViolation(field: field, description: "is not a staff member (no staff member \(id))")])
        case let .failure(error): throw error
        }
        _ = known.withLock { ids in
            if ids.count >= capacity { ids.removeAll(keepingCapacity: true) }
            ids.insert(id)
        }
    }

    /// T5: the member's senior manager (C4's supervisor), nil for one without; throws when
    /// contacts cannot say.
    public func supervisor(of id: Int64, options: CallOptions) async throws -> Int64? {
        switch await lookup(id, options) {
        case let .success(member): return member.supervisorID
        case let .failure(error) where error.code == .notFound: return nil
        case let .failure(error): throw error
        }
    }

    private func lookup(_ id: Int64, _ options: CallOptions) async -> Result<StaffMember, RPCError> {
        do throws(RPCError) {
            return .success(try await contacts.call(Contacts.getStaff, GetStaffRequest(id: id), options: options))
        } catch {
            return .failure(error)
        }
    }
}
