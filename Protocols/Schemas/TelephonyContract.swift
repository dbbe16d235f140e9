import ContractSchema

/// The Telephony contract (T1–T9, T11, T12): call sessions and their legs, routing and
/// statistics, declared once.
public let telephonyContract = ContractFile("Telephony") {
    Service("Telephony", id: "switchboard.telephony.Telephony", callers: [CallerIdentity.gateway], doc: """
        The telephony service: one session per real call, however the PBX reports it (T1),
        internal calls told apart (T2), routing answers (T9) and statistics (T11). Calls are
        partitioned by the client's number (T12): a replica answers only for its shards and
        refuses others with failed_precondition naming the owner. Numbers are E.164.
        """, eventsDoc: "Event types this service emits.") {
        Service.Method("recordCall", "RecordCall", "CallReport", "RecordCallResponse", idempotent: true, doc: """
            T1: merges a report of one leg or a whole call into its session (by the
            provider's call id, else by client number and start time within the window);
            the session only gets more complete. A repeat changes nothing.
            """)
        Service.Method("getCall", "GetCall", "GetCallRequest", "CallSession", idempotent: true)
        Service.Method("listCalls", "ListCalls", "ListCallsRequest", "CallPage", idempotent: true, doc: "This replica's sessions, newest first; callers fan out and merge.")
        Service.Method("route", "Route", "RouteRequest", "RouteAnswer", idempotent: true, doc: "T9: where the PBX should connect a caller, answered at once.")
        Service.Method("stats", "Stats", "CallStatsRequest", "CallStats", idempotent: true, doc: "T11 over this replica's sessions; callers add the replicas' answers.")
        Service.Method("handOffShard", "HandOffShard", "HandOffRequest", "ShardCopy", idempotent: true, callers: ["telephony"], doc: """
            T12, to the shard's owner by the old replica list, from the replica that owns it
            by the new one: stop writing the shard (from now on refused, naming the new
            owner), make a consistent copy of its file, and say its size and SHA-256.
            """)
        Service.Method("readShardChunk", "ReadShardChunk", "ShardChunkRequest", "ShardChunk", idempotent: true, callers: ["telephony"], doc: "Part of a handed-off shard's copy, at most 1 MiB.")
        Service.Method("bestEntry", "BestEntry", "BestEntryRequest", "EntryCandidate", idempotent: true, doc: """
            T10: this replica's best ready entry for the operator, and its score now (nothing
            is claimed). The caller asks every replica and claims the best.
            """)
        Service.Method("claimEntry", "ClaimEntry", "ClaimRequest", "QueueEntry", doc: """
            T10: leases a ready entry to the operator, atomically with a re-check of its
            state; failed_precondition when another operator got it first (unless orBest).
            """)
        Service.Method("recordOutcome", "RecordOutcome", "OutcomeRequest", "QueueEntry", doc: "T10: what the operator's call ended with; only the leaseholder may say.")
        Service.Method("getEntry", "GetEntry", "GetEntryRequest", "QueueEntry", idempotent: true)
        Service.Method("markDoNotCall", "MarkDoNotCall", "DoNotCallEntry", "DoNotCallEntry", idempotent: true, doc: """
            T10 (issue 26): the number is never queued again, whatever partner sends it; its entries waiting in the
            queue close now (one leased stays with its operator). Ask the replica owning the number. Marking it again
            keeps the first mark.
            """)
        Service.Method("unmarkDoNotCall", "UnmarkDoNotCall", "DoNotCallRequest", "DoNotCallEntry", doc: """
            The number may be queued again from its next lead; not_found when it is not on the list.
            """)
        Service.Method("listDoNotCall", "ListDoNotCall", "ListDoNotCallRequest", "DoNotCallPage", idempotent: true, doc: """
            This replica's numbers on the list, by number after the cursor; callers merge the replicas' pages.
            """)
        Service.Method("getDialerSettings", "GetDialerSettings", "DialerSettingsRequest", "DialerSettings", idempotent: true)
        Service.Method("setDialerSettings", "SetDialerSettings", "SetDialerSettingsRequest", "DialerSettings", doc: "A new version of the settings; the queue's keys are recomputed.")
        Service.Method("queueCounts", "QueueCounts", "DialerSettingsRequest", "QueueCounts", idempotent: true, callers: ["notifications"], doc: "Why the queue looks as it does: entries by state on this replica.")
        Service.Method("erasePerson", "ErasePerson", "ErasePersonRequest", "ErasureReport", idempotent: true, doc: """
            C8: this replica's calls from or to the person's numbers keep their times and outcome, not the number or recording; their dialer entries and do-not-call entries go.
            """)
        Service.Event("outcome", "dialer.outcome", payload: "OutcomeRecorded", doc: "Deals puts it on the timeline and moves the deal.")
        Service.Event("recorded", "call.recorded", payload: "CallSession", doc: "T8: deals puts it on the timeline once.")
        Service.Event("missed", "call.missed", payload: "CallSession", doc: "T5.")
        Service.Event("answered", "call.answered", payload: "CallSession", doc: "T6.")
    }
    Enumeration("CallDirection") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "inbound")
        Enumeration.Case(2, "outbound")
        Enumeration.Case(3, "internal", doc: "T2: between two staff numbers.")
    }
    Enumeration("LegDisposition", doc: "How a leg ended, in Ringostat's words: ANSWERED, NO ANSWER, BUSY, FAILED.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "answered")
        Enumeration.Case(2, "noAnswer")
        Enumeration.Case(3, "busy")
        Enumeration.Case(4, "failed")
    }
    Message("CallLeg", doc: "One ringing of one destination (a forwarding step, a retry).", rest: [.output, .input]) {
        Field(1, "destination", .string, doc: "The extension, number or SIP login it rang.").length(max: 100)
        Field(2, "staffID", .optional(.int64), doc: "The staff member it rang, when known.").minimum(1)
        Field(3, "disposition", .enumeration("LegDisposition")).required()
        Field(4, "startedAtMilliseconds", .int64, doc: "When it started: not in the future (5 minutes of clock skew aside).").timestamp().required()
        Field(5, "durationSeconds", .int64).minimum(0).maximum(86_400)
        Field(6, "talkSeconds", .int64, doc: "Ringostat's billsec: 0 for a leg nobody answered.").minimum(0).maximum(86_400)
        Field(7, "recordingURL", .string).named("recordingUrl").length(max: 2000)
    }
    Message("CallReport", doc: "What a PBX says about a call: one leg, several, or the whole call, possibly again.", rest: [.input], restName: "NewCall") {
        Field(1, "provider", .string, doc: "Whose call ids these are (`ringostat`, `api`).").length(max: 50)
        Field(2, "providerCallID", .string, doc: "The PBX's id of the call (Ringostat's uniqueid).").named("providerCallId").length(max: 200)
        Field(3, "direction", .enumeration("CallDirection")).required()
        Field(4, "clientNumber", .string, doc: "The other party (for an internal call, the caller): E.164 with `+`, a national number of the deployment's country (`SWITCHBOARD_DEFAULT_COUNTRY`), or an extension of up to 6 digits.").required().length(max: 50, min: 1)
        Field(5, "staffNumber", .string, doc: "The staff side: the number dialled for an inbound call, the caller for an outbound one.").length(max: 50)
        Field(6, "trackingNumber", .string, doc: "The call-tracking number the client dialled (T8).").length(max: 50)
        Field(7, "poolName", .string).length(max: 200).line()
        Field(8, "utmSource", .string).length(max: 200)
        Field(9, "utmMedium", .string).length(max: 200)
        Field(10, "utmCampaign", .string).length(max: 200)
        Field(11, "legs", .repeated(.message("CallLeg"))).items(max: 50)
        Field(12, "ended", .bool, doc: "The call is over (Ringostat's after-call hook, or a whole call at once): a call nobody answered is missed from then on (T5).")
    }
    Message("CallSession", doc: "T1: one real call, as complete as every report of it made it.", rest: [.output]) {
        Field(1, "id", .string, doc: "`<shard>-<number>`: the shard names the replica that owns it.")
        Field(2, "shard", .int64)
        Field(3, "providerCallIDs", .repeated(.string)).named("providerCallIds")
        Field(4, "direction", .enumeration("CallDirection"))
        Field(5, "clientNumber", .string)
        Field(6, "trackingNumber", .string)
        Field(7, "poolName", .string)
        Field(8, "utmSource", .string)
        Field(9, "utmMedium", .string)
        Field(10, "utmCampaign", .string)
        Field(11, "startedAtMilliseconds", .int64).timestamp()
        Field(12, "legs", .repeated(.message("CallLeg")))
        Field(13, "answered", .bool, doc: "A leg was answered; a session that is not is a missed call (T5).")
        Field(14, "answeredByStaffID", .optional(.int64), doc: "T4: the staff member on the last answered leg.")
        Field(15, "talkSeconds", .int64)
        Field(16, "durationSeconds", .int64)
        Field(17, "recordingURL", .string, doc: "From any leg that has one (T8).").named("recordingUrl")
        Field(18, "updatedAtMilliseconds", .int64).timestamp()
        Field(19, "ended", .bool, doc: "A report said the call is over.")
    }
    Message("RecordCallResponse", rest: [.output]) {
        Field(1, "session", .message("CallSession"))
        Field(2, "created", .bool, doc: "The first report of this call.")
        Field(3, "changed", .bool, doc: "The report added something (false: a repeat).")
    }
    Message("GetCallRequest") {
        Field(1, "id", .string)
        Field(2, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("ListCallsRequest", rest: [.query]) {
        Field(1, "clientNumber", .string).named("phone").length(max: 50)
        Field(2, "staffID", .optional(.int64)).named("staffId").minimum(1)
        Field(3, "direction", .enumeration("CallDirection"))
        Field(4, "missedOnly", .bool).named("missed")
        Field(5, "fromMilliseconds", .optional(.int64)).timestamp().named("from")
        Field(6, "toMilliseconds", .optional(.int64)).timestamp().named("to")
        Field(7, "pageSize", .int64).named("limit").minimum(1).maximum(500)
        Field(8, "cursor", .string).length(max: 200)
        Field(9, "visibility", .optional(.message("Visibility"))).hidden()
    }
    Message("CallPage", rest: [.output]) {
        Field(1, "calls", .repeated(.message("CallSession"))).named("items")
        Field(2, "nextCursor", .string).omitEmpty()
    }
    Message("RouteRequest", rest: [.query]) {
        Field(1, "clientNumber", .string).named("caller").required().length(max: 50, min: 1)
        Field(2, "trackingNumber", .string).named("dst").length(max: 50)
    }
    Message("RouteAnswer", doc: "T9: where to connect the caller.", rest: [.output]) {
        Field(1, "destination", .string, doc: "An extension, number or SIP login.")
        Field(2, "staffID", .optional(.int64))
        Field(3, "reason", .string, doc: "`responsible`, `administrator`, `queue` or `fallback`.")
        Field(4, "then", .repeated(.string), doc: "Where to try next if nobody answers there, in order (the managers' queue).")
    }
    Message("CallStatsRequest", rest: [.query]) {
        Field(1, "fromMilliseconds", .optional(.int64)).timestamp().named("from")
        Field(2, "toMilliseconds", .optional(.int64)).timestamp().named("to")
        Field(3, "visibility", .optional(.message("Visibility"))).hidden()
        Field(4, "timeZone", .string, doc: "An IANA zone (Asia/Dubai) for `byHour`; absent: the business's, SWITCHBOARD_TIME_ZONE (issue 26).").length(max: 64)
    }
    Message("HandOffRequest") {
        Field(1, "shard", .int64)
        Field(2, "toReplica", .string, doc: "The replica that owns the shard by the new list.")
    }
    Message("ShardCopy") {
        Field(1, "shard", .int64)
        Field(2, "sizeBytes", .int64)
        Field(3, "sha256", .string, doc: "Lower-case hex of the copy's SHA-256.")
    }
    Message("ShardChunkRequest") {
        Field(1, "shard", .int64)
        Field(2, "offset", .int64)
        Field(3, "length", .int64, doc: "At most 1,048,576.")
    }
    Message("ShardChunk") {
        Field(1, "data", .bytes)
    }
    Message("StaffLoad", rest: [.output]) {
        Field(1, "staffID", .int64)
        Field(2, "offered", .int64, doc: "Calls that rang them.")
        Field(3, "answered", .int64)
        Field(4, "talkSeconds", .int64)
        Field(5, "made", .int64, doc: "Outbound calls they made (issue 26).")
    }
    Message("HourCount", rest: [.output]) {
        Field(1, "weekday", .int64, doc: "1 Monday ... 7 Sunday, in the stats' time zone.")
        Field(2, "hour", .int64, doc: "0...23, in the stats' time zone.")
        Field(3, "calls", .int64)
    }
    Message("CallStats", doc: "T11 over a period.", rest: [.output]) {
        Field(1, "calls", .int64)
        Field(2, "missed", .int64)
        Field(3, "missedCalledBack", .int64, doc: "Missed calls the client was reached after (answered inbound or outbound).")
        Field(4, "callBackSecondsTotal", .int64, doc: "Seconds from each such miss to the call that reached the client, added up (average = this / missedCalledBack).")
        Field(5, "load", .repeated(.message("StaffLoad")))
        Field(6, "byHour", .repeated(.message("HourCount")), doc: "Weekday (Monday 1) and clock hour in `timeZone`.")
        Field(7, "timeZone", .string, doc: "The zone `byHour` is in.")
    }
    Enumeration("DialOutcome", doc: "T10: how an operator's call to a queue entry ended.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "noAnswer")
        Enumeration.Case(2, "busy")
        Enumeration.Case(3, "callback", doc: "Agreed to be called at `callbackAt`, by the operator only or by anyone.")
        Enumeration.Case(4, "offerMade")
        Enumeration.Case(5, "refused")
        Enumeration.Case(6, "invalid")
    }
    Enumeration("EntryState", doc: "Where a queue entry stands.") {
        Enumeration.Case(0, "unspecified")
        Enumeration.Case(1, "ready", doc: "May be called now.")
        Enumeration.Case(2, "leased", doc: "An operator has it until the lease ends.")
        Enumeration.Case(3, "waiting", doc: "Not before `notBefore`: a recall, a callback, the minimum gap, or outside calling hours.")
        Enumeration.Case(4, "closed", doc: "Done: an outcome ended it, or it was unreachable after every round.")
    }
    Message("NamedScore", doc: "A value and what it adds to the score (a region, a product).", rest: [.output, .input]) {
        Field(1, "name", .string).required().length(max: 100, min: 1)
        Field(2, "score", .int64).minimum(-1_000_000).maximum(1_000_000)
    }
    Message("DialerSettings", doc: "T10's weights and rules, set by an admin at run time; every change is a new version.", rest: [.output, .input]) {
        Field(1, "callbackWeight", .int64, doc: "What a due callback adds: it outranks everything.").minimum(0).maximum(1_000_000_000)
        Field(2, "agePerHour", .int64, doc: "Added for each hour the lead has waited.").minimum(-1_000_000).maximum(1_000_000)
        Field(3, "attemptWeight", .int64, doc: "Added per attempt already made (negative: fresh leads first).").minimum(-1_000_000).maximum(1_000_000)
        Field(4, "roundWeight", .int64, doc: "Added per round already done (negative: a lead back from a recall comes lower).").minimum(-1_000_000).maximum(1_000_000)
        Field(5, "regions", .repeated(.message("NamedScore"))).items(max: 500)
        Field(6, "products", .repeated(.message("NamedScore"))).items(max: 500)
        Field(7, "attemptsPerRound", .int64, doc: "No-answers in a round before the recall (3).").minimum(1).maximum(20)
        Field(8, "recallMinutes", .int64, doc: "Wait after a round (30).").minimum(1).maximum(10_080)
        Field(9, "maxRounds", .int64, doc: "Rounds before the lead is closed as unreachable.").minimum(1).maximum(50)
        Field(10, "minGapSeconds", .int64, doc: "Never two calls to one number closer than this.").minimum(0).maximum(86_400)
        Field(11, "callingHourFrom", .int64, doc: "Local hour calls may start (9).").minimum(0).maximum(23)
        Field(12, "callingHourTo", .int64, doc: "Local hour calls must end by (21).").minimum(1).maximum(24)
        Field(13, "leaseSeconds", .int64, doc: "How long an operator holds an entry (120).").minimum(10).maximum(3600)
        Field(14, "version", .int64).readOnly()
        Field(15, "updatedBy", .string).readOnly()
        Field(16, "updatedAtMilliseconds", .int64).timestamp().readOnly()
    }
    Message("BestEntryRequest") {
        Field(1, "operatorID", .int64)
    }
    Message("EntryCandidate") {
        Field(1, "found", .bool)
        Field(2, "entryID", .string)
        Field(3, "score", .int64)
        Field(4, "held", .bool, doc: "T10: the operator's own live lease: their next is this entry until they record its outcome or the lease runs out.")
    }
    Message("ClaimRequest") {
        Field(1, "entryID", .string)
        Field(2, "operatorID", .int64)
        Field(3, "orBest", .bool, doc: """
            When the entry was taken meanwhile, lease this replica's best ready entry for the
            operator instead: picked and leased in one transaction, so concurrent operators
            never race for one entry; not_found only when the replica has none.
            """)
    }
    Message("OutcomeRequest", rest: [.input], restName: "Outcome") {
        Field(1, "entryID", .string).hidden()
        Field(2, "operatorID", .int64).hidden()
        Field(3, "outcome", .enumeration("DialOutcome")).required()
        Field(4, "callbackAtMilliseconds", .optional(.int64), doc: "For a callback: when.").timestamp().named("callbackAt")
        Field(5, "callbackForMe", .bool, doc: "For a callback: only this operator may make it (else anyone).")
        Field(6, "reason", .string, doc: "For refused and invalid: why, in words.").length(max: 1000)
    }
    Message("OutcomeRecorded", doc: "Payload of dialer.outcome.") {
        Field(1, "entry", .message("QueueEntry"))
        Field(2, "outcome", .enumeration("DialOutcome"))
        Field(3, "operatorID", .int64)
        Field(4, "reason", .string)
        Field(5, "atMilliseconds", .int64)
        Field(6, "claimedAtMilliseconds", .int64, doc: "When the operator took the entry: the call attempt began (D7's time to first attempt).")
    }
    Message("DoNotCallEntry", doc: "T10 (issue 26): a number the dialer never calls.", rest: [.input, .output]) {
        Field(1, "phone", .string, doc: "Any form; kept in E.164.").required().length(max: 50, min: 1)
        Field(2, "reason", .string).length(max: 500)
        Field(3, "source", .string, doc: "`api` (marked by someone), `dialer` (refused on a call).").readOnly()
        Field(4, "by", .string, doc: "Who marked it (`api:admin`, `staff:12`).").readOnly()
        Field(5, "atMilliseconds", .int64).timestamp().readOnly()
    }
    Message("DoNotCallRequest") {
        Field(1, "phone", .string)
    }
    Message("ListDoNotCallRequest", rest: [.query]) {
        Field(1, "phone", .string, doc: "Just this number (any form).").length(max: 50)
        Field(2, "pageSize", .int64, doc: "1...500; 0 means 100.").named("limit").minimum(1).maximum(500)
        Field(3, "cursor", .string, doc: "The previous page's `nextCursor`.").length(max: 50)
    }
    Message("DoNotCallPage", rest: [.output]) {
        Field(1, "entries", .repeated(.message("DoNotCallEntry"))).named("items")
        Field(2, "nextCursor", .string, doc: "Empty on the last page.").omitEmpty()
    }
    Message("GetEntryRequest") {
        Field(1, "id", .string)
    }
    Message("DialerSettingsRequest") {
        Field(1, "replicaOnly", .bool)
    }
    Message("SetDialerSettingsRequest") {
        Field(1, "settings", .message("DialerSettings"))
        Field(2, "by", .string)
        Field(3, "expectedVersion", .int64, doc: "The version the change was made from: a stale one is refused (aborted).")
    }
    Message("QueueCounts", doc: "Entries by state on one replica; `outsideHours` counts the waiting ones waiting only for the lead's calling hours.", rest: [.output]) {
        Field(1, "replica", .string)
        Field(2, "ready", .int64)
        Field(3, "leased", .int64)
        Field(4, "waitingForRecall", .int64)
        Field(5, "outsideHours", .int64)
        Field(6, "closed", .int64)
        Field(7, "settingsVersion", .int64)
    }
    Message("QueueCountsList", rest: [.output]) {
        Field(1, "replicas", .repeated(.message("QueueCounts"))).named("items")
    }
    Message("ScoreComponent", rest: [.output]) {
        Field(1, "name", .string, doc: "`callback`, `age`, `region`, `product`, `attempts`, `rounds`.")
        Field(2, "value", .int64)
    }
    Message("QueueEntry", doc: "T10: a lead waiting to be called, and why it ranks where it does.", rest: [.output]) {
        Field(1, "id", .string, doc: "`<shard>-<sequence>` like calls: the shard names its replica.")
        Field(2, "leadID", .int64)
        Field(3, "dealID", .optional(.int64))
        Field(4, "phone", .string)
        Field(5, "region", .string)
        Field(6, "product", .string)
        Field(7, "state", .enumeration("EntryState"))
        Field(8, "attempts", .int64, doc: "In this round.")
        Field(9, "rounds", .int64, doc: "Rounds done.")
        Field(10, "notBeforeMilliseconds", .optional(.int64)).timestamp()
        Field(11, "callbackAtMilliseconds", .optional(.int64)).timestamp()
        Field(12, "callbackFor", .optional(.int64), doc: "The operator a callback is for (none: anyone).")
        Field(13, "leasedBy", .optional(.int64))
        Field(14, "leaseUntilMilliseconds", .optional(.int64)).timestamp()
        Field(15, "score", .int64)
        Field(16, "components", .repeated(.message("ScoreComponent")))
        Field(17, "createdAtMilliseconds", .int64).timestamp()
        Field(18, "lastOutcome", .enumeration("DialOutcome"), doc: "What the last call ended with; absent before the first.").omitEmpty()
        Field(19, "leasedAtMilliseconds", .optional(.int64), doc: "When the leaseholder took it.").timestamp()
        Field(20, "utcOffsetMinutes", .int64, doc: "The lead's local time, as the dialer reckons it from the number for calling hours (G6: the operator sees it).")
    }
}
