import Foundation
import Gateway
import Testing
import TestSupport

/// G3 over every route (issue 9 items 1 and 2): an operator asking for another
/// operator's deal, lead, task, contact or timeline gets exactly the answer a missing
/// one gives. The table must name every route the gateway serves, so a new route
/// cannot skip the question.
@Suite struct VisibilityEndToEndTests {
    /// How a route is probed with the operator's token.
    enum Kind: Sendable { case contacts, deals, tasks }

    enum Probe: Sendable {
        /// Sent once with the other operator's id and once with an id that names
        /// nothing: both answers must be the same but for the id.
        case hidden(method: String, path: String, body: String? = nil)
        /// A list: none of the other operator's ids may appear in it.
        case list(path: String, of: Kind)
        /// Needs the admin role, which a staff token never has: 403 whatever the id.
        case adminOnly
        /// For an integration's API key (the PBX), never a person: 403 for a staff token
        /// whatever it sends (issue 21: a staff token merged into another's call, and
        /// learned who owns a number).
        case keysOnly
        /// Not about anyone's clients (probes, configuration, the staff directory).
        case notClientData
        /// Checked by its own test below.
        case ownTest(String)
    }

    /// What the other operator (staff 3) has, made by the admin.
    struct World {
        var contact = 0, deal = 0, task = 0, lead = 0, timelineEntries: [Int] = []
        func ids(_ kind: Kind) -> Set<Int> {
            switch kind {
            case .contacts: [contact]
            case .deals: [deal]
            case .tasks: [task]
            }
        }
    }

    static let ghost = 987_654
    static let cardDAVTest = "p5g3ABookIsOnlyItsMembersBehindTheirOwnTokenAndReadOnly"
    static let sessionTest = "g6AnInvitedOperatorSignsInAndWorksWithTheirOwnViewUntilTheySignOut"
    static let conversationsTest = "d3d5n1g3c2MessagesBecomeOneLeadThenTimelineEntriesAndTheirConversationIsSeenByItsAssigneeOnly"

