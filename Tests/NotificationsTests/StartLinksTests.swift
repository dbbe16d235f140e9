import Contracts
import Digest
import Foundation
@testable import NotificationsService
import Storage
import Testing
import TestSupport

/// N6 (issue 25): a Telegram deep link is claimed by the first chat that opens it; the same
/// chat may open it again (a redelivered /start), another chat never, and nobody after its
/// seven days.
@Suite struct StartLinksTests {
    @Test func n6ADeepLinkIsTheFirstChatsAloneAndOnlyInItsTime() async throws {
        let folder = try temporaryFolder("start-links")
        let database = try Database(path: folder.appendingPathComponent("n.sqlite").path, migrations: NotificationsSchema.migrations)
        let now: Int64 = 1_800_000_000_000
        for (token, expires) in [("lfresh", now + StartLinks.lifetime), ("lstale", now - 1)] {
            _ = try await database.write { tx in
                try tx.run(
                    "INSERT INTO start_links (digest, contact_id, deal_id, created_at, expires_at) VALUES (?, 7, 9, ?, ?)",
                    [.blob(SHA256.digest(token)), .integer(now - 1000), .integer(expires)])
            }
        }
        func claim(_ token: String, _ chat: String) async throws -> Int64? {
            try await database.write { tx in try StartLinks.claim(tx, token: token, chat: chat, now: now)?.contactID }
        }
        #expect(try await claim("lfresh", "100") == 7)
        #expect(try await claim("lfresh", "200") == nil, "another chat is not bound")
        #expect(try await claim("lfresh", "100") == 7, "the same chat's /start again")
        #expect(try await claim("lstale", "100") == nil, "past its seven days")
        #expect(try await claim("lmadeup", "100") == nil)
        #expect(StartLinks.token(in: "/start lfresh") == "lfresh" && StartLinks.token(in: "/start") == nil && StartLinks.token(in: "hello lfresh") == nil)
        try await database.close()
    }
}
