import Contracts
import Digest
import Foundation
import RPC
import ServiceKit
import Storage
import Wire

/// N6 (issue 25): a web lead meets the bots. A deep link `https://t.me/<bot>?start=<token>`
/// for a deal's contact, handed to the person; opening it sends the bot `/start <token>`,
/// which binds their chat to the contact and starts the qualification bot on the deal.
/// Single use, 7 days; kept as the token's SHA-256, so the table never holds a usable link.
public struct StartLinks: Sendable {
    let database: Database
    let deals: RPCClient
    let clock: WallClock

    static let lifetime: Int64 = 7 * 86_400_000
    /// Telegram's start parameter: at most 64 of A-Z, a-z, 0-9, _ and -.
    static let prefix = "l"

    public init(database: Database, deals: RPCClient, clock: WallClock) {
        self.database = database
        self.deals = deals
        self.clock = clock
    }

    /// A link for the deal's contact, the deal read for the caller (G3: one it may not see
    /// answers not_found); the Telegram channel must name its bot. The served call's deadline
    /// bounds the read (CallPropagation).
    public func issue(_ request: StartLinkRequest) async throws -> StartLink {
        // The deal first: one the caller may not see answers not_found whatever else is wrong.
        let deal = try await deals.call(Deals.getDeal, GetDealRequest(id: request.dealID, visibility: request.visibility))
        let bot = try await database.read { c in try ChannelStore.load(c, .telegram)?.sender ?? "" }.trimmingCharacters(in: CharacterSet(charactersIn: "@ "))
        guard !bot.isEmpty else {
            throw RPCError(.failedPrecondition, "the Telegram channel names no bot: set its sender to the bot's username (PUT /v1/notification-channels/telegram)")
        }
        let token = Self.prefix + SecureRandom.hex(24)
        let now = clock.milliseconds
        let expires = now + Self.lifetime
        try await database.write { tx in
            try tx.run(
                "INSERT INTO start_links (digest, contact_id, deal_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [.blob(SHA256.digest(token)), .integer(deal.contactID), .integer(deal.id), .integer(now), .integer(expires)])
        }
        return StartLink(url: "https://t.me/\(bot)?start=\(token)", expiresAtMilliseconds: expires)
    }

    /// The token of a `/start <token>` message, nil for any other text.
    static func token(in text: String) -> String? {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0] == "/start", parts[1].hasPrefix(prefix), parts[1].count <= 64 else { return nil }
        return String(parts[1])
    }

    /// Claims the link for `chat` before anything is filed: its contact and deal when it is
    /// in time and unused, or already this chat's (a redelivered /start); nil otherwise, so a
    /// second chat opening the same link is never bound to its contact.
    static func claim(_ tx: Transaction, token: String, chat: String, now: Int64) throws -> (contactID: Int64, dealID: Int64)? {
        let digest = SQLValue.blob(SHA256.digest(token))
        guard let (contactID, dealID, usedBy) = try tx.queryFirst(
            "SELECT contact_id, deal_id, CASE WHEN used_at IS NULL THEN NULL ELSE chat_id END FROM start_links WHERE digest = ? AND expires_at > ?",
            [digest, .integer(now)], { ($0.int64(0), $0.int64(1), $0.optionalString(2)) })
        else { return nil }
        if let usedBy { return usedBy == chat ? (contactID, dealID) : nil }
        try tx.run("UPDATE start_links SET used_at = ?, chat_id = ? WHERE digest = ?", [.integer(now), .text(chat), digest])
        return (contactID, dealID)
    }
}
