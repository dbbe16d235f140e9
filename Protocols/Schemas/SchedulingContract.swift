import ContractSchema

/// The Scheduling contract (S1–S2): people's and rooms' time — resources with working
/// hours in their own time zone, appointments that are never double-booked, and the
/// earliest free slots, declared once.
public let schedulingContract = ContractFile("Scheduling") {
    Service("Scheduling", id: "switchboard.scheduling.Scheduling", callers: [CallerIdentity.gateway], doc: """
        The scheduling service: resources (engineers, teachers, rooms) with weekly hours in
        their local wall time (S1), appointments for deals checked against every other
        appointment of their resources inside the write (S2), and slot search across
        resources. Times on the wire are UTC milliseconds.
        """, eventsDoc: "Event types this service emits.") {
        Service.Method("createResource", "CreateResource", "Resource", "Resource")
        Service.Method("getResource", "GetResource", "GetResourceRequest", "Resource", idempotent: true)
        Service.Method("updateResource", "UpdateResource", "Resource", "Resource", idempotent: true, doc: """
            S1: the resource's name, staff member, zone, hours, days off, overrides, zones and
            skills replaced (its kind stays); bookings made already are kept.
            """)
        Service.Method("archiveResource", "ArchiveResource", "ArchiveResourceRequest", "ResourceArchive", idempotent: true, doc: """
            S1 (issue 26): the resource takes no new booking, slot or lesson; what it has booked stays, and the answer
            lists the appointments and lessons still ahead, for rebooking. A second time lists them again.
            """)
        Service.Method("resourceHistory", "ResourceHistory", "SetupHistoryRequest", "SetupHistory", idempotent: true)
        Service.Method("listResources", "ListResources", "ListResourcesRequest", "ResourceList", idempotent: true)
        Service.Method("findSlots", "FindSlots", "SlotRequest", "SlotList", idempotent: true, doc: """
            S2: the earliest free slots across every resource with the skill and zone,
            inside working hours, off days off, clear of other appointments and their
            buffers, after the minimum notice.
            """)
        Service.Method("book", "Book", "Appointment", "BookingResult", doc: """
            S2: books an appointment if none of its resources is busy then (buffers
            included), checked in the same transaction as the insert; otherwise booked is
            false and `alternatives` holds the next free slots for the same request.
            """)
        Service.Method("getAppointment", "GetAppointment", "GetAppointmentRequest", "Appointment", idempotent: true)
        Service.Method("moveAppointment", "MoveAppointment", "MoveRequest", "BookingResult", doc: "S2: new times, checked like a booking; the earlier times stay in the history.")
        Service.Method("dealAppointments", "DealAppointments", "GetDealAppointmentsRequest", "AppointmentList", idempotent: true, doc: """
            S2 (G6: the deal card): a deal's appointments, every status, by start; a deal the principal does not see has none.
            """)
        Service.Method("completeAppointment", "CompleteAppointment", "CompleteAppointmentRequest", "Appointment", doc: """
            S3 (G6: the engineer's "mark done"): a booked appointment happened (`done`) or the client was not there \
            (`no_show`); the same answer again changes nothing, a cancelled one is refused.
            """)
        Service.Method("cancelAppointment", "CancelAppointment", "CancelRequest", "Appointment", doc: "S2: cancelled with a reason; a repeat changes nothing.")
        Service.Method("calendar", "Calendar", "CalendarRequest", "ResourceCalendar", idempotent: true, doc: "S3: a resource's working time and appointments in a period (a day, a week).")
        Service.Method("day", "Day", "DayRequest", "AppointmentList", idempotent: true, doc: """
            S3: a staff member's appointments on a date of their own calendar (each resource
            that is them, in its time zone), in order; the gateway adds each stop's deal and contact.
            """)
        Service.Method("appointmentsBetween", "AppointmentsBetween", "CalendarRequest", "AppointmentList", idempotent: true, doc: "S3: every resource's appointments overlapping a period (at most 31 days), by start; cancelled ones left out.")
        Service.Method("issueFeed", "IssueFeed", "GetResourceRequest", "FeedLink", doc: "S3: a new secret for the resource's iCalendar feed (the old one stops working); shown once.")
        Service.Method("feed", "Feed", "FeedRequest", "FeedText", idempotent: true, doc: "S3: the iCalendar (RFC 5545) text of the feed the secret names; not_found for an unknown one.")
        Service.Method("createSeries", "CreateSeries", "Series", "Series", doc: "S5: a series of sessions (seminars, a course).")
        Service.Method("getSeries", "GetSeries", "GetSeriesRequest", "Series", idempotent: true, doc: "S5: the series with its sessions in order and its participants.")
        Service.Method("addSession", "AddSession", "SeriesSession", "Series")
        Service.Method("moveSession", "MoveSession", "MoveSessionRequest", "Series", doc: "S5: new times; its reminders move in the same transaction.")
        Service.Method("cancelSession", "CancelSession", "GetSessionRequest", "Series", doc: "S5: cancelled; its reminders go in the same transaction.")
        Service.Method("enroll", "Enroll", "EnrollRequest", "Series", doc: "S5: a participant; reminded only for sessions still ahead. A repeat changes nothing.")
        Service.Method("createGroup", "CreateGroup", "Group", "GroupResult", doc: """
            S4: a school group with weekly lessons between two dates, materialised as lessons;
            every lesson is checked against the teacher's and the room's time in the same
            write (all of them, not the first few): one clash and nothing is created.
            """)
        Service.Method("getGroup", "GetGroup", "GetGroupRequest", "Group", idempotent: true, doc: "S4: the group with its lessons and enrolments (with their history).")
        Service.Method("listGroups", "ListGroups", "ListGroupsRequest", "GroupList", idempotent: true, doc: """
            S4 (issue 26 item 7): groups by id, filtered by course, level, teacher and free seats; each with its
            seats taken (trial and active students), without its lessons and enrolments.
            """)
        Service.Method("moveLesson", "MoveLesson", "MoveRequest", "GroupResult", doc: "S4: one lesson to new times, checked like the others.")
        Service.Method("cancelLesson", "CancelLesson", "CancelRequest", "Group", doc: "S4: one lesson cancelled; the teacher's and room's time is free again.")
        Service.Method("enrol", "Enrol", "EnrolmentRequest", "EnrolmentResult", doc: """
            S4: a student in a group as trial or active; a full group puts them on its
            waitlist (the answer says so) instead. A repeat changes nothing.
            """)
        Service.Method("leave", "Leave", "EnrolmentRequest", "Group", doc: "S4: the student leaves, their history kept; the seat goes to the first on the waitlist, as a trial.")
        Service.Method("recordAttendance", "RecordAttendance", "LessonAttendance", "LessonAttendance", doc: """
            S6: who was at a lesson of a group or a session of a series (present, absent,
            excused) and who marked it; a changed mark replaces the earlier one, the same
            mark again changes nothing. Emits attendance.recorded.
            """)
        Service.Method("contactSchedule", "ContactSchedule", "ContactScheduleRequest", "ContactSchedule", idempotent: true, doc: """
            C8: what scheduling holds about one person, for their export: their groups, series and attendance marks.
            """)
        Service.Method("erasePerson", "ErasePerson", "ErasePersonRequest", "ErasureReport", idempotent: true, doc: """
            C8: the person's appointments lose their address and notes; lessons and attendance stay without them.
            """)
        Service.Event("attendanceRecorded", "attendance.recorded", payload: "LessonAttendance", doc: """
            For the timeline (D5) and the lessons a prepayment
            covers (billing).
            """)
        Service.Event("enrolmentChanged", "enrolment.changed", payload: "EnrolmentChanged", doc: """
            A student joined, moved from trial to active, left
            or was waitlisted (billing's group economics and prepayments).
            """)
        Service.Event("reminderDue", "session.reminder_due", payload: "SessionReminder", doc: "A participant's reminder for a session from the second on.")
        Service.Event("booked", "appointment.booked", payload: "Appointment")
        Service.Event("moved", "appointment.moved", payload: "Appointment", doc: "Its history says from when.")
        Service.Event("cancelled", "appointment.cancelled", payload: "Appointment")
    }
    Enumeration("ResourceKind") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "engineer", doc: "A measurer or installer who goes to the client.")
        Enumeration.Case(2, "teacher")
        Enumeration.Case(3, "room")
    }
    Enumeration("AppointmentKind") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "measurement")
        Enumeration.Case(2, "installation")
        Enumeration.Case(3, "custom")
    }
    Enumeration("AppointmentStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "booked")
        Enumeration.Case(2, "done")
        Enumeration.Case(3, "cancelled")
        Enumeration.Case(4, "noShow", doc: "The client was not there.")
    }
    Message("WorkingHours", doc: "S1: one stretch of a weekday in the resource's local time.", rest: [.output, .input]) {
        Field(1, "weekday", .int64, doc: "1 Monday … 7 Sunday (ISO 8601).").required().minimum(1).maximum(7)
        Field(2, "fromMinute", .int64, doc: "Minutes after local midnight the stretch starts (540: 9:00).").required().minimum(0).maximum(1439)
        Field(3, "toMinute", .int64, doc: "Minutes after local midnight it ends (1080: 18:00).").required().minimum(1).maximum(1440)
    }
    Message("DateOverride", doc: "S1: one date's hours instead of the weekday's (none: a day off).", rest: [.output, .input]) {
        Field(1, "date", .string, doc: "YYYY-MM-DD in the resource's time zone.").required().date()
        Field(2, "hours", .repeated(.message("WorkingHours")), doc: "Its stretches (weekday ignored); empty: off that day.").items(max: 10)
    }
    Message("Resource", doc: "S1: someone or something whose time is booked.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "kind", .enumeration("ResourceKind")).required()
        Field(4, "staffID", .optional(.int64), doc: "The staff member (C4) this resource is.").minimum(1)
        Field(5, "timeZone", .string, doc: "An IANA zone (Europe/Moscow): hours are wall-clock there, across daylight-saving changes.").required().length(max: 64, min: 1)
        Field(6, "hours", .repeated(.message("WorkingHours"))).items(max: 70)
        Field(7, "daysOff", .repeated(.string), doc: "Dates (YYYY-MM-DD, local) with no work.").items(max: 400).date()
        Field(8, "overrides", .repeated(.message("DateOverride"))).items(max: 400)
        Field(9, "zones", .repeated(.string), doc: "Where it works (for an engineer: the zones of the addresses it goes to).").items(max: 100).length(max: 100, min: 1)
        Field(10, "skills", .repeated(.string), doc: "What it does (measurement, installation, english-b1...).").items(max: 100).length(max: 100, min: 1)
        Field(11, "createdAtMilliseconds", .int64).timestamp().readOnly()
        Field(12, "archivedAtMilliseconds", .optional(.int64), doc: "When it was archived (issue 26): it takes no new work.").timestamp().readOnly()
    }
    Message("ArchiveResourceRequest", rest: [.input]) {
        Field(1, "resourceID", .int64).hidden()
    }
    Message("ResourceArchive", doc: "S1 (issue 26): an archived resource and what it still has ahead, to rebook.", rest: [.output]) {
        Field(1, "resource", .message("Resource"))
        Field(2, "appointments", .repeated(.message("Appointment")), doc: "Booked, starting from now, by start; at most 500.")
        Field(3, "lessonIDs", .repeated(.int64), doc: "Group lessons it teaches or hosts from now, by start; at most 500.").named("lessonIds")
    }
    Message("GetResourceRequest") {
        Field(1, "id", .int64)
    }
    Message("ListResourcesRequest", rest: [.query]) {
        Field(1, "skill", .string).length(max: 100)
        Field(2, "zone", .string).length(max: 100)
        Field(3, "afterID", .optional(.int64), doc: "Paging: resources after this id.").named("after").minimum(1)
        Field(4, "pageSize", .int64).named("limit").minimum(1).maximum(500)
        Field(5, "staffID", .optional(.int64), doc: "Only the resources that are this staff member (C4).").minimum(1)
    }
    Message("ResourceList", rest: [.output]) {
        Field(1, "resources", .repeated(.message("Resource"))).named("items")
    }
    Message("SlotRequest", rest: [.query]) {
        Field(1, "skill", .string).length(max: 100)
        Field(2, "zone", .string).length(max: 100)
        Field(3, "durationMinutes", .int64).named("duration").required().minimum(5).maximum(1440)
        Field(4, "fromMilliseconds", .optional(.int64), doc: "From (default: now plus the minimum notice).").timestamp().named("from")
        Field(5, "toMilliseconds", .optional(.int64), doc: "Until (default and at most: 31 days after from).").timestamp().named("to")
        Field(6, "limit", .int64, doc: "How many (10).").minimum(1).maximum(100)
        Field(7, "bufferBeforeMinutes", .int64, doc: "Travel before, kept free too.").named("bufferBefore").minimum(0).maximum(480)
        Field(8, "bufferAfterMinutes", .int64).named("bufferAfter").minimum(0).maximum(480)
        Field(9, "resourceIDs", .repeated(.int64), doc: "Only these resources.").named("resourceIds").hidden()
    }
    Message("Slot", rest: [.output]) {
        Field(1, "resourceID", .int64)
        Field(2, "startMilliseconds", .int64).timestamp().named("start")
        Field(3, "endMilliseconds", .int64).timestamp().named("end")
    }
    Message("SlotList", rest: [.output]) {
        Field(1, "slots", .repeated(.message("Slot"))).named("items")
    }
    Message("AppointmentChange", doc: "S2: one reschedule, kept.", rest: [.output]) {
        Field(1, "atMilliseconds", .int64).timestamp().named("at")
        Field(2, "by", .string)
        Field(3, "fromStartMilliseconds", .int64).timestamp().named("fromStart")
        Field(4, "fromEndMilliseconds", .int64).timestamp().named("fromEnd")
        Field(5, "toStartMilliseconds", .int64).timestamp().named("toStart")
        Field(6, "toEndMilliseconds", .int64).timestamp().named("toEnd")
        Field(7, "reason", .string)
    }
    Message("Appointment", doc: "S2: a deal's appointment: a time window for its resources, travel buffers around it.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "dealID", .int64).required().minimum(1)
        Field(3, "kind", .enumeration("AppointmentKind")).required()
        Field(4, "resourceIDs", .repeated(.int64), doc: "Who (and what) it needs, all at once.").named("resourceIds").required().items(max: 10).minimum(1)
        Field(5, "startMilliseconds", .int64).timestamp().named("start").required()
        Field(6, "endMilliseconds", .int64).timestamp().named("end").required()
        Field(7, "bufferBeforeMinutes", .int64, doc: "Travel before: the resources are busy then too.").named("bufferBefore").minimum(0).maximum(480)
        Field(8, "bufferAfterMinutes", .int64).named("bufferAfter").minimum(0).maximum(480)
        Field(9, "address", .string).length(max: 500)
        Field(10, "zone", .string).length(max: 100)
        Field(11, "notes", .string).length(max: 2000)
        Field(12, "status", .enumeration("AppointmentStatus")).readOnly()
        Field(13, "override", .bool, doc: "An admin booked it over a clash or outside hours (audited).").readOnly()
        Field(14, "overrideReason", .string, doc: "Why, for an override.").readOnly()
        Field(15, "history", .repeated(.message("AppointmentChange"))).readOnly()
        Field(16, "cancelReason", .string).readOnly()
        Field(17, "createdAtMilliseconds", .int64).timestamp().readOnly()
        Field(18, "by", .string, doc: "Who booked it (set by the gateway).").hidden()
        Field(19, "overrideAs", .string, doc: "Set by the gateway for an admin's override: the reason.").hidden()
    }
    Message("BookingResult", rest: [.output]) {
        Field(1, "booked", .bool)
        Field(2, "appointment", .message("Appointment"))
        Field(3, "clash", .string, doc: "When not booked: what is in the way.")
        Field(4, "alternatives", .repeated(.message("Slot")), doc: "When not booked: the next free slots for the same request.")
    }
    Message("GetAppointmentRequest") {
        Field(1, "id", .int64)
    }
    Message("MoveRequest", rest: [.input], restName: "AppointmentMove") {
        Field(1, "id", .int64).hidden()
        Field(2, "startMilliseconds", .int64).timestamp().named("start").required()
        Field(3, "endMilliseconds", .int64).timestamp().named("end").required()
        Field(4, "reason", .string).required().length(max: 1000, min: 1).nonBlank()
        Field(5, "by", .string).hidden()
        Field(6, "actingStaffID", .optional(.int64), doc: "S4: the staff member moving a lesson, who must be its group's teacher (none: an admin).").hidden()
    }
    Message("GetDealAppointmentsRequest") {
        Field(1, "dealID", .int64)
    }
    Message("CompleteAppointmentRequest", rest: [.input], restName: "AppointmentCompletion") {
        Field(1, "id", .int64).hidden()
        Field(2, "outcome", .enumeration("AppointmentStatus"), doc: "`done` or `no_show`.").required().allowed("done", "no_show")
        Field(3, "notes", .string, doc: "What the engineer adds (kept with the appointment's notes).").length(max: 1000)
        Field(4, "by", .string).hidden()
    }
    Message("CancelRequest", rest: [.input], restName: "AppointmentCancellation") {
        Field(1, "id", .int64).hidden()
        Field(2, "reason", .string).required().length(max: 1000, min: 1).nonBlank()
        Field(3, "by", .string).hidden()
        Field(4, "actingStaffID", .optional(.int64), doc: "S4: the staff member cancelling a lesson, who must be its group's teacher (none: an admin).").hidden()
    }
    Message("CalendarRequest", rest: [.query]) {
        Field(1, "resourceID", .int64).hidden()
        Field(2, "fromMilliseconds", .optional(.int64), doc: "From (default: today's start, UTC).").timestamp().named("from")
        Field(3, "toMilliseconds", .optional(.int64), doc: "Until (default: 7 days after from; at most 31).").timestamp().named("to")
    }
    Message("ResourceCalendar", doc: "S3: one resource's period: when it works and what is booked.", rest: [.output]) {
        Field(1, "resourceID", .int64)
        Field(2, "timeZone", .string)
        Field(3, "working", .repeated(.message("Slot")), doc: "Its working stretches.")
        Field(4, "appointments", .repeated(.message("Appointment")), doc: "Booked, done and no-show ones, by start (cancelled ones are left out).")
        Field(5, "lessons", .repeated(.message("Lesson")), doc: "The group lessons it teaches or hosts, by start (cancelled ones left out).")
        Field(6, "busy", .repeated(.message("BusyBlock")), doc: """
            G3: appointments of deals the caller may not see, by start: only that the resource
            is taken then, and for what kind of visit.
            """)
    }
    Message("BusyBlock", doc: "S3, G3: a time a resource is taken by an appointment the caller may not see.", rest: [.output]) {
        Field(1, "startMilliseconds", .int64).timestamp().named("start")
        Field(2, "endMilliseconds", .int64).timestamp().named("end")
        Field(3, "kind", .enumeration("AppointmentKind"))
    }
    Message("DayRequest", rest: [.query]) {
        Field(1, "staffID", .int64).hidden()
        Field(2, "date", .string, doc: "YYYY-MM-DD in the staff member's resource's time zone.").required().date()
    }
    Message("AppointmentList", rest: [.output]) {
        Field(1, "appointments", .repeated(.message("Appointment"))).named("items")
    }
    Message("Stop", doc: "S3: one stop of an engineer's day, with who and where.", rest: [.output]) {
        Field(1, "appointment", .message("Appointment"))
        Field(2, "dealTitle", .string)
        Field(3, "contactName", .string)
        Field(4, "contactPhone", .string)
    }
    Message("MyDay", rest: [.output]) {
        Field(1, "date", .string)
        Field(2, "stops", .repeated(.message("Stop"))).named("items")
    }
    Message("FeedLink", rest: [.output]) {
        Field(1, "path", .string, doc: "The feed's path on the gateway; the secret in it is shown once.")
    }
    Message("FeedRequest") {
        Field(1, "token", .string)
    }
    Message("FeedText") {
        Field(1, "text", .string)
    }
    Message("Series", doc: "S5: sessions with start times; participants are reminded before each from the second on.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string).required().length(max: 200, min: 1).oneLineName()
        Field(3, "reminderMinutes", .optional(.int64), doc: "How long before a session its reminder fires (120).").minimum(1).maximum(10_080)
        Field(4, "sessions", .repeated(.message("SeriesSession")), doc: "In order of start; cancelled ones included.").readOnly()
        Field(5, "participants", .repeated(.int64), doc: "Contacts (C1) enrolled.").named("participantIds").readOnly()
        Field(6, "createdAtMilliseconds", .int64).timestamp().readOnly()
    }
    Message("SeriesSession", doc: "S5: one session of a series.", rest: [.output, .input], restName: "Session") {
        Field(1, "id", .int64).readOnly()
        Field(2, "seriesID", .int64).hidden()
        Field(3, "title", .string).length(max: 200).line()
        Field(4, "startMilliseconds", .int64).timestamp().named("start").required()
        Field(5, "endMilliseconds", .int64).timestamp().named("end").required()
        Field(6, "cancelled", .bool).readOnly()
    }
    Message("GetSeriesRequest") {
        Field(1, "id", .int64)
    }
    Message("GetSessionRequest") {
        Field(1, "id", .int64)
    }
    Message("MoveSessionRequest", rest: [.input], restName: "SessionMove") {
        Field(1, "id", .int64).hidden()
        Field(2, "startMilliseconds", .int64).timestamp().named("start").required()
        Field(3, "endMilliseconds", .int64).timestamp().named("end").required()
    }
    Message("EnrollRequest", rest: [.input], restName: "Enrolment") {
        Field(1, "seriesID", .int64).hidden()
        Field(2, "contactID", .int64).required().minimum(1)
    }
    Message("SessionReminder", doc: "Payload of session.reminder_due.") {
        Field(1, "seriesID", .int64)
        Field(2, "seriesName", .string)
        Field(3, "sessionID", .int64)
        Field(4, "sessionNumber", .int64, doc: "2 for the second session, and so on.")
        Field(5, "contactID", .int64)
        Field(6, "startMilliseconds", .int64)
    }
    Enumeration("EnrolmentStatus") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "trial")
        Enumeration.Case(2, "active")
        Enumeration.Case(3, "left")
        Enumeration.Case(4, "waitlisted", doc: "The group was full; first in line for a seat.")
    }
    Message("Group", doc: "S4: a course's group: a teacher, a room, weekly lessons between two dates, and its students.", rest: [.output, .input]) {
        Field(1, "id", .int64).readOnly()
        Field(2, "name", .string, doc: "Unique: a deal names its group by it.").required().length(max: 200, min: 1).oneLineName()
        Field(3, "course", .string).length(max: 200)
        Field(4, "level", .string).length(max: 50)
        Field(5, "teacherID", .int64, doc: "A resource (kind teacher).").required().minimum(1)
        Field(6, "roomID", .optional(.int64), doc: "A resource (kind room); none for online.").minimum(1)
        Field(7, "capacity", .int64).required().minimum(1).maximum(500)
        Field(8, "weekly", .repeated(.message("WorkingHours")), doc: "The lessons of a week, in the group's time zone.").required().items(max: 14)
        Field(9, "timeZone", .string).required().length(max: 64, min: 1)
        Field(10, "firstDate", .string, doc: "YYYY-MM-DD, the first day lessons may fall on.").required().date()
        Field(11, "lastDate", .string, doc: "YYYY-MM-DD, the last (at most a year after the first).").required().date()
        Field(12, "lessons", .repeated(.message("Lesson"))).readOnly()
        Field(13, "enrolments", .repeated(.message("Enrolment"))).readOnly()
        Field(14, "seatsTaken", .int64, doc: "Its trial and active students.").readOnly()
    }
    Message("Lesson", rest: [.output]) {
        Field(1, "id", .int64)
        Field(2, "startMilliseconds", .int64).timestamp().named("start")
        Field(3, "endMilliseconds", .int64).timestamp().named("end")
        Field(4, "cancelled", .bool)
        Field(5, "moved", .bool, doc: "Not at its weekly time any more.")
    }
    Message("EnrolmentChange", rest: [.output]) {
        Field(1, "atMilliseconds", .int64).timestamp().named("at")
        Field(2, "status", .enumeration("EnrolmentStatus"))
        Field(3, "why", .string)
    }
    Message("Enrolment", rest: [.output]) {
        Field(1, "contactID", .int64)
        Field(2, "status", .enumeration("EnrolmentStatus"))
        Field(3, "dealID", .optional(.int64), doc: "The deal that brought them (a trial from the deal's stage); absent when none did.").omitEmpty()
        Field(4, "history", .repeated(.message("EnrolmentChange")))
    }
    Message("GroupResult", rest: [.output]) {
        Field(1, "created", .bool, doc: "False: a lesson clashes; nothing was changed.")
        Field(2, "group", .message("Group"))
        Field(3, "clashes", .repeated(.string), doc: "Each lesson in the way: when, and with what.")
    }
    Message("ListGroupsRequest", rest: [.query]) {
        Field(1, "course", .string, doc: "The course, as written on the group (case aside).").length(max: 200)
        Field(2, "level", .string).length(max: 50)
        Field(3, "teacherID", .optional(.int64)).named("teacherId").minimum(1)
        Field(4, "hasFreeSeats", .bool, doc: "Only groups with a seat left.")
        Field(5, "afterID", .optional(.int64), doc: "Paging: groups after this id.").named("after").minimum(1)
        Field(6, "pageSize", .int64).named("limit").minimum(1).maximum(500)
        Field(7, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("GroupList", rest: [.output]) {
        Field(1, "groups", .repeated(.message("Group")), doc: "Without their lessons and enrolments: `seatsTaken` says how full each is.").named("items")
    }
    Message("GetGroupRequest") {
        Field(1, "id", .int64)
    }
    Message("EnrolmentRequest", rest: [.input], restName: "GroupEnrolment") {
        Field(1, "groupID", .int64).hidden()
        Field(2, "contactID", .int64).required().minimum(1)
        Field(3, "status", .enumeration("EnrolmentStatus"), doc: "trial or active (default trial).").allowed("trial", "active")
        Field(4, "dealID", .optional(.int64)).hidden()
        Field(5, "why", .string).hidden()
    }
    Message("EnrolmentResult", rest: [.output]) {
        Field(1, "enrolment", .message("Enrolment"))
        Field(2, "waitlisted", .bool, doc: "The group was full: on its waitlist.")
        Field(3, "position", .int64, doc: "Place on the waitlist (1: next).")
    }
    Enumeration("AttendanceMark") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "present")
        Enumeration.Case(2, "absent")
        Enumeration.Case(3, "excused")
    }
    Message("LessonAttendance", doc: "S6: one student's mark for one lesson or session.", rest: [.output, .input], restName: "Attendance") {
        Field(1, "lessonID", .optional(.int64), doc: "A group's lesson (or sessionId).").readOnly()
        Field(2, "sessionID", .optional(.int64), doc: "A series' session.").readOnly()
        Field(3, "contactID", .int64).required().minimum(1)
        Field(4, "mark", .enumeration("AttendanceMark")).required()
        Field(5, "by", .string, doc: "Who marked it.").readOnly()
        Field(6, "atMilliseconds", .int64).timestamp().named("at").readOnly()
        Field(7, "groupID", .optional(.int64)).readOnly()
        Field(8, "seriesID", .optional(.int64)).readOnly()
        Field(9, "dealID", .optional(.int64), doc: "The deal that brought the student to the group, if one did.").readOnly()
        Field(10, "startMilliseconds", .int64, doc: "When the lesson or session began.").timestamp().named("start").readOnly()
        Field(11, "markedBy", .string).hidden()
    }
    Message("DealsCalendarRequest", rest: [.query]) {
        Field(1, "fromMilliseconds", .int64).timestamp().named("from").required()
        Field(2, "toMilliseconds", .int64, doc: "At most 31 days after from.").timestamp().named("to").required()
        Field(3, "timeZone", .string, doc: "Whose days (an IANA zone; UTC by default).").length(max: 64)
    }
    Message("CalendarEntry", doc: "S3: a deal on a day: an appointment of it, or its scheduled date.", rest: [.output]) {
        Field(1, "kind", .string, doc: "appointment or scheduled.")
        Field(2, "dealID", .int64)
        Field(3, "dealTitle", .string)
        Field(4, "dealStatus", .string, doc: "open, won or lost, so a client can colour it.")
        Field(5, "stageID", .int64)
        Field(6, "startMilliseconds", .int64).timestamp().named("start")
        Field(7, "endMilliseconds", .optional(.int64)).timestamp().named("end")
        Field(8, "appointmentID", .optional(.int64)).omitEmpty()
    }
    Message("CalendarDay", rest: [.output]) {
        Field(1, "date", .string)
        Field(2, "entries", .repeated(.message("CalendarEntry")))
    }
    Message("DealsCalendar", rest: [.output]) {
        Field(1, "days", .repeated(.message("CalendarDay"))).named("items")
    }
    Message("EnrolmentChanged", doc: "Payload of enrolment.changed: a student's place in a group now.") {
        Field(1, "groupID", .int64)
        Field(2, "groupName", .string)
        Field(3, "enrolment", .message("Enrolment"))
        Field(4, "atMilliseconds", .int64)
    }
    Message("ContactScheduleRequest") {
        Field(1, "contactID", .int64)
    }
    Message("GroupEnrolment", doc: "C8: a person's place in one group.", rest: [.output]) {
        Field(1, "groupID", .int64)
        Field(2, "groupName", .string)
        Field(3, "enrolment", .message("Enrolment"))
    }
    Message("SeriesParticipation", doc: "C8: a person in one series (S5).", rest: [.output]) {
        Field(1, "seriesID", .int64)
        Field(2, "seriesName", .string)
        Field(3, "joinedAtMilliseconds", .int64).timestamp()
    }
    Message("ContactSchedule", doc: "C8: what scheduling holds about one person.", rest: [.output]) {
        Field(1, "enrolments", .repeated(.message("GroupEnrolment")))
        Field(2, "series", .repeated(.message("SeriesParticipation")))
        Field(3, "attendance", .repeated(.message("LessonAttendance")), doc: "Their marks, newest lesson or session first.")
    }
}
