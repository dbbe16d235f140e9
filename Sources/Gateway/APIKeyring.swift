import Contracts
import Digest
import Foundation
import ServiceKit
import Synchronization

/// Who may call the gateway: API keys and staff tokens, each with what it may do. Some
/// come from configuration (`GATEWAY_API_KEYS`, the bootstrap: `key=role,key=staff:<id>`),
/// the rest are made and revoked by an admin over the API and kept in the gateway's
/// database (``CredentialStore``); both take effect at once. Only SHA-256 digests of the
/// secrets are held, compared in constant time, never logged.
public final class APIKeyring: Sendable {
    public enum Role: String, Sendable, CaseIterable {
        /// Everything, including merges, staff management and credentials.
        case admin
        /// An external system (lead partner, website, PBX): reads and writes.
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

        /// What a stored credential may do.
        init?(_ credential: Credential) {
            switch credential.role {
            case .admin: self = .key(.admin)
            case .integration: self = .key(.integration)
            case .reader: self = .key(.reader)
            case .staff:
                guard let id = credential.staffID else { return nil }
                self = .staff(id)
            case .unspecified: return nil
            }
        }
    }

    private struct Entry {
        let digest: [UInt8]
        let identity: Identity
        /// The credential's id when it was made over the API (nil: from configuration).
        let credentialID: Int64?
    }

    /// By digest: a lookup hashes the presented secret first, so its time says nothing
    /// about how much of any stored key a guess matched.
    private let entries: Mutex<[[UInt8]: Entry]>

    /// Parses `key=role,key=staff:<id>`; errors say which entry is wrong without echoing keys.
    public init(parsing text: String) throws(KeyringError) {
        var entries: [[UInt8]: Entry] = [:]
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
            let digest = SHA256.digest(key)
            entries[digest] = Entry(digest: digest, identity: identity, credentialID: nil)
        }
        guard !entries.isEmpty else { throw KeyringError(message: "no keys configured") }
        self.entries = Mutex(entries)
    }

    /// The role of a presented key, nil when it is unknown.
    public func role(for presented: String) -> Role? {
        identity(for: presented)?.role
    }

    /// Who a presented key is, nil when it is unknown.
    public func identity(for presented: String) -> Identity? {
        credential(for: presented)?.identity
    }

    /// Who a presented key is and, for one made over the API, its credential's id.
    public func credential(for presented: String) -> (identity: Identity, credentialID: Int64?)? {
        let digest = SHA256.digest(presented)
        guard let entry = entries.withLock({ $0[digest] }), ConstantTime.equals(entry.digest, digest) else { return nil }
        return (entry.identity, entry.credentialID)
    }

    /// Starts accepting a stored credential (its digest from the database).
    public func admit(_ credential: Credential, digest: [UInt8]) {
        guard credential.revokedAtMilliseconds == nil, let identity = Identity(credential) else { return }
        entries.withLock { $0[digest] = Entry(digest: digest, identity: identity, credentialID: credential.id) }
    }

    /// Stops accepting a stored credential at once.
    public func revoke(credentialID: Int64) {
        entries.withLock { all in all = all.filter { $0.value.credentialID != credentialID } }
    }

    /// Stops accepting every token of a staff member at once (issue 26: they left), the
    /// configured ones too until a restart, after which contacts refuses to scope them.
    public func revoke(staffID: Int64) {
        entries.withLock { all in all = all.filter { $0.value.identity != .staff(staffID) } }
    }

    /// A new random key for the admin (the local runner writes it to data/admin.key).
    public static func generateKey() -> String { CredentialStore.newSecret() }
}

public struct KeyringError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
