import Contracts
import RPC
import Wire

/// G3 at the door: the gateway works out once what a staff token's member may see
/// (their team, from the org chart contacts keeps) and passes it with every call; the
/// services apply it. API keys see everything.
extension GatewayAPI {
    func visibility(staffID: Int64?, _ ctx: RequestContext) async throws -> Visibility? {
        guard let staffID else { return nil }
        if let cached = staffScopes.lookup(staffID) {
            try await sessionHolds(ctx, passwordStamp: cached.passwordStamp, sees: cached.visibility)
            return cached.visibility
        }
        let team: StaffTeam
        do {
            team = try await ctx.call(Contacts.team, GetStaffRequest(id: staffID))
        } catch let error as RPCError where error.code == .notFound {
            if let held = ctx.session { try await sessions?.end(token: held.token) }
            throw RPCError(.permissionDenied, "this token's staff member \(staffID) does not exist or left")
        }
        let visibility: Visibility? = team.everyone ? nil : Visibility(restricted: true, staffIDs: team.memberIDs)
        staffScopes.store(visibility, passwordStamp: team.passwordChangedAtMilliseconds, for: staffID)
        try await sessionHolds(ctx, passwordStamp: team.passwordChangedAtMilliseconds, sees: visibility)
        return visibility
    }

    /// G6: a session begun under an older password ends, and so does an admin's session of a
    /// member who is no admin any more (both changed through another replica of the gateway,
    /// within the scope cache's few seconds; on this one they ended at once).
    private func sessionHolds(_ ctx: RequestContext, passwordStamp: Int64, sees visibility: Visibility?) async throws {
        guard let held = ctx.session, let sessions else { return }
        let passwordChanged = held.live.passwordStamp < passwordStamp
        let adminNoMore = held.live.role == .admin && visibility != nil
        guard passwordChanged || adminNoMore else { return }
        try await sessions.end(token: held.token)
        throw RPCError(.unauthenticated, "your session has ended: your \(passwordChanged ? "password" : "role") changed; sign in again")
    }

    /// The visibility a contact is read or changed with: none for callers who see
    /// everything and for a staff member who sees one of the contact's deals (they work
    /// with the client), else the caller's own.
    func contactScope(_ contactID: Int64, _ ctx: RequestContext) async throws -> Visibility? {
        guard let visibility = try await ctx.visibility() else { return nil }
        let request = ListDealsRequest(contactID: contactID, visibility: visibility, pageSize: 1)
        // A member who sees one of the contact's deals sees the contact: everything, said
        // explicitly, since contacts narrows a request that says nothing to the principal's own.
        return try await ctx.call(Deals.listDeals, request).deals.isEmpty ? visibility : .everything
    }

    /// The contact if the caller may see it; not_found (as for a missing one) otherwise.
    func visibleContact(_ contactID: Int64, _ ctx: RequestContext) async throws -> Contact {
        try await ctx.call(Contacts.get, GetContactRequest(id: contactID, visibility: try await contactScope(contactID, ctx)))
    }
}
