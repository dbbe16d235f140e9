import Contracts
import HTTP
import RPC
import Wire

/// C8: erasing a person (152-FZ art. 21, GDPR art. 17), an admin's to ask.
enum ErasureRoutes {
    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/contacts/{id}/erase", operationID: "erasePerson", access: .role(.admin),
            summary: """
                Erases a person's data from every service (C8): their record, deal and timeline texts, notes, call numbers and \
                recording links, conversations and the send log, appointment addresses, payer details, stored webhook bodies \
                and audit details. Counts, amounts and money records stay, anonymous. Runs in the background and resumes after a \
                restart: 202 with the erasure to follow at `Location`; asked again, the same erasure (200). Their phones and \
                emails are kept only as salted digests: a hook about something that happened before the erasure does not bring \
                them back. 409 for a contact merged into another (erase that one)
                """,
            answers: [
                Route.answer(202, "the erasure, begun", PersonErasure.self, headers: ["Location"]),
                Route.answer(200, "the erasure asked for before", PersonErasure.self),
            ], errors: [404, 409, 503]
        ) { ctx in
            let erasures = try ctx.api.personErasures()
            let id = try ctx.id()
            let contact = try await ctx.call(Contacts.get, GetContactRequest(id: id, includeDeleted: true))
            if let survivor = contact.mergedInto {
                throw RPCError(.failedPrecondition, "contact \(id) was merged into contact \(survivor): erase that one")
            }
            if let earlier = try await erasures.latest(contactID: id) { return Reply.json(200, earlier) }
            var person = ErasePersonRequest(contactID: id, phones: contact.phones.map(\.number), emails: contact.emails)
            person.names = [contact.firstName, contact.lastName, contact.company].filter { !$0.isEmpty }
            person.dealIDs = try await PersonExport.deals(ctx, contactID: id, upTo: .max).map(\.id)
            let (erasure, created) = try await erasures.begin(person, by: ctx.actor)
            ctx.api.erasureRunner?.wake()
            guard created else { return Reply.json(200, erasure) }
            var response = Reply.json(202, erasure)
            response.headers.append(("Location", "/v1/erasures/\(erasure.id)"))
            return response
        },
        Route(
            method: "GET", path: "/v1/erasures/{id}", operationID: "getErasure", access: .role(.admin),
            summary: "A person's erasure (C8): each service's step, whether it is done, and what it erased",
            answers: [Route.answer(200, "the erasure", PersonErasure.self)], errors: [404, 503]
        ) { ctx in
            let id = try ctx.id()
            guard let erasure = try await ctx.api.personErasures().get(id) else { throw RPCError.notFound("erasure \(id) does not exist") }
            return Reply.json(200, erasure)
        },
    ]
}

extension GatewayAPI {
    func personErasures() throws(RPCError) -> PersonErasures {
        guard let erasures else { throw RPCError(.unavailable, "this gateway erases nobody (it runs without a data folder)") }
        return erasures
    }
}
