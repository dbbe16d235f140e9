import Contracts
import HTTP
import RPC
import Wire

/// Parked events (P2) of each service, for an admin: an event a subscriber refused, and
/// those of its aggregate held behind it, wait here until replayed after a fix or
/// discarded. `telephony` is every replica at once: its ids carry the replica
/// (``TelephonyParkedID``), and its list goes replica by replica.
enum EventAdminRoutes {
    static let services: [String: Route.PathParameter] = ["service": .choice(ServiceBinding.all.map(\.name) + ["telephony"])]

    static let all: [Route] = [
        Route(
            method: "GET", path: "/v1/admin/events/{service}/parked", pathParameters: services, operationID: "listParkedEvents",
            access: .role(.admin),
            summary: "Events the service could not deliver: refused by a subscriber, or waiting behind one that was (oldest first; telephony: every replica's, replica by replica)",
            query: ListParkedRequest.queryParameters,
            answers: [Route.answer(200, "a page of parked events", ParkedEventList.self)], errors: [404, 422, 503]
        ) { ctx in
            let request = try ctx.query(ListParkedRequest.self)
            guard ctx.parameters["service"] == "telephony" else { return Reply.json(200, try await ctx.callService(EventAdmin.listParked, request)) }
            return Reply.json(200, try await telephonyList(ctx, request))
        },
        Route(
            method: "POST", path: "/v1/admin/events/{service}/parked/{id}/replay", pathParameters: services, operationID: "replayParkedEvent",
            access: .role(.admin),
            summary: "Send a parked event and those held behind it to the subscriber again, in order (after a fix)",
            bodyRequired: false,
            answers: [Route.answer(200, "what the subscriber took, and what it refused again", ReplayOutcome.self)], errors: [404, 503]
        ) { ctx in
            Reply.json(200, try await onItsService(ctx, EventAdmin.replayParked))
        },
        Route(
            method: "DELETE", path: "/v1/admin/events/{service}/parked/{id}", pathParameters: services, operationID: "discardParkedEvent",
            access: .role(.admin),
            summary: "Give up on a refused event (never delivered); the events held behind it are sent",
            answers: [Route.answer(200, "what the subscriber took of those held behind it", ReplayOutcome.self)], errors: [404, 409, 503]
        ) { ctx in
            Reply.json(200, try await onItsService(ctx, EventAdmin.discardParked))
        },
    ]

    /// A replay or discard on the service (for telephony, the replica) the id names.
    static func onItsService(_ ctx: RequestContext, _ method: MethodDescriptor<ParkedEventRequest, ReplayOutcome>) async throws -> ReplayOutcome {
        let id = try ctx.id()
        guard ctx.parameters["service"] == "telephony" else { return try await ctx.callService(method, ParkedEventRequest(id: id)) }
        let replicas = try ctx.api.telephonyReplicas()
        guard let (replica, local) = TelephonyParkedID.split(id), replicas.names.indices.contains(replica) else {
            throw RPCError.notFound("parked event \(id) does not exist")
        }
        var outcome = try await ctx.call(method, ParkedEventRequest(id: local), replica: replica, of: replicas)
        outcome.stillParked = outcome.stillParked.map { TelephonyParkedID.global($0, replica: replica) }
        return outcome
    }

    /// Every replica's parked events, in replica order; the cursor names the replica it
    /// continues in and that replica's own cursor.
    static func telephonyList(_ ctx: RequestContext, _ request: ListParkedRequest) async throws -> ParkedEventList {
        let replicas = try ctx.api.telephonyReplicas()
        var replica = 0
        var inner = ""
        if !request.cursor.isEmpty {
            let parts = request.cursor.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count >= 1, let r = Int(parts[0]), replicas.names.indices.contains(r) else {
                throw UnacceptableValues(error: .invalidArgument(
                    "cursor was not issued by this list", details: [FieldViolation(field: "cursor", description: "is not a cursor this list gave")]))
            }
            replica = r
            inner = parts.count == 2 ? parts[1] : ""
        }
        let limit = request.pageSize == 0 ? 100 : Int(request.pageSize)
        var out = ParkedEventList()
        while replica < replicas.names.count, out.events.count < limit {
            var ask = request
            ask.pageSize = Int64(limit - out.events.count)
            ask.cursor = inner
            let page = try await ctx.call(EventAdmin.listParked, ask, replica: replica, of: replicas)
            out.events += page.events.map { TelephonyParkedID.global($0, replica: replica) }
            if !page.nextCursor.isEmpty {
                out.nextCursor = "\(replica).\(page.nextCursor)"
                return out
            }
            replica += 1
            inner = ""
        }
        if replica < replicas.names.count { out.nextCursor = "\(replica)." }
        return out
    }
}

/// A telephony parked event's id as the admin sees it: the replica's index above the
/// replica's own id (whose top bits name the shard file, ``EventSource``), so ids of
/// different replicas never collide.
enum TelephonyParkedID {
    static let replicaShift: Int64 = 53

    static func global(_ event: ParkedEvent, replica: Int) -> ParkedEvent {
        var e = event
        e.id = Int64(replica) << replicaShift | event.id
        return e
    }

    static func split(_ id: Int64) -> (replica: Int, local: Int64)? {
        guard id > 0 else { return nil }
        return (Int(id >> replicaShift), id & ((1 << replicaShift) - 1))
    }
}
