import Foundation

/// Who may call the gateway: API keys from configuration, each with a role, and staff
/// tokens (`token=staff:<id>`) that act as one staff member (G3: what they see of deals
/// and tasks follows the member's role and team). Keys are compared in constant time
/// and never logged.
public struct APIKeyring: Sendable {
    public enum Role: String, Sendable, CaseIterable {
        /// Everything, including merges and staff management.
        case admin
        /// An external system (lead partner, website, PBX): contacts read and write.
        case integration
        /// Read-only access.
        case reader
    }

    /// Who a presented key is.
    public enum Identity: Sendable, Equatable {
        case key(Role)
        /// A staff member's token: the integration role, seeing what the member may see.
        case staff(Int64)

        public var role: Role {
            switch self {
            case let .key(role): role
            case .staff: .integration
            }
        }
    }

    private let keys: [(key: [UInt8], identity: Identity)]

    /// Parses `key=role,key=staff:<id>`; errors say which entry is wrong without echoing keys.
    public init(parsing text: String) throws(KeyringError) {
        var keys: [(key: [UInt8], identity: Identity)] = []
        for (i, entry) in text.split(separator: ",").enumerated() {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let value = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            let identity: Identity
            if let role = Role(rawValue: value) {
                identity = .key(role)
            } else if value.hasPrefix("staff:"), let id = Int64(value.dropFirst(6)), id > 0 {
                identity = .staff(id)
            } else {
                throw KeyringError(message: "entry \(i + 1) is not key=role (role one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))) or key=staff:<staff id>")
            }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            guard key.count >= 16 else { throw KeyringError(message: "entry \(i + 1): keys must be at least 16 characters") }
            keys.append((Array(key.utf8), identity))
        }
        guard !keys.isEmpty else { throw KeyringError(message: "no keys configured") }
        self.keys = keys
    }

    /// The role of a presented key, nil when it is unknown. Every stored key is
    /// compared in full, so timing does not reveal how much of a key matched.
    public func role(for presented: String) -> Role? {
        identity(for: presented)?.role
    }

    /// Who a presented key is, nil when it is unknown (every key compared in full).
    public func identity(for presented: String) -> Identity? {
        let bytes = Array(presented.utf8)
        var found: Identity?
        for (key, identity) in keys where Self.constantTimeEquals(key, bytes) { found = identity }
        return found
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }

    /// A new random key for the admin (the local runner writes it to data/admin.key).
    public static func generateKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return "sb_" + (0..<32).map { _ in String(UInt8.random(in: 0...15, using: &generator), radix: 16) }.joined()
    }
}

public struct KeyringError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
