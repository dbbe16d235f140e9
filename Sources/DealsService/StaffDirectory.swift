import Contracts
import RPC
import Synchronization
import Wire

/// C4 from the deals side: whether a staff id names an active member, asked of the
/// contacts service and remembered (staff members are never deleted; one who leaves is
/// forgotten when `staff.deactivated` comes, and contacts says so to the next ask; a
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
        case let .success(member) where member.deactivatedAtMilliseconds != nil:
            throw RPCError.invalidArgument("staff member \(id) was deactivated", details: [FieldViolation(field: field, description: "was deactivated (staff member \(id) left)")])
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

    /// A member who left (issue 26) is asked about again.
    public func forget(_ id: Int64) {
        known.withLock { _ = $0.remove(id) }
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
