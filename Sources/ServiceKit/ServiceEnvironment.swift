import Foundation

/// Configuration read from the environment once, at start. A bad value stops the
/// start with a message that names the variable and what it should be.
public struct ServiceEnvironment: Sendable {
    /// The service's prefix, e.g. `CONTACTS` for `CONTACTS_PORT`.
    public let prefix: String
    public let values: [String: String]

    public init(prefix: String, values: [String: String] = ProcessInfo.processInfo.environment) {
        self.prefix = prefix
        self.values = values
    }

    public func name(_ key: String) -> String { "\(prefix)_\(key)" }

    public func string(_ key: String, default value: String) -> String {
        values[name(key)].flatMap { $0.isEmpty ? nil : $0 } ?? value
    }

    public func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = values[name(key)], !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(variable: name(key), problem: "is \"\(text)\"; expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}

/// A configuration value that stops the service from starting.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "\(variable) \(problem)" }
}
