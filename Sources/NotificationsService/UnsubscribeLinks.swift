import Contracts
import Digest
import Foundation
import Storage
import Wire

/// N3: one-click unsubscribe for email (RFC 8058). With the gateway's public address set
/// (NOTIFICATIONS_PUBLIC_URL), each email to a contact carries
/// `List-Unsubscribe: <https://…/v1/unsubscribe/<token>>` and
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; following it opts the contact out
/// of email, as `POST /v1/opt-outs` would. The signing key is this service's own, made
/// at its first start and kept in its database, so links stay valid across restarts.
public struct UnsubscribeLinks: Sendable {
    /// The gateway's public base URL without a trailing slash; empty: emails carry only the mailto link.
    public let publicURL: String
    let key: [UInt8]
    let database: Database

    init(database: Database, publicURL: String, key: [UInt8]) {
        self.database = database
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.key = key
    }

    /// The key from the database, made now when there is none yet.
    public static func load(_ database: Database, publicURL: String) async throws -> UnsubscribeLinks {
        let key = try await database.write { tx -> [UInt8] in
            if let kept = try tx.queryFirst("SELECT value FROM service_keys WHERE name = 'unsubscribe'", [], { $0.blob(0) }) { return kept }
            let made = SecureRandom.bytes(32)
            try tx.run("INSERT INTO service_keys (name, value) VALUES ('unsubscribe', ?)", [.blob(made)])
            return made
        }
        return UnsubscribeLinks(database: database, publicURL: publicURL, key: key)
    }

    /// The link for a contact's emails; empty without a public URL.
    public func link(contactID: Int64) -> String {
        publicURL.isEmpty ? "" : "\(publicURL)/v1/unsubscribe/\(UnsubscribeToken(contactID: contactID, channel: .email).text(key: key))"
    }

    /// The link followed: the opt-out it records.
    public func follow(_ request: UnsubscribeRequest, at now: Int64) async throws -> OptOutRequest {
        guard let token = UnsubscribeToken.verify(request.token, key: key) else { throw RPCError.notFound("this unsubscribe link is not valid") }
        let channel = Int64(token.channel.rawValue)
        guard !request.checkOnly else { return OptOutRequest(contactID: token.contactID, channel: token.channel, reason: "") }
        _ = try await database.write { tx in
            try tx.run("INSERT INTO opt_outs (contact_id, channel, reason, at) VALUES (?, ?, 'unsubscribe link', ?) ON CONFLICT (contact_id, channel) DO NOTHING",
                [.integer(token.contactID), .integer(channel), .integer(now)])
        }
        return OptOutRequest(contactID: token.contactID, channel: token.channel, reason: "unsubscribe link")
    }
}
