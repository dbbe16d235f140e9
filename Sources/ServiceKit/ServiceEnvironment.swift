import FoundationEssentials
import Glibc
import RPC

/// Configuration read from the environment once, at start. A bad value stops the
/// start with a message that names the variable and what it should be.
public struct ServiceEnvironment: Sendable {
    /// The service's prefix, e.g. `CONTACTS` for `CONTACTS_PORT`.
    public let prefix: String
    public let values: [String: String]
    /// The settings this process declares; reading any other is a programmer's error
    /// (it would be missing from the table of settings). nil: not checked.
    let declared: Set<Setting>?

    public init(prefix: String, values: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(prefix: prefix, values: values, declared: nil)
    }

    init(prefix: String, values: [String: String], declared: Set<Setting>?) {
        self.prefix = prefix
        self.values = values
        self.declared = declared
    }

    /// The variable's whole name.
    public func name(of setting: Setting) -> String {
        setting.name(prefix: prefix)
    }

    /// The setting's text, its fallback (or `fallback`) when unset or empty.
    public func string(_ setting: Setting, fallback: String? = nil) -> String {
        precondition(declared?.contains(setting) ?? true, "\(name(of: setting)) is read but not declared in the process's settings")
        return values[name(of: setting)].flatMap { $0.isEmpty ? nil : $0 } ?? fallback ?? setting.fallback
    }

    /// The setting as a whole number in its range.
    public func int(_ setting: Setting, fallback: Int? = nil) throws(ConfigurationError) -> Int {
        let text = string(setting, fallback: fallback.map(String.init))
        guard let range = setting.range, let number = Int(text), range.contains(number) else {
            let range = setting.range ?? Int.min...Int.max
            throw ConfigurationError(
                variable: name(of: setting), problem: "is \"\(text)\"; expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The setting as another service's address, `host:port`.
    public func endpoint(_ setting: Setting) throws(ConfigurationError) -> Endpoint {
        let text = string(setting)
        guard let endpoint = Endpoint(parsing: text) else {
            throw ConfigurationError(variable: name(of: setting), problem: "is \"\(text)\"; expected host:port")
        }
        return endpoint
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
