import Contracts

/// T9: where the PBX connects a caller. A known client with a responsible goes to that
/// manager; anyone else to the administrator first, then the managers in turn, the one
/// offered the fewest calls lately first (ties by id), so the load spreads. Without
/// anyone to send the caller to, the configured fallback: a caller never rings into nothing.
public enum RoutingRule {
    public struct Person: Sendable, Equatable {
        public let staffID: Int64
        /// Where to ring them (an extension, a mobile or a SIP login).
        public let destination: String
        public let offeredRecently: Int

        public init(staffID: Int64, destination: String, offeredRecently: Int = 0) {
            self.staffID = staffID
            self.destination = destination
            self.offeredRecently = offeredRecently
        }
    }

    public static func route(responsible: Person?, administrators: [Person], managers: [Person], fallback: String) -> RouteAnswer {
        if let responsible, !responsible.destination.isEmpty {
            return RouteAnswer(destination: responsible.destination, staffID: responsible.staffID, reason: "responsible")
        }
        let queue = managers.filter { !$0.destination.isEmpty }.sorted { ($0.offeredRecently, $0.staffID) < ($1.offeredRecently, $1.staffID) }
        if let admin = administrators.filter({ !$0.destination.isEmpty }).min(by: { ($0.offeredRecently, $0.staffID) < ($1.offeredRecently, $1.staffID) }) {
            return RouteAnswer(destination: admin.destination, staffID: admin.staffID, reason: "administrator", then: queue.map(\.destination))
        }
        if let first = queue.first {
            return RouteAnswer(destination: first.destination, staffID: first.staffID, reason: "queue", then: queue.dropFirst().map(\.destination))
        }
        return RouteAnswer(destination: fallback, reason: "fallback")
    }
}
