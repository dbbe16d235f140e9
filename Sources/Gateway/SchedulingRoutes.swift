import Contracts
import Foundation
import HTTP
import JSON
import RPC
import Wire

/// Resources, slots and appointments (S1, S2). An appointment belongs to a deal: a
/// caller sees and books only for deals it sees (G3).
enum SchedulingRoutes {
    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/resources", operationID: "createResource", access: .role(.admin),
            summary: "Add an engineer, teacher or room with weekly hours in its own time zone (S1)",
            body: Resource.openAPIInputSchema,
            example: #"{"name":"Ivan (measurer)","kind":"engineer","staffId":2,"timeZone":"Europe/Moscow","hours":[{"weekday":1,"fromMinute":540,"toMinute":1080}],"zones":["north"],"skills":["measurement"]}"#,
            answers: [Route.answer(201, "created", Resource.self, headers: ["Location"])], errors: [422]
        ) { ctx in
            let input = try ctx.body(Resource.self)
            if let staff = input.staffID { try await ctx.requireStaff(staff) }
            let resource = try await ctx.call(Scheduling.createResource, input)
            return Reply.created(resource, at: "/v1/resources/\(resource.id)")
        },
        Route(
            method: "GET", path: "/v1/resources", operationID: "listResources", access: .role(.reader),
            summary: "Resources, by id, optionally with a skill and in a zone", query: ListResourcesRequest.queryParameters,
            answers: [Route.answer(200, "resources", ResourceList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Scheduling.listResources, try ctx.query(ListResourcesRequest.self)))
        },
        Route(
            method: "GET", path: "/v1/resources/{id}", operationID: "getResource", access: .role(.reader),
            summary: "A resource with its hours, days off and overrides", answers: [Route.answer(200, "the resource", Resource.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Scheduling.getResource, GetResourceRequest(id: try ctx.id())))
        },
        Route(
            method: "PUT", path: "/v1/resources/{id}", operationID: "replaceResource", access: .role(.admin),
            summary: "Replace a resource's name, staff member, time zone, hours, days off, overrides, zones and skills (its kind stays); bookings made already are kept",
            body: Resource.openAPIInputSchema,
            example: #"{"name":"Ivan (measurer)","kind":"engineer","timeZone":"Europe/Moscow","hours":[{"weekday":1,"fromMinute":600,"toMinute":1080}],"daysOff":["2027-01-07"],"zones":["north"],"skills":["measurement"]}"#,
            answers: [Route.answer(200, "the resource", Resource.self)], errors: [404, 409, 422]
        ) { ctx in
            var input = try ctx.body(Resource.self)
            input.id = try ctx.id()
            if let staff = input.staffID { try await ctx.requireStaff(staff) }
            return Reply.json(200, try await ctx.call(Scheduling.updateResource, input))
        },
        Route(
            method: "POST", path: "/v1/resources/{id}/archive", operationID: "archiveResource", access: .role(.admin),
            summary: """
                Archive a resource (S1, issue 26): no new booking, slot or lesson takes it; what it has booked stays, and the \
                answer lists the appointments and lessons still ahead, to rebook
                """,
            answers: [Route.answer(200, "the resource and what it has ahead", ResourceArchive.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Scheduling.archiveResource, ArchiveResourceRequest(resourceID: try ctx.id())))
        },
        Route(
            method: "GET", path: "/v1/resources/{id}/history", operationID: "resourceHistory", access: .role(.admin),
            summary: "Every change to a resource, with who made it and when (issue 26)",
            answers: [Route.answer(200, "the changes, oldest first", SetupHistory.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await ctx.call(Scheduling.resourceHistory, SetupHistoryRequest(id: try ctx.id())))
        },
        Route(
            method: "GET", path: "/v1/resources/{id}/calendar", operationID: "resourceCalendar", access: .role(.reader),
            summary: "A resource's working time and appointments over a period (a day, a week; S3); a staff member sees their own and their team's",
            query: CalendarRequest.queryParameters, answers: [Route.answer(200, "the period", ResourceCalendar.self)], errors: [404]
        ) { ctx in
            var request = try ctx.query(CalendarRequest.self)
            request.resourceID = try ctx.id()
            // G3 (whose calendar, which appointments show as busy only) is scheduling's own.
            return Reply.json(200, try await ctx.call(Scheduling.calendar, request))
        },
        Route(
            method: "GET", path: "/v1/calendar/deals", operationID: "dealsCalendar", access: .role(.reader),
            summary: "The deals calendar (S3): by day, each deal's appointments and scheduled dates with its status, for the deals the caller sees",
            query: DealsCalendarRequest.queryParameters, answers: [Route.answer(200, "days with entries", DealsCalendar.self)], errors: [422]
        ) { ctx in
            Reply.json(200, try await dealsCalendar(try ctx.query(DealsCalendarRequest.self), ctx))
        },
        Route(
            method: "POST", path: "/v1/resources/{id}/feed", operationID: "issueCalendarFeed", access: .role(.admin),
            summary: "A new secret address for the resource's iCalendar feed (the old one stops working); shown once",
            bodyRequired: false, answers: [Route.answer(201, "the feed's path", FeedLink.self)], errors: [404]
        ) { ctx in
            let link = try await ctx.call(Scheduling.issueFeed, GetResourceRequest(id: try ctx.id()))
            return Reply.created(link, at: link.path, secret: true)
        },
        Route(
            method: "POST", path: "/v1/me/feed", operationID: "issueMyCalendarFeed", access: .role(.integration),
            summary: """
                A new secret address for the iCalendar feed of the resource the signed-in staff member is (G6: an engineer puts \
                their appointments in their phone's calendar); the old one stops working; shown once
                """,
            bodyRequired: false, answers: [Route.answer(201, "the feed's path", FeedLink.self)], errors: [404, 422]
        ) { ctx in
            guard let staff = ctx.staffID else {
                throw UnacceptableValues(error: .invalidArgument("my feed is a staff member's: use a staff token or sign in", details: [FieldViolation(field: "Authorization", description: "is an API key, not a staff token")]))
            }
            let mine = try await ctx.call(Scheduling.listResources, ListResourcesRequest(pageSize: 1, staffID: staff)).resources
            guard let resource = mine.first else { throw RPCError.notFound("no resource (engineer, teacher) is staff member \(staff)") }
            let link = try await ctx.call(Scheduling.issueFeed, GetResourceRequest(id: resource.id))
            return Reply.created(link, at: link.path, secret: true)
        },
        Route(
            method: "GET", path: "/v1/calendars/{feed}", pathParameters: ["feed": feedName], operationID: "calendarFeed", access: .open,
            summary: "A resource's appointments from 30 days back to 90 days ahead (cancelled ones as cancelled) as iCalendar (RFC 5545) for a phone's calendar app; the secret in the address is the credential",
            answers: [Route.Answer(status: 200, description: "text/calendar", content: .calendar)], errors: [404]
        ) { ctx in
            let name = ctx.parameters["feed"] ?? ""
            let feed = try await ctx.call(Scheduling.feed, FeedRequest(token: String(name.dropLast(4))))
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "text/calendar; charset=utf-8"), ("Cache-Control", "no-store")], body: Array(feed.text.utf8))
        },
        Route(
            method: "GET", path: "/v1/me/day", operationID: "myDay", access: .role(.integration),
            summary: "An engineer's day (staff token): the stops in order, each with its deal, the contact's name and phone, the address and notes",
            query: DayRequest.queryParameters, answers: [Route.answer(200, "the stops", MyDay.self)], errors: [422]
        ) { ctx in
            var request = try ctx.query(DayRequest.self)
            guard let staff = ctx.staffID else {
                throw UnacceptableValues(error: .invalidArgument("my day is a staff member's: use a staff token", details: [FieldViolation(field: "Authorization", description: "is an API key, not a staff token")]))
            }
            request.staffID = staff
            let list = try await ctx.call(Scheduling.day, request)
            // The stops are the engineer's: each deal and its contact is read for them, in
            // one call each for the whole day. A service that does not answer fails the
            // request (503/504): a day never comes back with its stops silently bare.
            // Said explicitly: the services would otherwise narrow them to what the token's member is responsible for.
            let deals = try await dealsByID(list.appointments.map(\.dealID), visibility: .everything, ctx)
            let contacts = try await contactsByID(deals.values.map(\.contactID), ctx)
            var day = MyDay(date: request.date)
            for a in list.appointments {
                var stop = Stop(appointment: a)
                if let deal = deals[a.dealID] {
                    stop.dealTitle = deal.title
                    if let contact = contacts[deal.contactID] {
                        stop.contactName = [contact.firstName, contact.lastName].filter { !$0.isEmpty }.joined(separator: " ")
                        stop.contactPhone = contact.phones.first?.number ?? ""
                    }
                }
                day.stops.append(stop)
            }
            return Reply.json(200, day)
        },
        Route(
            method: "GET", path: "/v1/slots", operationID: "findSlots", access: .role(.reader),
            summary: "The earliest free slots across every resource with the skill and zone (S2)", query: SlotRequest.queryParameters,
            answers: [Route.answer(200, "slots, earliest first", SlotList.self)]
        ) { ctx in
            Reply.json(200, try await ctx.call(Scheduling.findSlots, try ctx.query(SlotRequest.self)))
        },
        Route(
            method: "POST", path: "/v1/appointments", operationID: "bookAppointment", access: .role(.integration),
            summary: "Book an appointment for a deal; 409 with the next free slots (`alternatives`) when a resource is busy then",
            extraQuery: [Route.QueryParameter(name: "override", kind: .reason, description: "admins only: book outside working hours or the notice, saying why (never over another appointment)")],
            body: Appointment.openAPIInputSchema,
            example: #"{"dealId":1,"kind":"measurement","resourceIds":[1],"start":"2027-01-15T07:00:00Z","end":"2027-01-15T08:00:00Z","bufferAfter":30,"address":"Lenina 1","zone":"north"}"#,
            answers: [Route.answer(201, "booked", Appointment.self, headers: ["Location"])], errors: [403, 409, 422],
            links: [
                Route.Link(name: "GetAppointment", operationID: "getAppointment", parameters: ["id": "$response.body#/id"]),
                Route.Link(name: "MoveAppointment", operationID: "moveAppointment", parameters: ["id": "$response.body#/id"]),
                Route.Link(name: "CancelAppointment", operationID: "cancelAppointment", parameters: ["id": "$response.body#/id"]),
            ]
        ) { ctx in
            var appointment = try ctx.body(Appointment.self)
            try await requireDeal(appointment.dealID, ctx)
            appointment.by = ctx.actor
            if let reason = ctx.request.query["override"] {
                guard ctx.role == .admin, ctx.staffID == nil else { throw RPCError(.permissionDenied, "only an admin key may override working hours") }
                guard TextRule.nonBlank.problem(reason) == nil, reason.unicodeScalars.count <= 1000 else {
                    throw RPCError.invalidArgument("say why in override", details: [FieldViolation(field: "override", description: "must be 1 to 1,000 characters")])
                }
                appointment.overrideAs = reason
            }
            let result = try await ctx.call(Scheduling.book, appointment)
            guard result.booked else { return clash(result, ctx) }
            return Reply.created(result.appointment, at: "/v1/appointments/\(result.appointment.id)")
        },
        Route(
            method: "GET", path: "/v1/appointments/{id}", operationID: "getAppointment", access: .role(.reader),
            summary: "An appointment with its history of moves", answers: [Route.answer(200, "the appointment", Appointment.self)], errors: [404]
        ) { ctx in
            // G3 is scheduling's own: an appointment of a deal the person does not see is not_found.
            Reply.json(200, try await ctx.call(Scheduling.getAppointment, GetAppointmentRequest(id: try ctx.id())))
        },
        Route(
            method: "POST", path: "/v1/appointments/{id}/move", operationID: "moveAppointment", access: .role(.integration),
            summary: "New times, checked like a booking (409 with alternatives); the old ones stay in the history with who and why",
            body: MoveRequest.openAPIInputSchema, example: #"{"start":"2027-01-16T07:00:00Z","end":"2027-01-16T08:00:00Z","reason":"the client asked"}"#,
            answers: [Route.answer(200, "moved", Appointment.self)], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(MoveRequest.self)
            request.id = try ctx.id()
            request.by = ctx.actor
            let result = try await ctx.call(Scheduling.moveAppointment, request)
            return result.booked ? Reply.json(200, result.appointment) : clash(result, ctx)
        },
        Route(
            method: "GET", path: "/v1/deals/{id}/appointments", operationID: "dealAppointments", access: .role(.reader),
            summary: "A deal's appointments, every status, by start (S2; the deal card); a deal the caller does not see: 404",
            answers: [Route.answer(200, "the appointments", AppointmentList.self)], errors: [404]
        ) { ctx in
            let dealID = try ctx.id()
            _ = try await ctx.call(Deals.getDeal, GetDealRequest(id: dealID, visibility: try await ctx.visibility()))
            return Reply.json(200, try await ctx.call(Scheduling.dealAppointments, GetDealAppointmentsRequest(dealID: dealID)))
        },
        Route(
            method: "POST", path: "/v1/appointments/{id}/complete", operationID: "completeAppointment", access: .role(.integration),
            summary: "Mark a booked appointment done, or the client not there (no_show), with the engineer's notes (S3, G6)",
            body: CompleteAppointmentRequest.openAPIInputSchema, example: #"{"outcome":"done","notes":"measured: 3 windows"}"#,
            answers: [Route.answer(200, "the appointment as it is now", Appointment.self)], errors: [404, 409]
        ) { ctx in
            var request = try ctx.body(CompleteAppointmentRequest.self)
            request.id = try ctx.id()
            request.by = ctx.actor
            return Reply.json(200, try await ctx.call(Scheduling.completeAppointment, request))
        },
        Route(
            method: "POST", path: "/v1/appointments/{id}/cancel", operationID: "cancelAppointment", access: .role(.integration),
            summary: "Cancel with a reason; its time is free again", body: CancelRequest.openAPIInputSchema, example: #"{"reason":"the client bought elsewhere"}"#,
            answers: [Route.answer(200, "cancelled", Appointment.self)], errors: [404, 409]
        ) { ctx in
            var request = try ctx.body(CancelRequest.self)
            request.id = try ctx.id()
            request.by = ctx.actor
            return Reply.json(200, try await ctx.call(Scheduling.cancelAppointment, request))
        },
        Route(
            method: "POST", path: "/v1/series", operationID: "createSeries", access: .role(.integration),
            summary: "A series of sessions (S5): participants are reminded `reminderMinutes` (120) before each session from the second on",
            body: Series.openAPIInputSchema, example: #"{"name":"Volunteers' course","reminderMinutes":120}"#,
            answers: [Route.answer(201, "created", Series.self, headers: ["Location"])], errors: [422]
        ) { ctx in
            let series = try await ctx.call(Scheduling.createSeries, try ctx.body(Series.self))
            return Reply.created(series, at: "/v1/series/\(series.id)")
        },
        Route(
            method: "GET", path: "/v1/series/{id}", operationID: "getSeries", access: .role(.reader),
            summary: "A series with its sessions in order and its participants (a staff member who sees only their own clients gets no participant list)",
            answers: [Route.answer(200, "the series", Series.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await seriesAnswer(try await ctx.call(Scheduling.getSeries, GetSeriesRequest(id: try ctx.id())), ctx))
        },
        Route(
            method: "POST", path: "/v1/series/{id}/sessions", operationID: "addSession", access: .role(.integration),
            summary: "Add a session; reminders are planned with it", body: SeriesSession.openAPIInputSchema,
            example: #"{"title":"Second meeting","start":"2027-01-20T15:00:00Z","end":"2027-01-20T17:00:00Z"}"#,
            answers: [Route.answer(200, "the series", Series.self)], errors: [404, 422]
        ) { ctx in
            var session = try ctx.body(SeriesSession.self)
            session.seriesID = try ctx.id()
            return Reply.json(200, try await seriesAnswer(try await ctx.call(Scheduling.addSession, session), ctx))
        },
        Route(
            method: "POST", path: "/v1/series/{id}/participants", operationID: "enrollParticipant", access: .role(.integration),
            summary: "Enrol a contact; reminded only for sessions still ahead", body: EnrollRequest.openAPIInputSchema, example: #"{"contactId":1}"#,
            answers: [Route.answer(200, "the series", Series.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.body(EnrollRequest.self)
            request.seriesID = try ctx.id()
            try await ctx.requireContact(request.contactID)
            return Reply.json(200, try await seriesAnswer(try await ctx.call(Scheduling.enroll, request), ctx))
        },
        Route(
            method: "POST", path: "/v1/sessions/{id}/move", operationID: "moveSession", access: .role(.integration),
            summary: "New times for a session; its reminders move in the same transaction", body: MoveSessionRequest.openAPIInputSchema,
            example: #"{"start":"2027-01-21T15:00:00Z","end":"2027-01-21T17:00:00Z"}"#,
            answers: [Route.answer(200, "the series", Series.self)], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(MoveSessionRequest.self)
            request.id = try ctx.id()
            return Reply.json(200, try await seriesAnswer(try await ctx.call(Scheduling.moveSession, request), ctx))
        },
        Route(
            method: "POST", path: "/v1/sessions/{id}/cancel", operationID: "cancelSession", access: .role(.integration),
            summary: "Cancel a session; its reminders go", bodyRequired: false,
            answers: [Route.answer(200, "the series", Series.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await seriesAnswer(try await ctx.call(Scheduling.cancelSession, GetSessionRequest(id: try ctx.id())), ctx))
        },
        Route(
            method: "POST", path: "/v1/groups", operationID: "createGroup", access: .role(.admin),
            summary: "A school group (S4): its weekly lessons between two dates are made at once, every one checked against the teacher's and room's time; 409 listing each clash",
            body: Group.openAPIInputSchema,
            example: #"{"name":"English B1 evening","course":"English","level":"B1","teacherId":1,"roomId":2,"capacity":8,"weekly":[{"weekday":2,"fromMinute":1140,"toMinute":1230}],"timeZone":"Europe/Moscow","firstDate":"2027-01-12","lastDate":"2027-05-25"}"#,
            answers: [Route.answer(201, "created with its lessons", Group.self, headers: ["Location"])], errors: [409, 422],
            links: [
                Route.Link(name: "GetGroup", operationID: "getGroup", parameters: ["id": "$response.body#/id"]),
                Route.Link(name: "MoveFirstLesson", operationID: "moveLesson", parameters: ["id": "$response.body#/lessons/0/id"]),
                Route.Link(name: "GroupEconomics", operationID: "groupEconomics", parameters: ["id": "$response.body#/id"]),
            ]
        ) { ctx in
            let result = try await ctx.call(Scheduling.createGroup, try ctx.body(Group.self))
            guard result.created else {
                return Problem.response(
                    status: 409, title: "Conflict", detail: "\(result.clashes.count) lessons clash; nothing was created", code: "aborted",
                    violations: result.clashes.prefix(50).map { FieldViolation(field: "weekly", description: $0) }, requestID: ctx.requestID)
            }
            return Reply.created(result.group, at: "/v1/groups/\(result.group.id)")
        },
        Route(
            method: "GET", path: "/v1/groups", operationID: "listGroups", access: .role(.reader),
            summary: "Groups by id (S4), by course, level, teacher, or with a seat left; each with its seats taken, without lessons or students",
            query: ListGroupsRequest.queryParameters, answers: [Route.answer(200, "groups", GroupList.self)], errors: [422]
        ) { ctx in
            Reply.json(200, try await ctx.call(Scheduling.listGroups, try ctx.query(ListGroupsRequest.self)))
        },
        Route(
            method: "GET", path: "/v1/groups/{id}", operationID: "getGroup", access: .role(.reader),
            summary: "A group with its lessons and enrolments (their history); a staff member who sees only their own clients gets no enrolment list",
            answers: [Route.answer(200, "the group", Group.self)], errors: [404]
        ) { ctx in
            Reply.json(200, try await groupAnswer(try await ctx.call(Scheduling.getGroup, GetGroupRequest(id: try ctx.id())), ctx))
        },
        Route(
            method: "POST", path: "/v1/lessons/{id}/move", operationID: "moveLesson", access: .role(.integration),
            summary: "One lesson to new times, checked like the others (409 naming the clash); an admin or the group's teacher only (403)", body: MoveRequest.openAPIInputSchema,
            example: #"{"start":"2027-01-13T16:00:00Z","end":"2027-01-13T17:30:00Z","reason":"the teacher is ill on Tuesday"}"#,
            answers: [Route.answer(200, "the group", Group.self)], errors: [404, 409, 422]
        ) { ctx in
            var request = try ctx.body(MoveRequest.self)
            request.id = try ctx.id()
            request.by = ctx.actor
            request.actingStaffID = try await lessonChanger(ctx)
            let result = try await ctx.call(Scheduling.moveLesson, request)
            guard result.created else {
                return Problem.response(status: 409, title: "Conflict", detail: "the lesson clashes: \(result.clashes.joined(separator: "; "))", code: "aborted", requestID: ctx.requestID)
            }
            return Reply.json(200, try await groupAnswer(result.group, ctx))
        },
        Route(
            method: "POST", path: "/v1/lessons/{id}/cancel", operationID: "cancelLesson", access: .role(.integration),
            summary: "Cancel one lesson; an admin or the group's teacher only (403)", body: CancelRequest.openAPIInputSchema, example: #"{"reason":"public holiday"}"#,
            answers: [Route.answer(200, "the group", Group.self)], errors: [403, 404]
        ) { ctx in
            var request = try ctx.body(CancelRequest.self)
            request.id = try ctx.id()
            request.by = ctx.actor
            request.actingStaffID = try await lessonChanger(ctx)
            return Reply.json(200, try await groupAnswer(try await ctx.call(Scheduling.cancelLesson, request), ctx))
        },
        Route(
            method: "POST", path: "/v1/groups/{id}/enrolments", operationID: "enrol", access: .role(.integration),
            summary: "A student in the group as trial (default) or active; a full group puts them on its waitlist (`waitlisted`, `position`)",
            body: EnrolmentRequest.openAPIInputSchema, example: #"{"contactId":1,"status":"trial"}"#,
            answers: [Route.answer(200, "the enrolment", EnrolmentResult.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.body(EnrolmentRequest.self)
            request.groupID = try ctx.id()
            try await ctx.requireContact(request.contactID)
            request.why = "enrolled by \(ctx.actor)"
            return Reply.json(200, try await ctx.call(Scheduling.enrol, request))
        },
        Route(
            method: "POST", path: "/v1/groups/{id}/leave", operationID: "leaveGroup", access: .role(.integration),
            summary: "The student leaves the group; their history stays", body: EnrolmentRequest.openAPIInputSchema, example: #"{"contactId":1}"#,
            answers: [Route.answer(200, "the group", Group.self)], errors: [404, 422]
        ) { ctx in
            var request = try ctx.body(EnrolmentRequest.self)
            request.groupID = try ctx.id()
            try await ctx.requireContact(request.contactID)
            request.why = "left, said \(ctx.actor)"
            return Reply.json(200, try await groupAnswer(try await ctx.call(Scheduling.leave, request), ctx))
        },
        attendanceRoute(path: "/v1/lessons/{id}/attendance", operationID: "markLessonAttendance", what: "a lesson of a group (its enrolled students)") { $0.lessonID = $1 },
        attendanceRoute(path: "/v1/sessions/{id}/attendance", operationID: "markSessionAttendance", what: "a session of a series (its participants)") { $0.sessionID = $1 },
    ]

    /// S6: one student's mark; the contact must be one the caller sees.
    static func attendanceRoute(path: String, operationID: String, what: String, place: @escaping @Sendable (inout LessonAttendance, Int64) -> Void) -> Route {
        Route(
            method: "POST", path: path, operationID: operationID, access: .role(.integration),
            summary: "Mark who was at \(what): present, absent or excused (a new mark replaces the old)",
            body: LessonAttendance.openAPIInputSchema, example: #"{"contactId":1,"mark":"present"}"#,
            answers: [Route.answer(200, "the mark", LessonAttendance.self)], errors: [404, 409, 422]
        ) { ctx in
            var record = try ctx.body(LessonAttendance.self)
            place(&record, try ctx.id())
            try await ctx.requireContact(record.contactID)
            record.markedBy = ctx.actor
            return Reply.json(200, try await ctx.call(Scheduling.recordAttendance, record))
        }
    }

    /// At most this many deals or appointments in one calendar.
    static let calendarLimit = 5_000

    static func dealsCalendar(_ request: DealsCalendarRequest, _ ctx: RequestContext) async throws -> DealsCalendar {
        let zoneName = request.timeZone.isEmpty ? "UTC" : request.timeZone
        guard let zone = TimeZone(identifier: zoneName) else {
            throw UnacceptableValues(error: .invalidArgument("timeZone is not an IANA zone", details: [FieldViolation(field: "timeZone", description: "is \"\(zoneName)\"")]))
        }
        let visibility = try await ctx.visibility()
        var entries: [CalendarEntry] = []
        // Deals scheduled in the period, page by page (G3 applied by deals).
        var list = ListDealsRequest()
        list.scheduledFromMilliseconds = request.fromMilliseconds
        list.scheduledToMilliseconds = request.toMilliseconds
        list.visibility = visibility
        list.pageSize = 500
        repeat {
            let page = try await ctx.call(Deals.listDeals, list)
            for d in page.deals {
                entries.append(CalendarEntry(kind: "scheduled", dealID: d.id, dealTitle: d.title, dealStatus: d.status.name, stageID: d.stageID, startMilliseconds: d.scheduledAtMilliseconds ?? 0))
            }
            list.cursor = page.nextCursor
            guard entries.count <= calendarLimit else { throw RPCError(.resourceExhausted, "more than \(calendarLimit) entries: ask for a shorter period") }
        } while !list.cursor.isEmpty
        // Appointments in the period, of the deals the caller sees.
        let appointments = try await ctx.call(
            Scheduling.appointmentsBetween, CalendarRequest(fromMilliseconds: request.fromMilliseconds, toMilliseconds: request.toMilliseconds))
        guard appointments.appointments.count <= calendarLimit else { throw RPCError(.resourceExhausted, "more than \(calendarLimit) appointments: ask for a shorter period") }
        // The deals the caller sees, read in batches; one they may not see is left out, and
        // deals not answering fails the request rather than leaving gaps.
        let deals = try await dealsByID(appointments.appointments.map(\.dealID), visibility: visibility, ctx)
        for a in appointments.appointments {
            guard let deal = deals[a.dealID] else { continue }
            entries.append(CalendarEntry(
                kind: "appointment", dealID: deal.id, dealTitle: deal.title, dealStatus: deal.status.name, stageID: deal.stageID,
                startMilliseconds: a.startMilliseconds, endMilliseconds: a.endMilliseconds, appointmentID: a.id))
        }
        // By the local date each starts on.
        var days: [String: [CalendarEntry]] = [:]
        for e in entries {
            let local = e.startMilliseconds + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(e.startMilliseconds) / 1000))) * 1000
            days[CivilDate(day: CivilDate.floorDivide(local, 86_400_000)).text, default: []].append(e)
        }
        return DealsCalendar(days: days.keys.sorted().map { CalendarDay(date: $0, entries: days[$0]!.sorted { ($0.startMilliseconds, $0.dealID) < ($1.startMilliseconds, $1.dealID) }) })
    }


    /// The deals among `ids` the caller sees, by id, in calls of ``BatchRead/limit``.
    static func dealsByID(_ ids: [Int64], visibility: Visibility?, _ ctx: RequestContext) async throws -> [Int64: Deal] {
        var out: [Int64: Deal] = [:]
        for batch in BatchRead.calls(ids) {
            for deal in try await ctx.call(Deals.getDeals, GetDealsRequest(ids: batch, visibility: visibility)).deals { out[deal.id] = deal }
        }
        return out
    }

    /// The live contacts among `ids`, by id, in calls of ``BatchRead/limit``.
    static func contactsByID(_ ids: [Int64], _ ctx: RequestContext) async throws -> [Int64: Contact] {
        var out: [Int64: Contact] = [:]
        for batch in BatchRead.calls(ids) {
            // The contacts of deals already read for the caller: everything, said explicitly (G3 lets a
            // member see a contact of a deal they see; the principal's default would narrow it).
            for contact in try await ctx.call(Contacts.getContacts, GetContactsRequest(ids: batch, visibility: .everything)).contacts { out[contact.id] = contact }
        }
        return out
    }

    /// G3: the enrolment list only for callers who see every contact.
    static func groupAnswer(_ group: Group, _ ctx: RequestContext) async throws -> Group {
        var out = group
        if let visibility = try await ctx.visibility(), visibility.restricted { out.enrolments = [] }
        return out
    }

    /// G3: the participant list only for callers who see every contact.
    static func seriesAnswer(_ series: Series, _ ctx: RequestContext) async throws -> Series {
        var out = series
        if let visibility = try await ctx.visibility(), visibility.restricted { out.participants = [] }
        return out
    }

    static let feedName = Route.PathParameter.text(pattern: "^[0-9a-f]{48}\\.ics$", description: "the feed's secret name, as POST /v1/resources/{id}/feed gave it")

    /// G3: the deal must be one the caller sees; one it does not see does not exist.
    static func requireDeal(_ dealID: Int64, _ ctx: RequestContext) async throws {
        do {
            _ = try await ctx.call(Deals.getDeal, GetDealRequest(id: dealID, visibility: try await ctx.visibility()))
        } catch let error as RPCError where error.code == .notFound {
            throw UnacceptableValues(error: .invalidArgument("deal \(dealID) does not exist", details: [FieldViolation(field: "dealId", description: "is unknown")]))
        }
    }

    /// S4: who moves or cancels a lesson: nil for an admin (an admin key, or a staff member
    /// who sees everyone), else the staff member, whom scheduling checks is the group's
    /// teacher. Other API keys may not.
    static func lessonChanger(_ ctx: RequestContext) async throws -> Int64? {
        if ctx.role == .admin { return nil }
        guard let staff = ctx.staffID else {
            throw RPCError(.permissionDenied, "only an admin or the group's teacher may move or cancel its lessons")
        }
        return try await ctx.visibility() == nil ? nil : staff
    }

    /// 409 problem+json naming what is in the way, with the next free slots.
    static func clash(_ result: BookingResult, _ ctx: RequestContext) -> HTTPResponse {
        let alternatives = JSONWriter.RawJSON(Array("[".utf8) + result.alternatives.map(\.jsonBytes).joined(separator: Array(",".utf8)) + Array("]".utf8))
        return Problem.response(
            status: 409, title: "Conflict", detail: "the time is taken: \(result.clash); see alternatives", code: "aborted",
            requestID: ctx.requestID, extensions: ["alternatives": alternatives])
    }
}
