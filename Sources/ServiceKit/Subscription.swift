import Foundation
import RPC

/// Which events of this service go to which other service (P2), from `P_SUBSCRIBERS`:
/// `name@host:port=type,type;name@host:port=*`, e.g.
/// `deals@127.0.0.1:7102=contact.merged`. The name keys the delivery position in the
/// database, so renaming a subscriber starts it from the first event again.
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

    /// Parses the variable's value; an error names the entry and what is wrong.
    public static func parse(_ text: String, variable: String) throws(ConfigurationError) -> [Subscription] {
        var result: [Subscription] = []
        for entry in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            func bad(_ why: String) -> ConfigurationError {
                ConfigurationError(variable: variable, problem: "entry \"\(entry)\" \(why); expected name@host:port=type,type or name@host:port=*")
            }
            guard let at = entry.firstIndex(of: "@"), let equals = entry.firstIndex(of: "="), at < equals else {
                throw bad("is not name@host:port=types")
            }
            let name = String(entry[..<at])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw bad("has a bad subscriber name (letters, digits, - and _)")
            }
            guard let endpoint = Endpoint(parsing: String(entry[entry.index(after: at)..<equals])) else {
                throw bad("has a bad host:port")
            }
            let typeList = entry[entry.index(after: equals)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !typeList.isEmpty, typeList.allSatisfy({ !$0.isEmpty }) else { throw bad("lists no event types") }
            guard !result.contains(where: { $0.subscriber == name }) else { throw bad("repeats the subscriber \(name)") }
            result.append(Subscription(subscriber: name, endpoint: endpoint, types: typeList == ["*"] ? nil : Set(typeList)))
        }
        return result
    }
}
