import Contracts
import HTTP
import RPC
import ServiceKit
import Wire

/// The dialing queue for operators (T10): the best entry across every replica with a
/// lease, the call's outcome, why an entry ranks where it does; the settings for admins.
enum DialerRoutes {
    static let phone = Route.PathParameter.text(pattern: "^\\+?[0-9]{3,15}$", description: "a phone number: its digits, `+` first or not")

    static let entryID = Route.PathParameter.text(pattern: "^(0|[1-9][0-9]{0,3})-q[1-9][0-9]{0,18}$", description: "a queue entry's id: `<shard>-q<sequence>`")

    static let all: [Route] = [
        Route(
            method: "POST", path: "/v1/dialer/next", operationID: "nextQueueEntry", access: .role(.integration),
            summary: "The best entry for this operator (a staff token) across every replica, leased to them; 204 when there is none",
            bodyRequired: false,
            answers: [Route.answer(200, "the entry, leased until leaseUntil", QueueEntry.self), Route.Answer(status: 204, description: "nothing to call now", content: .none)],
            errors: [422, 503]
        ) { ctx in
            try await next(ctx)
        },
        Route(
            method: "GET", path: "/v1/dialer/entries/{id}", pathParameters: ["id": entryID], operationID: "getQueueEntry", access: .role(.reader),
            summary: "A queue entry with its score and every component of it: why this lead now",
            answers: [Route.answer(200, "the entry", QueueEntry.self)], errors: [404, 503]
        ) { ctx in
            let replicas = try ctx.api.telephonyReplicas()
            let id = ctx.parameters["id"] ?? ""
            let entry = try await ctx.call(Telephony.getEntry, GetEntryRequest(id: id), replica: owner(id, replicas), of: replicas)
            // G3: a staff member sees the entries leased to them or their callbacks.
            if let staff = ctx.staffID, entry.leasedBy != staff, entry.callbackFor != staff { throw RPCError.notFound("queue entry \(id) does not exist") }
            return Reply.json(200, entry)
        },
        Route(
            method: "GET", path: "/v1/dialer/entries/{id}/card", pathParameters: ["id": entryID], operationID: "queueEntryCard", access: .role(.integration),
            summary: """
                The operator's workstation for a queue entry (G6, T10): the entry, its lead, contact, deal and latest timeline, and \
                the calling hours, in one answer; for the leaseholder or the operator a call-back is kept for
                """,
            answers: [Route.answer(200, "the card", WorkstationCard.self)], errors: [404, 503]
        ) { ctx in
            try await card(ctx)
        },
        Route(
            method: "POST", path: "/v1/dialer/entries/{id}/outcome", pathParameters: ["id": entryID], operationID: "recordQueueOutcome", access: .role(.integration),
            summary: "How the call ended (no_answer, busy, callback at a time, offer_made, refused, invalid); only the operator holding the lease",
            body: OutcomeRequest.openAPIInputSchema, example: #"{"outcome":"callback","callbackAt":"2026-12-02T10:00:00Z","callbackForMe":true}"#,
            answers: [Route.answer(200, "the entry as it is now", QueueEntry.self)], errors: [404, 409, 422, 503]
        ) { ctx in
            let replicas = try ctx.api.telephonyReplicas()
            var request = try ctx.body(OutcomeRequest.self)
            request.entryID = ctx.parameters["id"] ?? ""
            request.operatorID = try operatorID(ctx)
            return Reply.json(200, try await ctx.call(Telephony.recordOutcome, request, replica: owner(request.entryID, replicas), of: replicas))
        },
        Route(
            method: "GET", path: "/v1/dialer/settings", operationID: "getDialerSettings", access: .role(.reader),
            summary: "The dialer's weights and rules now (with their version); operators read its calling hours (G6)",
            answers: [Route.answer(200, "the settings", DialerSettings.self)], errors: [503]
        ) { ctx in
            Reply.json(200, try await current(ctx))
        },
        Route(
            method: "PUT", path: "/v1/dialer/settings", operationID: "setDialerSettings", access: .role(.admin),
            summary: "New weights and rules, made from the version named in `version` (a stale one is refused with 409); every replica takes it",
            extraQuery: [Route.QueryParameter(name: "version", kind: .positiveInteger, description: "the version these settings were made from (GET gives it)", required: true)],
            body: DialerSettings.openAPIInputSchema,
            example: #"{"callbackWeight":1000000,"agePerHour":10,"attemptWeight":-5,"roundWeight":-50,"regions":[{"name":"moscow","score":100}],"products":[],"attemptsPerRound":3,"recallMinutes":30,"maxRounds":5,"minGapSeconds":300,"callingHourFrom":9,"callingHourTo":21,"leaseSeconds":120}"#,
            answers: [Route.answer(200, "the new version", DialerSettings.self)], errors: [409, 422, 503]
        ) { ctx in
            let replicas = try ctx.api.telephonyReplicas()
            guard let text = ctx.request.query["version"], let version = Int64(text), version > 0 else {
                throw RPCError.invalidArgument("give ?version= the settings' current version", details: [FieldViolation(field: "version", description: "is required: a whole number")])
            }
            let request = SetDialerSettingsRequest(settings: try ctx.body(DialerSettings.self), by: "api:\(ctx.role?.rawValue ?? "")", expectedVersion: version)
            // Every replica must be there to take it (503 otherwise, nothing written), and the
            // change must be made from the newest version any of them has.
            let newest = try await current(ctx)
            guard version == newest.version else {
                throw RPCError(.aborted, "the settings are at version \(newest.version), not \(version): read them again and make the change on top")
            }
            let stored = try await ctx.callEvery(Telephony.setDialerSettings, request, of: replicas)
            return Reply.json(200, stored.last ?? DialerSettings())
        },
        Route(
            method: "GET", path: "/v1/dialer/queue", operationID: "queueCounts", access: .role(.admin),
            summary: "Why the queue looks as it does: entries ready, leased, waiting for a recall or callback, outside calling hours, closed, per replica",
            answers: [Route.answer(200, "the counts", QueueCountsList.self)], errors: [503]
        ) { ctx in
            let replicas = try ctx.api.telephonyReplicas()
            return Reply.json(200, QueueCountsList(replicas: try await ctx.callEvery(Telephony.queueCounts, DialerSettingsRequest(), of: replicas)))
        },
        Route(
            method: "POST", path: "/v1/do-not-call", operationID: "markDoNotCall", access: .keys(.integration),
            summary: """
                Put a number on the do-not-call list (T10, issue 26): it is never queued again, whatever partner sends it; \
                its waiting entries close now. An operator's refused outcome puts it there too. Again: the first mark stays
                """,
            body: DoNotCallEntry.openAPIInputSchema, example: #"{"phone":"+79161234567","reason":"asked not to be called"}"#,
            answers: [Route.answer(200, "the number as listed", DoNotCallEntry.self)], errors: [422, 503]
        ) { ctx in
            let entry = try ctx.body(DoNotCallEntry.self)
            let (replicas, owner) = try ownerOf(entry.phone, ctx)
            return Reply.json(200, try await ctx.call(Telephony.markDoNotCall, entry, replica: owner, of: replicas))
        },
        Route(
            method: "GET", path: "/v1/do-not-call", operationID: "listDoNotCall", access: .keys(.integration),
            summary: "Numbers on the do-not-call list by number, or just `phone` (T10, issue 26)", query: ListDoNotCallRequest.queryParameters,
            answers: [Route.answer(200, "a page", DoNotCallPage.self)], errors: [422, 503]
        ) { ctx in
            let request = try ctx.query(ListDoNotCallRequest.self)
            let replicas = try ctx.api.telephonyReplicas()
            if !request.phone.isEmpty {
                let (_, owner) = try ownerOf(request.phone, ctx)
                return Reply.json(200, try await ctx.call(Telephony.listDoNotCall, request, replica: owner, of: replicas))
            }
            let limit = try PageRequest(size: request.pageSize, default: 100, maximum: 500).limit
            let pages = try await ctx.callEvery(Telephony.listDoNotCall, request, of: replicas)
            let merged = pages.flatMap(\.entries).sorted { $0.phone < $1.phone }
            let page = Array(merged.prefix(limit))
            let more = merged.count > limit || pages.contains { !$0.nextCursor.isEmpty }
            return Reply.json(200, DoNotCallPage(entries: page, nextCursor: more ? page.last?.phone ?? "" : ""))
        },
        Route(
            method: "DELETE", path: "/v1/do-not-call/{phone}", pathParameters: ["phone": phone], operationID: "unmarkDoNotCall", access: .role(.admin),
            summary: "Take a number off the do-not-call list (T10, issue 26): its next lead is queued again",
            answers: [Route.answer(200, "the mark taken off", DoNotCallEntry.self)], errors: [404, 422, 503]
        ) { ctx in
            let number = ctx.parameters["phone"] ?? ""
            let (replicas, owner) = try ownerOf(number, ctx)
            return Reply.json(200, try await ctx.call(Telephony.unmarkDoNotCall, DoNotCallRequest(phone: number), replica: owner, of: replicas))
        },
    ]