    static let probes: [String: Probe] = [
        "GET /healthz": .notClientData, "GET /readyz": .notClientData, "GET /v1/openapi.json": .notClientData, "GET /metrics": .notClientData,
        // G7: moving in and out is an admin's.
        "POST /v1/imports": .adminOnly, "POST /v1/imports/{id}/parts": .adminOnly, "GET /v1/imports/{id}": .adminOnly, "GET /v1/imports": .adminOnly,
        "POST /v1/imports/{id}/cancel": .adminOnly, "GET /v1/exports/account": .adminOnly,
        "GET /v1/admin/audit": .adminOnly, "GET /v1/contacts/{id}/export": .adminOnly, "POST /v1/contacts/{id}/erase": .adminOnly, "GET /v1/erasures/{id}": .adminOnly, "GET /v1/admin/audit.csv": .adminOnly, "GET /v1/admin/audit/verification": .adminOnly,
        "GET /v1/pipelines": .notClientData, "POST /v1/pipelines": .adminOnly, "PUT /v1/pipelines/{id}": .adminOnly,
        "GET /v1/pipelines/{id}/history": .adminOnly, "PUT /v1/staff/{id}": .adminOnly, "POST /v1/staff/{id}/deactivate": .adminOnly,
        "GET /v1/staff/{id}/history": .adminOnly, "PUT /v1/products/{id}": .adminOnly, "POST /v1/products/{id}/archive": .adminOnly,
        "GET /v1/products/{id}/history": .adminOnly, "POST /v1/resources/{id}/archive": .adminOnly,
        "GET /v1/resources/{id}/history": .adminOnly, "GET /v1/notification-channels/{channel}/history": .adminOnly, "GET /v1/custom-fields": .notClientData, "PUT /v1/custom-fields/deal/{name}": .adminOnly, "PUT /v1/custom-fields/contact/{name}": .adminOnly, "POST /v1/scheduled-reports": .adminOnly, "GET /v1/scheduled-reports": .adminOnly,
        "DELETE /v1/scheduled-reports/{id}": .adminOnly, "POST /v1/do-not-call": .keysOnly, "GET /v1/do-not-call": .keysOnly,
        "DELETE /v1/do-not-call/{phone}": .adminOnly,
        "POST /v1/admin/credentials": .adminOnly, "GET /v1/admin/credentials": .adminOnly, "DELETE /v1/admin/credentials/{id}": .adminOnly,
        "GET /v1/admin/events/{service}/parked": .adminOnly, "POST /v1/admin/events/{service}/parked/{id}/replay": .adminOnly,
        "DELETE /v1/admin/events/{service}/parked/{id}": .adminOnly,
        "POST /v1/admin/integrations": .adminOnly, "GET /v1/admin/integrations": .adminOnly, "DELETE /v1/admin/integrations/{id}": .adminOnly,
        "POST /v1/admin/integrations/{id}/reconcile": .adminOnly,
        "GET /v1/admin/hooks": .adminOnly, "GET /v1/admin/hooks/{id}": .adminOnly, "POST /v1/admin/hooks/{id}/replay": .adminOnly, "POST /v1/admin/hooks/{id}/discard": .adminOnly,
        // Authenticated by the provider's signature or token, not a key; they answer nothing about anyone.
        "POST /v1/hooks/{integration}": .notClientData, "POST /v1/hooks/{integration}/{token}": .notClientData, "GET /v1/hooks/{integration}": .notClientData,
        // Conversations are their assignee's (and their team's), or everyone's while unassigned.
        "GET /v1/conversations": .ownTest(conversationsTest), "GET /v1/conversations/{id}/messages": .ownTest(conversationsTest),
        "POST /v1/conversations/{id}/read": .ownTest(conversationsTest), "POST /v1/conversations/{id}/assign": .ownTest(conversationsTest),
        "POST /v1/conversations/{id}/messages": .ownTest(conversationsTest), "POST /v1/conversations/{id}/close": .ownTest(conversationsTest),
        "POST /v1/deals/{id}/telegram-link": .ownTest(conversationsTest),
        // Groups' list names no student: seats taken are counts.
        "GET /v1/groups": .notClientData,
        "POST /v1/deals/{id}/notes": .hidden(method: "POST", path: "/v1/deals/{deal}/notes", body: #"{"text":"a note"}"#),
        "POST /v1/contacts/{id}/notes": .hidden(method: "POST", path: "/v1/contacts/{contact}/notes", body: #"{"text":"a note"}"#),
        "PUT /v1/notes/{id}": .ownTest("d4d5ANoteMentionsTellTheMentionedAndOnlyItsAuthorEditsItForAWhile"),
        // The signed link is the credential: it names one contact and only opts them out.
        "POST /v1/unsubscribe/{token}": .notClientData, "GET /v1/unsubscribe/{token}": .notClientData,
        // Pulls with the platform's credentials: an admin's.
        "POST /v1/events/{eventId}/resync": .adminOnly,
        "POST /v1/calls": .keysOnly,
        // Operators' own: the entry they lease, their outcomes; the rest is for admins.
        "POST /v1/dialer/next": .notClientData, "POST /v1/dialer/entries/{id}/outcome": .notClientData,
        "GET /v1/dialer/entries/{id}": .ownTest("t10EightOperatorsDrainTheQueueNeverTwoOnOneEntryWithAReplicaStoppedForAWhile"),
        "GET /v1/reports/attribution": .ownTest("d9d7AttributionOverAScriptedMonthGivesEveryFigureWorkedOutByHand"),
        "GET /v1/reports/attribution.csv": .ownTest("d9d7AttributionOverAScriptedMonthGivesEveryFigureWorkedOutByHand"), "PUT /v1/ad-spend": .adminOnly, "POST /v1/ad-spend/import": .adminOnly, "PUT /v1/admin/integrations/{id}": .adminOnly, "PUT /v1/price-lists/{id}": .adminOnly, "GET /v1/price-lists/{id}/history": .adminOnly, "GET /v1/admin/integrations/{id}/history": .adminOnly, "GET /v1/ad-spend": .notClientData,
        "GET /v1/reports/managers": .ownTest("d9c4AManagerSeesTheirTeamsMonthAndOnlyThat"), "GET /v1/reports/nps": .ownTest("d9n6NPSByPipelineResponsibleOrFieldWorkedOutByHand"),
        // Issue 29: a member's own address book, behind their own token.
        "GET /.well-known/carddav": .notClientData, "OPTIONS /dav": .notClientData, "OPTIONS /dav/{member}": .notClientData,
        "OPTIONS /dav/{member}/contacts": .notClientData,
        "PROPFIND /dav": .ownTest(cardDAVTest), "PROPFIND /dav/{member}": .ownTest(cardDAVTest), "PROPFIND /dav/{member}/contacts": .ownTest(cardDAVTest),
        "REPORT /dav/{member}/contacts": .ownTest("p5SyncCollectionSendsOnlyChangesAndLosingSightOfAClientRemovesTheirCard"),
        "GET /dav/{member}/contacts/{card}": .ownTest(cardDAVTest),
        "GET /": .notClientData, "GET /console/{file}": .notClientData, "POST /v1/staff/{id}/invites": .adminOnly,
        "POST /v1/session": .ownTest(sessionTest), "POST /v1/session/invite": .ownTest(sessionTest), "GET /v1/session": .ownTest(sessionTest),
        "DELETE /v1/session": .ownTest(sessionTest), "PUT /v1/session/password": .ownTest(sessionTest),
        "GET /v1/reports/leads": .ownTest("d7AScriptedDayGivesTheCountsSharesAndMediansWorkedOutByHand"),
        "GET /v1/reports/leads.csv": .ownTest("d7AScriptedDayGivesTheCountsSharesAndMediansWorkedOutByHand"),
        // Resources and free time are not client data; an appointment is its deal's (its own test).
        // Series: sessions are no one's; participants only for those who see every contact (own test).
        "POST /v1/series": .notClientData, "POST /v1/series/{id}/sessions": .notClientData, "POST /v1/sessions/{id}/move": .notClientData,
        "POST /v1/sessions/{id}/cancel": .notClientData,
        "GET /v1/series/{id}": .ownTest("s5ASeriesThroughTheGatewayEnrolsOnlyVisibleContactsAndHidesParticipantsFromRestrictedStaff"),
        "POST /v1/series/{id}/participants": .ownTest("s5ASeriesThroughTheGatewayEnrolsOnlyVisibleContactsAndHidesParticipantsFromRestrictedStaff"),
        // Groups: lessons are no one's; enrolments only for those who see every contact (own test).
        "POST /v1/lessons/{id}/attendance": .ownTest("s4EveryLessonIsCheckedATrialStageEnrolsTheDealsContactWonMakesItActiveLostTakesItOut"),
        "POST /v1/sessions/{id}/attendance": .ownTest("s4EveryLessonIsCheckedATrialStageEnrolsTheDealsContactWonMakesItActiveLostTakesItOut"),
        // B2–B6: offers are their deal's; the rest carries payers' details or the school's figures.
        "GET /v1/deals/{id}/offer": .hidden(method: "GET", path: "/v1/deals/{deal}/offer"),
        "PUT /v1/deals/{id}/offer": .hidden(method: "PUT", path: "/v1/deals/{deal}/offer", body: #"{"currency":"RUB","lines":[]}"#),
        "POST /v1/deals/{id}/offer/confirm": .hidden(method: "POST", path: "/v1/deals/{deal}/offer/confirm", body: #"{"tariff":"courier"}"#),
        "POST /v1/products": .adminOnly, "GET /v1/products": .notClientData, "POST /v1/price-lists": .adminOnly, "GET /v1/price-lists": .notClientData,
        "POST /v1/delivery-zones": .adminOnly, "GET /v1/delivery-zones": .notClientData, "GET /v1/orders": .adminOnly, "GET /v1/orders.csv": .adminOnly,
        "POST /v1/payments": .adminOnly, "GET /v1/payments": .adminOnly, "GET /v1/payments/{id}": .adminOnly, "GET /v1/subscriptions": .adminOnly, "GET /v1/balances": .adminOnly,
        "PUT /v1/groups/{id}/costs": .adminOnly, "GET /v1/groups/{id}/economics": .adminOnly,
        "POST /v1/bonus-formulas": .adminOnly, "GET /v1/bonus-formulas": .adminOnly,
        "GET /v1/reports/bonuses": .ownTest("b4b5b6PrepaymentsBalancesGroupEconomicsAndTheBonusReportFollowScheduling"),
        "GET /v1/reports/bonuses.csv": .ownTest("b4b5b6PrepaymentsBalancesGroupEconomicsAndTheBonusReportFollowScheduling"),
        // N1–N4: messaging's configuration and its log of recipients' addresses.
        "GET /v1/notification-events": .adminOnly, "PUT /v1/notification-channels/{channel}": .adminOnly, "GET /v1/notification-channels": .adminOnly,
        "POST /v1/templates": .adminOnly, "GET /v1/templates": .adminOnly, "POST /v1/templates/{id}/preview": .adminOnly,
        "POST /v1/notification-rules": .adminOnly, "PUT /v1/notification-rules/{id}": .adminOnly, "GET /v1/notification-rules": .adminOnly,
        "GET /v1/notification-sends": .adminOnly, "GET /v1/notification-sends/{id}": .adminOnly, "POST /v1/opt-outs": .adminOnly,
        "POST /v1/webhook-subscriptions": .adminOnly, "GET /v1/webhook-subscriptions": .adminOnly, "PUT /v1/webhook-subscriptions/{id}": .adminOnly,
        "GET /v1/webhook-deliveries": .adminOnly, "POST /v1/webhook-deliveries/{id}/replay": .adminOnly, "POST /v1/webhook-subscriptions/{id}/replay": .adminOnly, "GET /v1/surveys": .adminOnly, "POST /v1/alerts": .adminOnly, "PUT /v1/alerts/{id}": .adminOnly, "GET /v1/alerts": .adminOnly, "POST /v1/bot-flows": .adminOnly, "GET /v1/bot-flows": .adminOnly,
        "POST /v1/groups": .adminOnly, "POST /v1/lessons/{id}/move": .notClientData, "POST /v1/lessons/{id}/cancel": .notClientData,
        "GET /v1/groups/{id}": .ownTest("s4EveryLessonIsCheckedATrialStageEnrolsTheDealsContactWonMakesItActiveLostTakesItOut"),
        "POST /v1/groups/{id}/enrolments": .ownTest("s4EveryLessonIsCheckedATrialStageEnrolsTheDealsContactWonMakesItActiveLostTakesItOut"),
        "POST /v1/groups/{id}/leave": .ownTest("s4EveryLessonIsCheckedATrialStageEnrolsTheDealsContactWonMakesItActiveLostTakesItOut"),
        "POST /v1/resources/{id}/feed": .adminOnly, "GET /v1/calendars/{feed}": .notClientData,
        "GET /v1/resources/{id}/calendar": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"),
        "GET /v1/calendar/deals": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"),
        "GET /v1/me/day": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"),
        "POST /v1/resources": .adminOnly, "PUT /v1/resources/{id}": .adminOnly, "GET /v1/resources": .notClientData, "GET /v1/resources/{id}": .notClientData, "GET /v1/slots": .notClientData,
        "POST /v1/appointments": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"),
        "GET /v1/appointments/{id}": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"),
        "POST /v1/appointments/{id}/move": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"),
        "POST /v1/appointments/{id}/cancel": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"),
        "POST /v1/appointments/{id}/complete": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"),
        "POST /v1/me/feed": .notClientData, "GET /v1/deals/{id}/appointments": .ownTest("s2SixtyFourBookingsRacingForTenSlotsBookTenNeverOverlapAndTheRestGetAlternatives"), "GET /v1/dialer/entries/{id}/card": .ownTest("g6t10TheLeaseholderReadsTheLeadsCardAndNobodyElse"), "GET /v1/stream": .ownTest("g6TheLiveStreamSendsEachPersonWhatTheyMaySeeAndResumes"),
        "GET /v1/dialer/settings": .notClientData, "PUT /v1/dialer/settings": .adminOnly, "GET /v1/dialer/queue": .adminOnly,
        // Routing is the PBX's (T9); the webhook is token-authenticated.
        "GET /v1/calls/route": .keysOnly, "GET /v1/hooks/{integration}/{token}/route": .notClientData,
        "GET /v1/calls": .ownTest("t12AStoppedReplicaAnswers503ForItsNumbersOnlyAndTheMergedListHasEveryCallOnce"),
        "GET /v1/calls/{id}": .ownTest("t12AStoppedReplicaAnswers503ForItsNumbersOnlyAndTheMergedListHasEveryCallOnce"),
        "GET /v1/calls/stats": .ownTest("t12AStoppedReplicaAnswers503ForItsNumbersOnlyAndTheMergedListHasEveryCallOnce"),
        "GET /v1/staff": .notClientData, "GET /v1/staff/{id}": .notClientData, "POST /v1/staff": .adminOnly,
        "POST /v1/contacts": .ownTest("g3MatchingAnotherOperatorsContactTellsOnlyThatItExists"),
        "GET /v1/contacts": .list(path: "/v1/contacts?limit=500", of: .contacts),
        "GET /v1/contacts/export.csv": .list(path: "/v1/contacts/export.csv", of: .contacts),
        "GET /v1/contacts/duplicates": .adminOnly,
        "GET /v1/contacts/{id}": .hidden(method: "GET", path: "/v1/contacts/{contact}"),
        "PATCH /v1/contacts/{id}": .hidden(method: "PATCH", path: "/v1/contacts/{contact}", body: #"{"company":"Mine now"}"#),
        "DELETE /v1/contacts/{id}": .adminOnly, "POST /v1/contacts/{id}/merge": .adminOnly,
        "GET /v1/contacts/{id}/timeline": .hidden(method: "GET", path: "/v1/contacts/{contact}/timeline"),
        "GET /v1/contacts/{id}/attendance": .hidden(method: "GET", path: "/v1/contacts/{contact}/attendance"),
        "GET /v1/contacts/{id}/consents": .hidden(method: "GET", path: "/v1/contacts/{contact}/consents"),
        "POST /v1/contacts/{id}/consents": .hidden(
            method: "POST", path: "/v1/contacts/{contact}/consents", body: #"{"channel":"email","purpose":"marketing","granted":true,"source":"probe"}"#),
        "GET /v1/deals": .list(path: "/v1/deals?limit=500", of: .deals),
        "POST /v1/deals": .hidden(method: "POST", path: "/v1/deals", body: #"{"title":"poach","contactId":{contact}}"#),
        "GET /v1/deals/export.csv": .list(path: "/v1/deals/export.csv", of: .deals),
        "GET /v1/deals/problems": .list(path: "/v1/deals/problems", of: .deals),
        "GET /v1/deals/{id}": .hidden(method: "GET", path: "/v1/deals/{deal}"),
        "PATCH /v1/deals/{id}": .hidden(method: "PATCH", path: "/v1/deals/{deal}", body: #"{"title":"mine"}"#),
        "POST /v1/deals/{id}/stage": .hidden(method: "POST", path: "/v1/deals/{deal}/stage", body: #"{"stageId":2}"#),
        "GET /v1/deals/{id}/timeline": .hidden(method: "GET", path: "/v1/deals/{deal}/timeline"),
        "POST /v1/leads": .ownTest("g3ALeadForAnotherOperatorsClientNamesNoDeal"),
        "GET /v1/leads/{id}": .hidden(method: "GET", path: "/v1/leads/{lead}"),
        "GET /v1/tasks": .list(path: "/v1/tasks?limit=1000", of: .tasks),
        "POST /v1/tasks": .hidden(method: "POST", path: "/v1/tasks", body: #"{"kind":"call_back","dealId":{deal}}"#),
        "POST /v1/tasks/{id}/complete": .hidden(method: "POST", path: "/v1/tasks/{task}/complete"),
        "POST /v1/tasks/{id}/reschedule": .hidden(method: "POST", path: "/v1/tasks/{task}/reschedule", body: #"{"dueAt":"2030-01-01T09:00:00Z"}"#),
    ]

    static let operatorToken = "operator-2-token-0123456789"
    static let otherToken = "operator-3-token-0123456789"

    /// Staff 1 manager, 2 operator reporting to 1, 3 operator; staff 3's client, deal,
    /// overdue task and lead.
    static func start() async throws -> (SystemFixture, World) {
        // Billing too: it reads an offer's deal for the person itself (G3 in billing, issue 24).
        let system = try await SystemFixture.start(keys: "\(adminKey)=admin,\(operatorToken)=staff:2,\(otherToken)=staff:3", billing: true)
        for body in [#"{"firstName":"M","role":"manager"}"#, #"{"firstName":"O","role":"operator","supervisorId":1}"#, #"{"firstName":"X","role":"operator"}"#] {
            #expect(try await system.request("POST", "/v1/staff", body: body).status == 201)
        }
        var world = World()
        let contact = try await system.request("POST", "/v1/contacts", body: #"{"firstName":"Vera","phones":["+79165550303"],"responsibleId":3}"#)
        world.contact = try #require((contact.json["contact"] as? [String: Any])?["id"] as? Int)
        let deal = try await system.request("POST", "/v1/deals", body: #"{"title":"windows for Vera","contactId":\#(world.contact),"responsibleId":3}"#)
        world.deal = try #require(deal.json["id"] as? Int)
        let task = try await system.request("POST", "/v1/tasks", body: #"{"kind":"follow_up","dealId":\#(world.deal),"dueAt":"2020-01-01T00:00:00Z"}"#)
        world.task = try #require((task.json["task"] as? [String: Any])?["id"] as? Int)
        let lead = try await system.request("POST", "/v1/leads", key: otherToken, body: #"{"channel":"web","phone":"+79165550404"}"#)
        world.lead = try #require(lead.json["id"] as? Int)
        #expect(lead.json["dealId"] is Int, "the other operator sees the deal of its own lead")
        return (system, world)
    }

    static func fill(_ template: String, _ world: World, ghost: Bool) -> String {
        var text = template
        for (name, id) in [("{contact}", world.contact), ("{deal}", world.deal), ("{task}", world.task), ("{lead}", world.lead)] {
            text = text.replacingOccurrences(of: name, with: String(ghost ? Self.ghost : id))
        }
        return text
    }

    /// The answer with the id and the request id taken out.
    static func normalized(_ reply: HTTPExchange, id: Int) -> String {
        var json = reply.json
        json["requestId"] = nil
        let body = json.isEmpty ? reply.body : String(decoding: try! JSONSerialization.data(withJSONObject: json, options: .sortedKeys), as: UTF8.self)
        return "\(reply.status) \(reply.headers["content-type"] ?? "") " + body.replacingOccurrences(of: String(id), with: "ID")
    }

    @Test func g3EveryRouteAnswersAnotherOperatorsThingsAsIfTheyDidNotExist() async throws {
        let api = GatewayAPI(
            contacts: .init(host: "127.0.0.1", port: 1), deals: .init(host: "127.0.0.1", port: 1),
            keyring: try APIKeyring(parsing: "0123456789abcdef0123=admin"))
        let served = Set(api.routes.map { "\($0.method) \($0.pattern)" })
        #expect(served == Set(Self.probes.keys), "routes without a G3 probe: \(served.subtracting(Self.probes.keys)); probes of no route: \(Set(Self.probes.keys).subtracting(served))")

        let (system, world) = try await Self.start()
        for (route, probe) in Self.probes.sorted(by: { $0.key < $1.key }) {
            switch probe {
            case let .hidden(method, path, body):
                let theirs = try await system.request(method, Self.fill(path, world, ghost: false), key: Self.operatorToken, body: body.map { Self.fill($0, world, ghost: false) })
                let nobodys = try await system.request(method, Self.fill(path, world, ghost: true), key: Self.operatorToken, body: body.map { Self.fill($0, world, ghost: true) })
                let id = [world.contact, world.deal, world.task, world.lead].first { Self.fill(path + (body ?? ""), world, ghost: false).contains(String($0)) } ?? 0
                #expect(Self.normalized(theirs, id: id) == Self.normalized(nobodys, id: Self.ghost), "\(route)")
                #expect(theirs.status >= 400, "\(route) answered \(theirs.status)")
            case let .list(path, kind):
                let reply = try await system.request("GET", path, key: Self.operatorToken)
                #expect(reply.status == 200, "\(route)")
                let listed: Set<Int>
                if path.contains(".csv") {
                    listed = Set(reply.body.split(separator: "\r\n").dropFirst().compactMap { Int($0.split(separator: ",").first ?? "") })
                } else {
                    let items = reply.json["items"] as? [[String: Any]] ?? []
                    listed = Set(items.compactMap { ($0["id"] as? Int) ?? (($0["deal"] as? [String: Any])?["id"] as? Int) })
                }
                #expect(listed.isDisjoint(with: world.ids(kind)), "\(route) lists \(listed.intersection(world.ids(kind)))")
                // The admin does see them, so the probe looks at the right things.
                let all = try await system.request("GET", path, key: adminKey).body
                #expect(world.ids(kind).allSatisfy { all.contains("\($0)") }, "\(route): the admin's list lacks the other operator's")
            case .adminOnly, .keysOnly:
                let (method, pattern) = (String(route.split(separator: " ")[0]), String(route.split(separator: " ")[1]))
                let reply = try await system.request(method, pattern.replacingOccurrences(of: "{id}", with: String(world.contact)).replacingOccurrences(of: "{service}", with: "contacts")
                    .replacingOccurrences(of: "{eventId}", with: "1").replacingOccurrences(of: "{channel}", with: "telegram")
                    .replacingOccurrences(of: "{phone}", with: "+79160000000").replacingOccurrences(of: "{name}", with: "rooms"), key: Self.operatorToken, body: route.hasPrefix("GET") ? nil : "{}")
                #expect(reply.status == 403, "\(route)")
            case .notClientData, .ownTest:
                continue
            }
        }
        // Nothing the operator tried changed the other operator's things.
        let deal = try await system.request("GET", "/v1/deals/\(world.deal)")
        #expect(deal.json["title"] as? String == "windows for Vera" && deal.json["stageId"] as? Int == 1)
        #expect(try await system.request("GET", "/v1/contacts/\(world.contact)").json["company"] as? String == "")
        #expect((try await system.request("GET", "/v1/tasks?dealId=\(world.deal)").json["items"] as? [Any])?.count == 1)
        // The other operator and the manager of nobody here see what is theirs.
        #expect(try await system.request("GET", "/v1/deals/\(world.deal)", key: Self.otherToken).status == 200)
        #expect(try await system.request("GET", "/v1/contacts/\(world.contact)", key: Self.otherToken).status == 200)
        #expect(try await system.request("GET", "/v1/leads/\(world.lead)", key: Self.otherToken).status == 200)
        try await system.stop()
    }

    @Test func g3MatchingAnotherOperatorsContactTellsOnlyThatItExists() async throws {
        let (system, world) = try await Self.start()
        let reply = try await system.request("POST", "/v1/contacts", key: Self.operatorToken, body: #"{"firstName":"V","emails":["vera@example.com"],"phones":["8 916 555-03-03"]}"#)
        #expect(reply.status == 409)
        #expect(!reply.body.contains("Vera") && reply.json["contact"] == nil && !(reply.json["detail"] as? String ?? "").contains("\(world.contact)"))
        let contact = try await system.request("GET", "/v1/contacts/\(world.contact)").json
        #expect(contact["emails"] as? [String] == [], "the match was changed")
        // A contact nobody is responsible for is the shared pool: matched and shown.
        let pool = try await system.request("POST", "/v1/contacts", body: #"{"phones":["+79165550505"]}"#)
        #expect(pool.status == 201)
        let matched = try await system.request("POST", "/v1/contacts", key: Self.operatorToken, body: #"{"phones":["+79165550505"]}"#)
        #expect(matched.status == 200 && matched.json["matched"] as? Bool == true)
        try await system.stop()
    }

    @Test func g3ALeadForAnotherOperatorsClientNamesNoDeal() async throws {
        let (system, world) = try await Self.start()
        let reply = try await system.request("POST", "/v1/leads", key: Self.operatorToken, body: #"{"channel":"web","phone":"+79165550303"}"#)
        #expect(reply.status == 201)
        #expect(reply.json["status"] as? String == "processed" && reply.json["lowQuality"] as? Bool == true)
        #expect(reply.json["dealId"] is NSNull && reply.json["contactId"] is NSNull)
        #expect(!(reply.json["reason"] as? String ?? "").contains("\(world.deal)"))
        // Who sent it reads it back (without the deal); the admin sees where it went.
        let id = try #require(reply.json["id"] as? Int)
        let again = try await system.request("GET", "/v1/leads/\(id)", key: Self.operatorToken)
        #expect(again.status == 200 && again.json["dealId"] is NSNull)
        #expect(try await system.request("GET", "/v1/leads/\(id)").json["dealId"] as? Int == world.deal)
        // Another staff member's lead is not readable at all.
        #expect(try await system.request("GET", "/v1/leads/\(world.lead)", key: Self.operatorToken).status == 404)
        try await system.stop()
    }
}
