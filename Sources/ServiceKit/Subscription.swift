import Contracts
import FoundationEssentials
import Glibc
import RPC

/// Where this service's events go (P2), from `P_SUBSCRIBERS`: `name@host:port;...`,
/// e.g. `deals@deals:7102;notifications@notifications:7106`. What each subscriber gets is
/// not configured: a subscriber named after a process (`deals`, `telephony-1`) gets the
/// types ``Topology`` says it takes from this service. Any other name (a probe, an
/// audit sink) lists its types: `audit@host:port=type,type` or `audit@host:port=*`. The
/// name keys the delivery position in the database, so renaming a subscriber starts it
/// from the first event again.
public struct Subscription: Sendable, Equatable {
    public let subscriber: String
    public let endpoint: Endpoint
    /// nil: every event.
    public let types: Set<String>?

    public init(subscriber: String, endpoint: Endpoint, types: Set<String>?) {
        self.subscriber = subscriber
        self.endpoint = endpoint
        self.types = types
    }

    /// Parses the variable's value for `publisher` (nil: a process outside the topology,
    /// whose every subscriber lists its types); an error names the entry and what is wrong.
    public static func parse(_ text: String, variable: String, publisher: Topology.Process? = nil) throws(ConfigurationError) -> [Subscription] {
        var result: [Subscription] = []
        for entry in text.split(separator: ";").map({ $0.trimming(.spaces) }) where !entry.isEmpty {
            func bad(_ why: String) -> ConfigurationError {
                ConfigurationError(variable: variable, problem: "entry \"\(entry)\" \(why); expected name@host:port (a process the topology names) or name@host:port=type,type")
            }
            guard let at = entry.firstIndex(of: "@") else { throw bad("is not name@host:port") }
            let equals = entry.firstIndex(of: "=")
            let name = String(entry[..<at])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw bad("has a bad subscriber name (letters, digits, - and _)")
            }
            guard let endpoint = Endpoint(parsing: String(entry[entry.index(after: at)..<(equals ?? entry.endIndex)])) else {
                throw bad("has a bad host:port")
            }
            guard !result.contains(where: { $0.subscriber == name }) else { throw bad("repeats the subscriber \(name)") }
            let types: Set<String>?
            if let process = Topology.process(named: name), let publisher {
                guard equals == nil else {
                    throw bad("lists types for \(name), which takes what the topology (Protocols/Contracts/Topology.swift) sends it")
                }
                guard let route = Topology.subscribers(of: publisher).first(where: { $0.process == process }) else {
                    throw bad("names \(name), which takes none of \(publisher.rawValue)'s events")
                }
                types = Set(route.types)
            } else {
                guard let equals else { throw bad("names no event types for \(name), which the topology does not know") }
                let typeList = entry[entry.index(after: equals)...].split(separator: ",").map { $0.trimming(.spaces) }
                guard !typeList.isEmpty, typeList.allSatisfy({ !$0.isEmpty }) else { throw bad("lists no event types") }
                types = typeList == ["*"] ? nil : Set(typeList)
            }
            result.append(Subscription(subscriber: name, endpoint: endpoint, types: types))
        }
        return result
    }

    /// The topology's subscribers of `publisher` that `subscriptions` leaves out, each
    /// with the types it would miss: the service logs them at start.
    public static func missing(from subscriptions: [Subscription], publisher: Topology.Process) -> [(process: Topology.Process, types: [String])] {
        let named = Set(subscriptions.compactMap { Topology.process(named: $0.subscriber) })
        return Topology.subscribers(of: publisher).filter { !named.contains($0.process) }
    }
}
