import Contracts
import FoundationEssentials
import Glibc
import RPC
import Synchronization
import Wire

/// T9 with its inputs: the client's responsible (contacts, by the caller's number), the
/// administrators and managers (contacts' staff, remembered for half a minute), and how
/// many calls this replica offered each of them in the last hour. Everything it asks is
/// bounded by `budget`; when contacts cannot answer in time it answers the fallback at
/// once, so a caller never rings into nothing.
public final class CallRouter: Sendable {
    private let contacts: RPCClient?
    private let fallback: String
    private let budget: Duration
    private let numbers: CallNumber
    private let staff = Mutex<(members: [StaffMember], at: ContinuousClock.Instant)?>(nil)
    private let offers = Mutex<[(staffID: Int64, at: ContinuousClock.Instant)]>([])

    public init(
        contacts: RPCClient?, fallback: String, budget: Duration = .milliseconds(30),
        numbers: CallNumber = CallNumber(phones: .fallback)
    ) {
        self.numbers = numbers
        self.contacts = contacts
        self.fallback = fallback
        self.budget = budget
    }

    public func route(_ request: RouteRequest) async -> RouteAnswer {
        guard let contacts, let caller = numbers.normalize(request.clientNumber) else {
            return RouteAnswer(destination: fallback, reason: "fallback")
        }
        let options = CallOptions(timeout: budget)
        do {
            async let members = staffMembers(contacts, options)
            async let found = contacts.call(Contacts.search, SearchContactsRequest(phone: caller, pageSize: 1), options: options)
            let (all, page) = try await (members, found)
            let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let counts = recentOffers()
            func person(_ m: StaffMember) -> RoutingRule.Person {
                RoutingRule.Person(staffID: m.id, destination: m.extensions.first ?? m.mobiles.first ?? "", offeredRecently: counts[m.id] ?? 0)
            }
            let responsible = page.contacts.first?.responsibleID.flatMap { byID[$0] }.map(person)
            let answer = RoutingRule.route(
                responsible: responsible, administrators: all.filter { $0.role == .admin }.map(person),
                managers: all.filter { [.manager, .seniorManager, .operator_].contains($0.role) }.map(person), fallback: fallback)
            if let id = answer.staffID { offered(id) }
            return answer
        } catch {
            // A lost connection is opened again now, not in the next caller's budget.
            contacts.warmUp()
            return RouteAnswer(destination: fallback, reason: "fallback")
        }
    }

    private func staffMembers(_ contacts: RPCClient, _ options: CallOptions) async throws -> [StaffMember] {
        if let cached = staff.withLock({ $0 }), ContinuousClock.now - cached.at < .seconds(30) { return cached.members }
        var members: [StaffMember] = []
        var cursor = ""
        for _ in 0..<20 {  // at most 10,000 staff
            let page = try await contacts.call(Contacts.listStaff, ListStaffRequest(pageSize: 500, cursor: cursor), options: options)
            members += page.members
            cursor = page.nextCursor
            if cursor.isEmpty { break }
        }
        let list = members
        staff.withLock { $0 = (list, .now) }
        return list
    }

    private func recentOffers() -> [Int64: Int] {
        offers.withLock { list in
            let since = ContinuousClock.now - .seconds(3600)
            list.removeAll { $0.at < since }
            var counts: [Int64: Int] = [:]
            for o in list { counts[o.staffID, default: 0] += 1 }
            return counts
        }
    }

    private func offered(_ staffID: Int64) {
        offers.withLock { list in
            if list.count > 100_000 { list.removeFirst(list.count / 2) }
            list.append((staffID, .now))
        }
    }
}