    /// G6: the workstation's card. The lease (or a call-back kept for them) is what lets an
    /// operator read the lead's contact and deal, whoever is responsible for it: the reads
    /// say `everything` explicitly, after the entry said the caller holds it. The parts are
    /// read at once; one that does not answer fails the card (503), never a card with holes.
    static func card(_ ctx: RequestContext) async throws -> HTTPResponse {
        let replicas = try ctx.api.telephonyReplicas()
        let id = ctx.parameters["id"] ?? ""
        let entry = try await ctx.call(Telephony.getEntry, GetEntryRequest(id: id), replica: owner(id, replicas), of: replicas)
        if let staff = ctx.staffID, entry.leasedBy != staff, entry.callbackFor != staff { throw RPCError.notFound("queue entry \(id) does not exist") }
        async let settings = current(ctx)
        let lead = try await ctx.call(Deals.getLead, GetLeadRequest(id: entry.leadID, visibility: .everything))
        let dealID = lead.dealID ?? entry.dealID
        let contactID = lead.contactID
        async let contact: Contact? = contactID == nil ? nil : ctx.call(Contacts.get, GetContactRequest(id: contactID!, visibility: .everything))
        async let deal: Deal? = dealID == nil ? nil : ctx.call(Deals.getDeal, GetDealRequest(id: dealID!, visibility: .everything))
        async let timeline: Timeline? = dealID == nil ? nil : ctx.call(Deals.timeline, TimelineRequest(dealID: dealID!, visibility: .everything, pageSize: 20))
        let hours = try await settings
        let card = WorkstationCard(
            entry: entry, lead: lead, contact: try await contact, deal: try await deal, timeline: try await timeline?.entries ?? [],
            callingHourFrom: hours.callingHourFrom, callingHourTo: hours.callingHourTo)
        return Reply.json(200, card)
    }

