import Contracts
import HTTP
import RPC
import ServiceKit
import Wire

/// The gateway's own administration (issue 10 item 7): API keys and staff tokens made,
/// listed and revoked by an admin, in force at once, without a restart.
enum AdminRoutes {
    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/admin/credentials", operationID: "createCredential", access: .role(.admin),
            summary: "Make an API key or a staff token; the secret is in this answer only (the gateway keeps its SHA-256)",
            body: CreateCredentialRequest.openAPIInputSchema, example: #"{"name":"Oleg's token","role":"staff","staffId":2}"#,
            answers: [Route.answer(201, "made; keep the secret", Credential.self, headers: ["Location"])], errors: [422, 503], idempotencyKey: true
        ) { ctx in
            let store = try ctx.api.credentialStore()
            let request = try ctx.body(CreateCredentialRequest.self)
            switch (request.role, request.staffID) {
            case let (.staff, id?):
                try await ctx.requireStaff(id)
            case (.staff, nil):
                throw UnacceptableValues(error: .invalidArgument("a staff token acts as a staff member", details: [FieldViolation(field: "staffId", description: "is required for the staff role")]))
            case (_, .some):
                throw UnacceptableValues(error: .invalidArgument("only staff tokens act as a staff member", details: [FieldViolation(field: "staffId", description: "is only for the staff role")]))
            default: break
            }
            let secret = CredentialStore.newSecret()
            var made = try await store.create(request, secret: secret, by: "api:\(ctx.role?.rawValue ?? "")")
            ctx.api.keyring.admit(made, digest: CredentialStore.digest(of: secret))
            made.secret = secret
            return Reply.created(made, at: "/v1/admin/credentials/\(made.id)", secret: true)
        },
        Route(
            method: "GET", path: "/v1/admin/credentials", operationID: "listCredentials", access: .role(.admin),
            summary: "The credentials made over the API (revoked ones with when); never their secrets",
            answers: [Route.answer(200, "the credentials", CredentialList.self)], errors: [503]
        ) { ctx in
            Reply.json(200, CredentialList(credentials: try await ctx.api.credentialStore().list()))
        },
        Route(
            method: "DELETE", path: "/v1/admin/credentials/{id}", operationID: "revokeCredential", access: .role(.admin),
            summary: "Revoke a credential: refused from the next request on; asking again changes nothing",
            answers: [Route.answer(200, "revoked", Credential.self)], errors: [404, 503]
        ) { ctx in
            let revoked = try await ctx.api.credentialStore().revoke(try ctx.id())
            ctx.api.keyring.revoke(credentialID: revoked.id)
            return Reply.json(200, revoked)
        },
    ]
}

extension GatewayAPI {
    func credentialStore() throws(RPCError) -> CredentialStore {
        guard let credentials else { throw RPCError(.unavailable, "this gateway keeps no credentials (it runs without a data folder)") }
        return credentials
    }
}
