import Contracts
import HTTP
import JSON
import RPC
import Wire

/// The contacts service's face (C1–C4, C6): /v1/contacts and /v1/staff.
enum ContactsRoutes {
    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/contacts", operationID: "matchOrCreateContact", access: .role(.integration),
            summary: "Match-or-create a contact (C2): the existing one when an email (then a phone) matches, new emails and phones added; else a new one",
            body: MatchOrCreateRequest.openAPIInputSchema, example: #"{"firstName":"Anna","lastName":"Petrova","phones":["8 916 123-45-67"],"emails":["anna.petrova@example.com"],"tags":["vip"]}"#,
            answers: [
                Route.Answer(status: 201, description: "created", content: .schema("MatchResult"), headers: ["Location"]),
                Route.Answer(status: 200, description: "matched an existing contact", content: .schema("MatchResult")),
            ],
            errors: [409, 422], idempotencyKey: true,
            links: [Route.Link(name: "GetContact", operationID: "getContact", parameters: ["id": "$response.body#/contact/id"])]
        ) { ctx in
            var request = try ctx.body(MatchOrCreateRequest.self)
            request.visibility = try await ctx.visibility()
            let reply = try await ctx.call(Contacts.matchOrCreate, request)
            var out = JSONOutput()
            out.beginObject()
            out.key("contact")
            reply.contact.writeJSON(to: &out)
            out.key("matched")
            out.bool(!reply.created)
            if !reply.created {
                out.key("matchedBy")
                out.string(reply.matchedBy.name)
                out.key("matchedValue")
                out.string(reply.matchedValue)
            }
            out.endObject()
            var response = Reply.json(reply.created ? 201 : 200, out.bytes)
            if reply.created { response.headers.append(("Location", "/v1/contacts/\(reply.contact.id)")) }
            return response
        },
        Route(
            method: "GET", path: "/v1/contacts", operationID: "searchContacts", access: .role(.reader),
            summary: "Search contacts (C6): every filter given holds; cursor paging. Staff tokens see their team's and unassigned contacts (G3)",
            query: SearchContactsRequest.queryParameters, answers: [Route.answer(200, "a page", ContactPage.self)], errors: [422]
        ) { ctx in
            var request = try ctx.query(SearchContactsRequest.self)
            request.visibility = try await ctx.visibility()
            return Reply.json(200, try await ctx.call(Contacts.search, request))
        },
        Route(
            method: "GET", path: "/v1/contacts/duplicates", operationID: "listDuplicateContacts", access: .role(.admin),
            summary: "Groups of contacts that share an email or phone (C3)",
            query: ListDuplicatesRequest.queryParameters, answers: [Route.answer(200, "the groups", DuplicateGroupList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Contacts.listDuplicates, try ctx.query(ListDuplicatesRequest.self)))
        },
        Route(
            method: "GET", path: "/v1/contacts/export.csv", operationID: "exportContacts", access: .role(.reader),
            summary: "A segment as CSV (C6): the filters of GET /v1/contacts, every page, formulas defused",
            query: SearchContactsRequest.queryParameters.filter { !$0.hasSuffix(".limit") && !$0.hasSuffix(".cursor") },
            answers: [Route.Answer(status: 200, description: "CSV", content: .csv)], errors: [422]
        ) { ctx in
            var template = try ctx.query(SearchContactsRequest.self)
            template.visibility = try await ctx.visibility()
            template.pageSize = 500
            // Issue 26: a column per declared field, after the contact's own.
            let fields = try await ctx.call(Contacts.listFields, Empty()).fields.filter { !$0.archived }.map(\.name)
            let header = ["id", "first_name", "last_name", "emails", "phones", "company", "tags", "source", "created_at"] + fields.map { "field_\($0)" }
            return try await CSVExport.response(file: "contacts.csv", header: header, what: "contacts", limit: ctx.api.configuration.maxExportRows) { cursor in
                var request = template
                request.cursor = cursor
                let page = try await ctx.call(Contacts.search, request)
                let rows = page.contacts.map { c -> [String] in
                    let values = Dictionary(c.customFields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                    let own: [String] = [String(c.id), c.firstName, c.lastName, c.emails.joined(separator: ";"), c.phones.map(\.number).joined(separator: ";"),
                                         c.company, c.tags.joined(separator: ";"), c.source?.channel ?? "", RFC3339.format(milliseconds: c.createdAtMilliseconds)]
                    return own + fields.map { values[$0] ?? "" }
                }
                return (rows, page.nextCursor)
            }
        },
        Route(
            method: "GET", path: "/v1/contacts/{id}", operationID: "getContact", access: .role(.reader),
            summary: "A contact; a merged one says mergedInto", answers: [Route.answer(200, "the contact", Contact.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.api.visibleContact(try ctx.id(), ctx))
        },
        Route(
            method: "GET", path: "/v1/contacts/{id}/attendance", operationID: "contactAttendance", access: .role(.reader),
            summary: "The events the contact had tickets to (C5), newest first, with the ticket's status and whether they came",
            answers: [Route.answer(200, "the attendance records", AttendanceList.self)], errors: [404]
        ) { ctx in
            let id = try ctx.id()
            return Reply.json(200, try await ctx.call(Contacts.listAttendance, ListAttendanceRequest(contactID: id, visibility: try await ctx.api.contactScope(id, ctx))))
        },
        Route(
            method: "GET", path: "/v1/contacts/{id}/export", operationID: "exportPerson", access: .role(.admin),
            summary: """
                Everything held about one person, from every service, as one JSON document (P5: their request to see their \
                data): their record, attendance, timeline, deals and appointments, calls from or to their numbers, \
                conversations and messages, the send log, payments, recurring payments, prepaid balances and consents. Recorded in the audit log as an export
                """,
            answers: [Route.answer(200, "the person's data", PersonData.self)], errors: [404]
        ) { ctx in
            var response = Reply.json(200, try await PersonExport.document(ctx, contactID: try ctx.id()))
            response.headers.append(("Cache-Control", "no-store"))
            return response
        },
        Route(
            method: "POST", path: "/v1/contacts/{id}/consents", operationID: "recordConsent", access: .role(.integration),
            summary: """
                Records a person's consent for one channel (email, sms, whatsapp, telegram, calls) and purpose (service, \
                marketing), given or withdrawn, with where and when they said it (C8). The latest word per channel and purpose \
                stands: notifications send marketing only to those who gave it and nothing to those who withdrew it; a withdrawn \
                `calls` puts their numbers on the dialer's do-not-call list
                """,
            body: Consent.openAPIInputSchema, example: #"{"channel":"email","purpose":"marketing","granted":true,"source":"web form /signup"}"#,
            answers: [Route.answer(200, "their consents now and their history", ContactConsents.self)], errors: [404, 422]
        ) { ctx in
            let id = try ctx.id()
            _ = try await ctx.api.visibleContact(id, ctx)
            var word = try ctx.body(Consent.self)
            word.contactID = id
            return Reply.json(200, try await ctx.call(Contacts.recordConsent, word))
        },
        Route(
            method: "GET", path: "/v1/contacts/{id}/consents", operationID: "contactConsents", access: .role(.reader),
            summary: "A person's consents now (the latest word per channel and purpose) and every word they gave, newest first (C8)",
            answers: [Route.answer(200, "their consents", ContactConsents.self)], errors: [404]
        ) { ctx in
            let id = try ctx.id()
            return Reply.json(200, try await ctx.call(Contacts.consents, GetContactRequest(id: id, visibility: try await ctx.api.contactScope(id, ctx))))
        },
        Route(
            method: "PATCH", path: "/v1/contacts/{id}", operationID: "updateContact", access: .role(.integration),
            summary: "Change some fields; lists given are replaced, null clears responsibleId",
            body: UpdateContactRequest.openAPIInputSchema, example: #"{"company":"Okna LLC","phones":["+79161234567"]}"#, answers: [Route.answer(200, "the contact as it is now", Contact.self)],
            errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(UpdateContactRequest.self)
            request.id = try ctx.id()
            request.visibility = try await ctx.api.contactScope(request.id, ctx)
            return Reply.json(200, try await ctx.call(Contacts.update, request))
        },
        Route(
            method: "DELETE", path: "/v1/contacts/{id}", operationID: "deleteContact", access: .role(.admin),
            summary: "Soft delete: gone from searches; reading it says deleted", answers: [Route.Answer(status: 204, description: "deleted", content: .none)],
            errors: [404]
        ) { ctx in
            _ = try await ctx.call(Contacts.delete, DeleteContactRequest(id: try ctx.id()))
            return HTTPResponse(status: 204)
        },
        Route(
            method: "POST", path: "/v1/contacts/{id}/merge", operationID: "mergeContacts", access: .role(.admin),
            summary: "Merge contact `from` into this one (C3); cannot be undone, so only an explicit id is taken",
            body: MergeContactsRequest.openAPIInputSchema, example: #"{"from":2}"#, answers: [Route.answer(200, "merged", MergeContactsResponse.self)],
            errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(MergeContactsRequest.self)
            request.survivorID = try ctx.id()
            request.mergedBy = "api:\(ctx.role?.rawValue ?? "")"
            return Reply.json(200, try await ctx.call(Contacts.merge, request))
        },
        Route(
            method: "GET", path: "/v1/staff", operationID: "listStaff", access: .role(.reader),
            summary: "Staff members (C4), by id, cursor paging", query: ListStaffRequest.queryParameters,
            answers: [Route.answer(200, "a page", StaffList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Contacts.listStaff, try ctx.query(ListStaffRequest.self)))
        },
        Route(
            method: "GET", path: "/v1/staff/{id}", operationID: "getStaffMember", access: .role(.reader),
            summary: "A staff member", answers: [Route.answer(200, "the member", StaffMember.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Contacts.getStaff, GetStaffRequest(id: try ctx.id())))
        },
        Route(
            method: "POST", path: "/v1/staff", operationID: "createStaffMember", access: .role(.admin),
            summary: "Add a staff member (C4); a number someone else has is refused", body: StaffMember.openAPIInputSchema, example: #"{"firstName":"Ivan","role":"operator","extensions":["201"]}"#,
            answers: [Route.answer(201, "created", StaffMember.self, headers: ["Location"])], errors: [409, 422], idempotencyKey: true,
            links: [Route.Link(name: "GetStaffMember", operationID: "getStaffMember", parameters: ["id": "$response.body#/id"])]
        ) { ctx in
            let member = try await ctx.call(Contacts.createStaff, try ctx.body(StaffMember.self))
            return Reply.created(member, at: "/v1/staff/\(member.id)")
        },
        Route(
            method: "PUT", path: "/v1/staff/{id}", operationID: "updateStaffMember", access: .role(.admin),
            summary: "Change a staff member (C4, issue 26), in full; each change is kept in their history",
            body: StaffEdit.openAPIInputSchema, example: #"{"firstName":"Ivan","lastName":"Petrov","role":"manager","extensions":["201"]}"#,
            answers: [Route.answer(200, "the member as they are now", StaffMember.self)], errors: [404, 409, 422]
        ) { ctx in
            var edit = try ctx.body(StaffEdit.self)
            edit.staffID = try ctx.id()
            let member = try await ctx.call(Contacts.updateStaff, edit)
            // G6: a session acts with the role it was signed in with; a new role needs a new sign-in.
            try await ctx.api.sessions?.end(staffID: member.id, unlessRole: member.role)
            return Reply.json(200, member)
        },
        Route(
            method: "POST", path: "/v1/staff/{id}/deactivate", operationID: "deactivateStaffMember", access: .role(.admin),
            summary: """
                A staff member leaves (issue 26): their tokens are refused from the next request, their numbers leave call \
                routing, and their open deals, tasks, dialer lease, callbacks and conversations go to handToId (else their supervisor)
                """,
            body: DeactivateStaffRequest.openAPIInputSchema, example: #"{"handToId":2}"#,
            answers: [Route.answer(200, "the member, deactivated", StaffMember.self)], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(DeactivateStaffRequest.self)
            request.staffID = try ctx.id()
            let staffID = request.staffID
            @Sendable func revokeTokens() async throws {
                ctx.api.keyring.revoke(staffID: staffID)
                // G6: their console sessions here end now (contacts forgot their password; other
                // replicas refuse their sessions as soon as contacts says they left).
                try await ctx.api.sessions?.end(staffID: staffID, why: "deactivated")
                guard let credentials = ctx.api.credentials else { return }
                for id in try await credentials.revoke(staffID: staffID) { ctx.api.keyring.revoke(credentialID: id) }
            }
            let member: StaffMember
            do {
                member = try await ctx.call(Contacts.deactivateStaff, request)
            } catch {
                // Deactivated already (a retry after the revocation below failed): their tokens go now all the same.
                if (error as? RPCError)?.code == .failedPrecondition { try await revokeTokens() }
                throw error
            }
            try await revokeTokens()
            return Reply.json(200, member)
        },
        Route(
            method: "GET", path: "/v1/staff/{id}/history", operationID: "staffMemberHistory", access: .role(.admin),
            summary: "Every change to a staff member, with who made it and when (issue 26)",
            answers: [Route.answer(200, "the changes, oldest first", SetupHistory.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Contacts.staffHistory, SetupHistoryRequest(id: try ctx.id())))
        },
    ]
}
