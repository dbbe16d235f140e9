import Contracts
import Digest
import Foundation
import HTTP
import RPC
import Wire

/// G6 (issue 27 item 2): people sign in to the console. An admin makes a one-time invite
/// link for a staff member; the person chooses a password with it (scrypt, ``PasswordHashing``)
/// and signs in with their staff email from then on. Passwords and invites are kept by
/// contacts with the staff (every gateway replica sees them); sessions by this gateway. A session lives in an HttpOnly,
/// SameSite=Strict cookie; every write of a session carries its CSRF token. Sign-in failures
/// count in the same per-address limiter as wrong keys. A session acts exactly as a staff
/// token of the person would (G3), with the admin role for admins.
enum SessionRoutes {
    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/session", operationID: "signIn", access: .open,
            summary: "A person signs in with their staff email and password (G6): the answer sets the session cookie",
            body: SignIn.openAPIInputSchema, example: #"{"email":"anna@example.com","password":"correct horse battery"}"#,
            answers: [Route.answer(200, "signed in; the cookie is set", PersonSession.self, headers: ["Set-Cookie"])], errors: [401, 429, 503]
        ) { ctx in
            _ = try ctx.api.personSessions()
            let address = ctx.request.remoteAddress
            if let refusal = ctx.api.lockedOut(address, requestID: ctx.requestID) { return refusal }
            let request = try ctx.body(SignIn.self)
            let members = try await ctx.call(Contacts.listStaff, ListStaffRequest(pageSize: 5, email: request.email)).members
                .filter { $0.deactivatedAtMilliseconds == nil }
            var signedIn: (StaffMember, StaffSecret)?
            var checked = false
            for member in members {
                let secret = try await ctx.call(Contacts.staffSecret, GetStaffRequest(id: member.id))
                guard !secret.passwordHash.isEmpty else { continue }
                checked = true
                if try await hashing(ctx, { try await ctx.api.passwords.verify(request.password, against: secret.passwordHash) }) {
                    signedIn = (member, secret)
                    break
                }
            }
            // Nobody with that email has a password: the same work, so the time says nothing.
            if !checked { _ = try await hashing(ctx) { try await ctx.api.passwords.verify(request.password, against: nil) } }
            guard let (member, secret) = signedIn else {
                ctx.api.authenticationFailed(address)
                throw RPCError(.unauthenticated, "the email or the password is wrong")
            }
            return try await startSession(for: member, stamp: secret.changedAtMilliseconds, ctx)
        },
        Route(
            method: "POST", path: "/v1/session/invite", operationID: "acceptInvite", access: .open,
            summary: "A person chooses their password with an invite link's token (G6) and is signed in; the link works once",
            body: InviteAcceptance.openAPIInputSchema, example: #"{"token":"inv_0123","password":"correct horse battery"}"#,
            answers: [Route.answer(200, "the password is kept and the person signed in", PersonSession.self, headers: ["Set-Cookie"])],
            errors: [401, 422, 429, 503]
        ) { ctx in
            let sessions = try ctx.api.personSessions()
            let address = ctx.request.remoteAddress
            if let refusal = ctx.api.lockedOut(address, requestID: ctx.requestID) { return refusal }
            let request = try ctx.body(InviteAcceptance.self)
            let digest = SHA256.digest(request.token)
            let member: StaffMember
            do {
                member = try await ctx.call(Contacts.findInvite, InviteLookup(digest: digest))
            } catch let error as RPCError where error.code == .notFound {
                ctx.api.authenticationFailed(address)
                throw RPCError(.unauthenticated, error.message)
            }
            try checkPassword(request.password, field: "password", member: member)
            let hash = try await hashing(ctx) { try await ctx.api.passwords.hash(request.password) }
            do {
                _ = try await ctx.call(Contacts.useInvite, StaffInviteUse(digest: digest, passwordHash: hash))
            } catch let error as RPCError where error.code == .notFound {
                throw RPCError(.unauthenticated, error.message)
            }
            try await sessions.end(staffID: member.id, why: "password changed")
            let secret = try await ctx.call(Contacts.staffSecret, GetStaffRequest(id: member.id))
            return try await startSession(for: member, stamp: secret.changedAtMilliseconds, ctx)
        },
        Route(
            method: "GET", path: "/v1/session", operationID: "currentSession", access: .role(.reader),
            summary: "The person signed in through this browser's session, and the CSRF token their writes carry (G6)",
            answers: [Route.answer(200, "the session", PersonSession.self)], errors: [404]
        ) { ctx in
            let (session, _) = try current(ctx)
            let member = try await ctx.call(Contacts.getStaff, GetStaffRequest(id: session.staffID))
            return Reply.json(200, personSession(session, member, ctx), secret: true)
        },
        Route(
            method: "DELETE", path: "/v1/session", operationID: "signOut", access: .role(.reader),
            summary: "Sign out (G6): the session ends at once, its cookie is cleared",
            answers: [Route.Answer(status: 204, description: "signed out", content: .none, headers: ["Set-Cookie"])], errors: [404]
        ) { ctx in
            let (_, token) = try current(ctx)
            try await ctx.api.personSessions().end(token: token)
            var response = HTTPResponse(status: 204)
            response.headers.append(SessionCookie.clearing(ctx.request))
            return response
        },
        Route(
            method: "PUT", path: "/v1/session/password", operationID: "changePassword", access: .role(.reader),
            summary: "A person changes their password (G6): every session of theirs ends, and this browser gets a new one",
            body: PasswordChange.openAPIInputSchema, example: #"{"currentPassword":"correct horse battery","newPassword":"a longer one than before"}"#,
            answers: [Route.answer(200, "the new session; the cookie is set", PersonSession.self, headers: ["Set-Cookie"])], errors: [404, 422, 503]
        ) { ctx in
            let (session, _) = try current(ctx)
            let sessions = try ctx.api.personSessions()
            let request = try ctx.body(PasswordChange.self)
            let member = try await ctx.call(Contacts.getStaff, GetStaffRequest(id: session.staffID))
            let stored = try await ctx.call(Contacts.staffSecret, GetStaffRequest(id: member.id)).passwordHash
            guard try await hashing(ctx, { try await ctx.api.passwords.verify(request.currentPassword, against: stored.isEmpty ? nil : stored) }) else {
                ctx.api.authenticationFailed(ctx.request.remoteAddress)
                throw UnacceptableValues(error: .invalidArgument(
                    "the current password is wrong", details: [FieldViolation(field: "currentPassword", description: "is not your password")]))
            }
            try checkPassword(request.newPassword, field: "newPassword", member: member)
            let hash = try await hashing(ctx) { try await ctx.api.passwords.hash(request.newPassword) }
            let secret = try await ctx.call(Contacts.setStaffPassword, StaffPasswordChange(staffID: member.id, passwordHash: hash))
            // Here at once; on other replicas as soon as contacts says the password changed.
            try await sessions.end(staffID: member.id, why: "password changed")
            return try await startSession(for: member, stamp: secret.changedAtMilliseconds, ctx)
        },
        Route(
            method: "POST", path: "/v1/staff/{id}/invites", operationID: "inviteStaffMember", access: .role(.admin),
            summary: """
                A one-time link for a staff member to choose their password and sign in to the console (G6); shown once, \
                it replaces their earlier links and lapses after GATEWAY_INVITE_HOURS. The member needs an email: they sign in with it
                """,
            answers: [Route.answer(201, "the invite; give the person its path on this gateway", StaffInvite.self, headers: ["Location"])],
            errors: [404, 409, 422, 503]
        ) { ctx in
            let sessions = try ctx.api.personSessions()
            let creator = ctx.staffID.map { "staff:\($0)" } ?? "api:\(ctx.role?.rawValue ?? "")"
            let token = "inv_" + SecureRandom.hex(32)
            let expires = PersonSessions.milliseconds(sessions.now().addingTimeInterval(sessions.policy.inviteLifetime))
            let member = try await ctx.call(Contacts.inviteStaff, StaffInviteRequest(
                staffID: try ctx.id(), digest: SHA256.digest(token), expiresAtMilliseconds: expires, createdBy: creator))
            let invite = StaffInvite(staffID: member.id, token: token, path: "/#invite=\(token)", expiresAtMilliseconds: expires)
            return Reply.created(invite, at: "/v1/staff/\(member.id)", secret: true)
        },
    ]

    /// The session this request came with (the middleware checked it); not_found for a key
    /// or a staff token.
    static func current(_ ctx: RequestContext) throws -> (PersonSessions.Live, String) {
        guard let held = ctx.session else { throw RPCError.notFound("this request carries no console session (sign in with POST /v1/session)") }
        return (held.live, held.token)
    }

    static func checkPassword(_ password: String, field: String, member: StaffMember) throws {
        if let problem = SessionPolicy.problem(password: password, email: member.email) {
            throw UnacceptableValues(error: .invalidArgument("choose another password", details: [FieldViolation(field: field, description: problem)]))
        }
    }

    /// Password work, or 503 at once when too much of it waits already.
    static func hashing<T>(_ ctx: RequestContext, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch is PasswordHashing.Busy {
            throw RPCError(.unavailable, "too many sign-ins are being checked; retry in a second")
        }
    }

    static func startSession(for member: StaffMember, stamp: Int64, _ ctx: RequestContext) async throws -> HTTPResponse {
        let sessions = try ctx.api.personSessions()
        ctx.api.staffScopes.forget(member.id)
        let (token, session) = try await sessions.start(staffID: member.id, role: member.role, passwordStamp: stamp)
        var response = Reply.json(200, personSession(session, member, ctx), secret: true)
        response.headers.append(SessionCookie.setting(token, seconds: Int(sessions.policy.absolute), request: ctx.request))
        return response
    }

    static func personSession(_ session: PersonSessions.Live, _ member: StaffMember, _ ctx: RequestContext) -> PersonSession {
        let policy = ctx.api.sessions?.policy ?? SessionPolicy()
        return PersonSession(
            staffID: member.id, firstName: member.firstName, lastName: member.lastName, role: member.role, email: member.email,
            csrfToken: session.csrfToken, expiresAtMilliseconds: PersonSessions.milliseconds(session.createdAt.addingTimeInterval(policy.absolute)),
            idleMinutes: Int64(policy.idle / 60))
    }
}

extension GatewayAPI {
    func personSessions() throws(RPCError) -> PersonSessions {
        guard let sessions else { throw RPCError(.unavailable, "this gateway keeps no sessions (it runs without a data folder)") }
        return sessions
    }
}
