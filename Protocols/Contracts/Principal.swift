import Wire

/// Who a call acts for (G3, issue 24 item 4): the credential the gateway authenticated,
/// its role, its staff member, and what that person may see. The gateway sends it as
/// `principal` metadata on every call it makes for a request; a service takes it only
/// from the gateway's certificate and applies it to a request that does not say what its
/// caller sees (``VisibilityScoped``), so a route that forgot to narrow a read still
/// reads only what the person may see. Calls between services carry none: they act for
/// the system and see everything.
///
/// On the wire (PROTOCOL.md §2, Metadata): `role=manager;credential=12;staff=5;sees=5,7,9`,
/// where `sees` is `*` for everything and lists the staff whose data the person sees
/// (their own and, for a manager, their team's) otherwise.
public struct Principal: Sendable, Equatable {
    public static let metadataKey = "principal"

    public var role: String
    public var credentialID: Int64?
    public var staffID: Int64?
    /// nil: everything (admins, integrations).
    public var visibility: Visibility?

    public init(role: String, credentialID: Int64? = nil, staffID: Int64? = nil, visibility: Visibility?) {
        self.role = role
        self.credentialID = credentialID
        self.staffID = staffID
        self.visibility = visibility
    }

    public var metadataValue: String {
        var parts = ["role=\(role)"]
        if let credentialID { parts.append("credential=\(credentialID)") }
        if let staffID { parts.append("staff=\(staffID)") }
        if let visibility, visibility.restricted {
            parts.append("sees=" + visibility.staffIDs.map(String.init).joined(separator: ","))
        } else {
            parts.append("sees=*")
        }
        return parts.joined(separator: ";")
    }

    /// Reads `metadataValue`; nil when anything in it is not as written above.
    public init?(metadataValue text: String) {
        var role: String?, credential: Int64?, staff: Int64?, sees: Visibility??
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            guard let equals = part.firstIndex(of: "=") else { return nil }
            let key = part[..<equals], value = part[part.index(after: equals)...]
            switch key {
            case "role" where role == nil && !value.isEmpty && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }):
                role = String(value)
            case "credential" where credential == nil:
                guard let id = Int64(value), id > 0 else { return nil }
                credential = id
            case "staff" where staff == nil:
                guard let id = Int64(value), id > 0 else { return nil }
                staff = id
            case "sees" where sees == nil:
                if value == "*" {
                    sees = .some(nil)
                } else {
                    let ids = value.split(separator: ",", omittingEmptySubsequences: false).map { Int64($0) }
                    guard ids.count <= 10_000, ids.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
                    sees = .some(Visibility(restricted: true, staffIDs: ids.compactMap { $0 }))
                }
            default:
                return nil
            }
        }
        guard let role, let sees else { return nil }
        self.init(role: role, credentialID: credential, staffID: staff, visibility: sees)
    }
}

/// A request that says what its caller may see (G3): the server gives it the
/// principal's visibility when it comes without one. Generated for every message with a
/// `visibility` field.
public protocol VisibilityScoped {
    var visibility: Visibility? { get set }
}

extension Visibility {
    /// Everything, said explicitly: what the gateway sends where a person sees more than
    /// their own (a contact of a deal they see), so the principal's narrower default does
    /// not apply.
    public static let everything = Visibility(restricted: false)
}