    /// The newest settings any replica has (one that missed a change catches up with the
    /// next), asking all; a replica that does not answer makes it 503.
    static func current(_ ctx: RequestContext) async throws -> DialerSettings {
        let all = try await ctx.callEvery(Telephony.getDialerSettings, DialerSettingsRequest(), of: try ctx.api.telephonyReplicas())
        return all.reduce(DialerSettings()) { $1.version > $0.version ? $1 : $0 }
    }

    /// The replica owning a number's shard; 422 for something that is not a number.
    static func ownerOf(_ raw: String, _ ctx: RequestContext) throws -> (TelephonyReplicas, Int) {
        let replicas = try ctx.api.telephonyReplicas()
        guard let number = replicas.numbers.normalize(raw) else {
            throw UnacceptableValues(error: .invalidArgument("phone is not a phone number", details: [FieldViolation(field: "phone", description: "is \"\(raw)\"")]))
        }
        return (replicas, replicas.owner(ofNumber: number))
    }

    static func operatorID(_ ctx: RequestContext) throws -> Int64 {
        guard let staff = ctx.staffID else {
            throw UnacceptableValues(error: .invalidArgument("the dialer is for operators: use a staff token", details: [FieldViolation(field: "Authorization", description: "is an API key, not a staff token")]))
        }
        return staff
    }

    static func owner(_ id: String, _ replicas: TelephonyReplicas) throws -> Int {
        guard let shard = id.split(separator: "-").first.flatMap({ Int($0) }), shard < replicas.shards.count else {
            throw RPCError.notFound("queue entry \(id) does not exist")
        }
        return replicas.owner(ofShard: shard)
    }

    /// T10's claim across replicas: every replica asked at once for its best candidate,
    /// the best claimed on its owner. Taken meanwhile, the owner leases its next best in
    /// the same transaction (orBest), so operators asking together never race for one
    /// entry. A replica that does not answer within `GATEWAY_DIALER_REPLICA_WAIT_MS` (300 ms)
    /// only leaves its entries out.
    static func next(_ ctx: RequestContext) async throws -> HTTPResponse {
        let replicas = try ctx.api.telephonyReplicas()
        let operatorID = try operatorID(ctx)
        let answers = await withTaskGroup(of: (Int, EntryCandidate?).self) { group in
            for (_, index) in replicas.all {
                group.addTask {
                    (index, try? await ctx.call(
                        Telephony.bestEntry, BestEntryRequest(operatorID: operatorID), replica: index, of: replicas, timeout: ctx.api.configuration.dialerReplicaWait))
                }
            }
            var all: [(Int, EntryCandidate?)] = []
            for await answer in group { all.append(answer) }
            return all
        }
        guard answers.contains(where: { $0.1 != nil }) else { throw RPCError(.unavailable, "no telephony replica is answering") }
        // T10: one open lease per operator — while they hold one, next answers it again.
        if let (index, held) = answers.lazy.compactMap({ i, c in c.flatMap { $0.held ? (i, $0) : nil } }).first {
            return Reply.json(200, try await ctx.call(Telephony.getEntry, GetEntryRequest(id: held.entryID), replica: index, of: replicas))
        }
        let candidates = answers.compactMap { index, c in c.flatMap { $0.found ? ($0, index) : nil } }.sorted { $0.0.score > $1.0.score }
        for (candidate, index) in candidates {
            do {
                let claim = ClaimRequest(entryID: candidate.entryID, operatorID: operatorID, orBest: true)
                return Reply.json(200, try await ctx.call(Telephony.claimEntry, claim, replica: index, of: replicas))
            } catch let error as RPCError where error.code == .notFound {
                continue  // that replica has nothing left for this operator
            }
        }
        return HTTPResponse(status: 204)
    }
}
