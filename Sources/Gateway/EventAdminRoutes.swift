import Contracts
import HTTP
import RPC

/// Parked events (P2) of each service, for an admin: an event a subscriber refused, and
/// those of its aggregate held behind it, wait here until replayed after a fix or
/// discarded.
enum EventAdminRoutes {
    static let services: [String: Route.PathParameter] = ["service": .choice(ServiceBinding.all.map(\.name))]

    static let all: [Route] = [
        Route(
            method: "GET", path: "/v1/admin/events/{service}/parked", pathParameters: services, operationID: "listParkedEvents",
            access: .role(.admin),
            summary: "Events the service could not deliver: refused by a subscriber, or waiting behind one that was (oldest first)",
            query: ListParkedRequest.queryParameters,
            answers: [Route.answer(200, "a page of parked events", ParkedEventList.self)], errors: [404, 422, 503]
        ) { ctx in
            Reply.json(200, try await ctx.callService(EventAdmin.listParked, try ctx.query(ListParkedRequest.self)))
        },
        Route(
            method: "POST", path: "/v1/admin/events/{service}/parked/{id}/replay", pathParameters: services, operationID: "replayParkedEvent",
            access: .role(.admin),
            summary: "Send a parked event and those held behind it to the subscriber again, in order (after a fix)",
            bodyRequired: false,
            answers: [Route.answer(200, "what the subscriber took, and what it refused again", ReplayOutcome.self)], errors: [404, 503]
        ) { ctx in
            Reply.json(200, try await ctx.callService(EventAdmin.replayParked, ParkedEventRequest(id: try ctx.id())))
        },
        Route(
            method: "DELETE", path: "/v1/admin/events/{service}/parked/{id}", pathParameters: services, operationID: "discardParkedEvent",
            access: .role(.admin),
            summary: "Give up on a refused event (never delivered); the events held behind it are sent",
            answers: [Route.answer(200, "what the subscriber took of those held behind it", ReplayOutcome.self)], errors: [404, 409, 503]
        ) { ctx in
            Reply.json(200, try await ctx.callService(EventAdmin.discardParked, ParkedEventRequest(id: try ctx.id())))
        },
    ]
}
