import Foundation
import Testing
import TestSupport

/// Issue 10 item 7: an admin makes, lists and revokes keys and staff tokens over the
/// API; they are in force at once and after a restart; their secrets are shown once.
@Suite struct CredentialEndToEndTests {
    @Test func g3CredentialsAreMadeUsedRevokedAndOutliveARestart() async throws {
        let system = try await SystemFixture.start()
        #expect(try await system.request("POST", "/v1/staff", body: #"{"firstName":"Oleg","role":"operator"}"#).status == 201)
        let made = try await system.request("POST", "/v1/admin/credentials", body: #"{"name":"Oleg's token","role":"staff","staffId":1}"#)
        #expect(made.status == 201 && made.headers["cache-control"] == "no-store")
        let secret = try #require(made.json["secret"] as? String)
        let id = try #require(made.json["id"] as? Int)
        #expect(secret.hasPrefix("sb_") && secret.count == 67 && made.json["role"] as? String == "staff")
        // In force at once, as the staff member (G3: sees only its own deals).
        #expect(try await system.request("GET", "/v1/deals", key: secret).status == 200)
        #expect(try await system.request("POST", "/v1/staff", key: secret, body: #"{"firstName":"X","role":"operator"}"#).status == 403)
        // Listed without its secret.
        let list = try await system.request("GET", "/v1/admin/credentials")
        #expect(list.status == 200 && !list.body.contains(secret) && list.body.contains("Oleg's token"))
        // Only an admin manages credentials.
        #expect(try await system.request("GET", "/v1/admin/credentials", key: readerKey).status == 403)
        // Refused values.
        for body in [#"{"name":"x","role":"staff"}"#, #"{"name":"x","role":"reader","staffId":1}"#, #"{"name":"x","role":"staff","staffId":99}"#] {
            #expect(try await system.request("POST", "/v1/admin/credentials", body: body).status == 422, "\(body)")
        }
        #expect(try await system.request("POST", "/v1/admin/credentials", body: #"{"name":"x","role":"root"}"#).status == 400)
        let key = try #require(try await system.request("POST", "/v1/admin/credentials", body: #"{"name":"Leadgen","role":"integration"}"#).json["secret"] as? String)

        // Revoked: refused from the next request on.
        let revoked = try await system.request("DELETE", "/v1/admin/credentials/\(id)")
        #expect(revoked.status == 200 && revoked.json["revokedAt"] is String)
        #expect(try await system.request("GET", "/v1/deals", key: secret).status == 401)

        // After a restart: the integration key works, the revoked token does not.
        let again = try await system.restartingGateway()
        #expect(try await again.request("POST", "/v1/leads", key: key, body: #"{"channel":"web","phone":"+79160009999"}"#).status == 201)
        #expect(try await again.request("GET", "/v1/deals", key: secret).status == 401)
        #expect(!again.gateway.logged.contains(secret) && !again.gateway.logged.contains(key))
        try await again.stop()
    }
}
