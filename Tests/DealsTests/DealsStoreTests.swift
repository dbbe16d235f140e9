import Contracts
import DealsService
import Foundation
import RPC
import ServiceKit
import Storage
import Synchronization
import Testing
import TestSupport
import Wire

/// A stand-in for the contacts service: match-or-create by phone or email.
final class FakeContacts: Sendable {
    let server: RPCServer
    let people = Mutex<[String: Int64]>([:])
    let calls = Counter()

    /// `delay`: how long each match-or-create takes (a contacts service under load).
    init(port: Int = 0, delay: Duration = .zero) throws {
        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: port)
        configuration.secure(as: "contacts")
        configuration.log = { _, _ in }
        server = RPCServer(configuration: configuration)
        server.register(Contacts.matchOrCreate) { [self] request, _ in
            calls.increment()
            if delay > .zero { try? await Task.sleep(for: delay) }
            let key = request.draft.phones.first ?? request.draft.emails.first ?? ""
            guard !key.contains("bad") else {
                throw RPCError.invalidArgument("invalid", details: [FieldViolation(field: "phones[0]", description: "is not a phone number")])
            }
            var response = MatchOrCreateResponse()
            let (id, created) = people.withLock { p -> (Int64, Bool) in
                if let id = p[key] { return (id, false) }
                p[key] = Int64(p.count + 1)
                return (Int64(p.count), true)
            }
            response.created = created
            response.contact.id = id
            return response
        }
        // Every id names a live contact, except 404 which does not exist.
        server.register(Contacts.get) { request, _ in
            guard request.id != 404 else { throw RPCError.notFound("contact 404 does not exist") }
            var contact = Contact()
            contact.id = request.id
            return contact
        }
        try server.start()
    }
}

struct DealsFixture {
    let database: Database
    let api: DealsAPI

    init(contactsPort: Int, clock: WallClock = .system) throws {
        let folder = try temporaryFolder("deals")
        database = try Database(path: folder.appendingPathComponent("deals.sqlite").path, migrations: DealsSchema.migrations)
        var configuration = RPCClient.Configuration()
        configuration.retry = .none
        configuration.backoff = ConnectionBackoff(initial: .milliseconds(20), maximum: .milliseconds(100))
        // A loaded test machine must not turn "processed now" into "pending" (that path has its own test).
        api = DealsAPI(
            database: database, contacts: RPCClient.test("contacts", port: contactsPort, as: "deals", configuration: configuration),
            logger: Logger(service: "test"), leadInlineTimeout: .seconds(15), clock: clock)
    }

    /// Opens a deal straight in the store (no contacts service needed).
    func openDeal(_ title: String, contact: Int64, responsible: Int64? = nil, pipeline: Int64 = 0) async throws -> Deal {
        var input = Deal()
        input.title = title
        input.contactID = contact
        input.responsibleID = responsible
        input.pipelineID = pipeline
        return try await api.deals.create(input)
    }

    func outbox() async throws -> [String] {
        try await database.events(after: 0, types: nil, limit: 1000).events.map(\.type)
    }

    func lead(_ phone: String, partner: String = "", externalID: String = "") -> Lead {
        var lead = Lead()
        lead.channel = "web"
        lead.phone = phone
        lead.partner = partner
        lead.externalID = externalID
        lead.firstName = "Ivan"
        return lead
    }
}

@Suite struct DealsStoreTests {
    /// Issue 24 item 5: a batch read answers what one read per deal would, in one call.
    @Test func g3GetDealsAnswersWhatGetDealWouldForEachInTheOrderAskedOnceEach() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let mine = try await f.openDeal("Mine", contact: 1, responsible: 7)
        let theirs = try await f.openDeal("Theirs", contact: 2, responsible: 8)
        let nobodys = try await f.openDeal("Nobody's", contact: 3)
        let asked: [Int64] = [nobodys.id, 999, mine.id, nobodys.id, theirs.id]
        for visibility in [Visibility.everything, Visibility(restricted: true, staffIDs: [7])] {
            var one: [Int64] = []
            for id in asked where !one.contains(id) {
                if let deal = try? await f.api.deals.get(id, visibility: visibility) { one.append(deal.id) }
            }
            #expect(try await f.api.deals.get(asked, visibility: visibility).map(\.id) == one)
        }
        #expect(try await f.api.deals.get(asked, visibility: .everything).map(\.title) == ["Nobody's", "Mine", "Theirs"])
        #expect(try await f.api.deals.get(asked, visibility: Visibility(restricted: true, staffIDs: [7])).contains { $0.id == mine.id })
        let tooMany = await #expect(throws: RPCError.self) { try await f.api.deals.get(Array(1...501), visibility: .everything) }
        #expect(tooMany?.code == .invalidArgument && tooMany?.details.first?.field == "ids")
    }

    @Test func d3NewPersonOpensADealAndTheSecondLeadJoinsItAsADuplicate() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let first = try await f.api.leads.submit(f.lead("+79161234567"))
        #expect(first.status == .processed && !first.lowQuality && !first.attachedToExistingDeal)
        let deal = try await f.api.deals.get(try #require(first.dealID), visibility: .everything)
        #expect(deal.pipelineID == 1 && deal.stageID == 1 && deal.status == .open && deal.leadID == first.id && deal.source == "web")
        let second = try await f.api.leads.submit(f.lead("+79161234567"))
        #expect(second.status == .processed && second.attachedToExistingDeal && second.dealID == first.dealID)
        #expect(second.lowQuality && second.reason.contains("duplicate"))
        let page = try await f.api.deals.list(ListDealsRequest())
        #expect(page.deals.count == 1)
        var request = TimelineRequest()
        request.dealID = first.dealID
        #expect(try await f.api.timeline.page(request).entries.map(\.kind) == ["lead", "deal_opened"])
        // The duplicate's reason is announced for its partner.
        #expect(try await f.outbox() == [Deals.Event.created, Deals.Event.leadLowQuality])
    }

    /// Issue 22 item 3: two calls from a new number back to back make one deal; the
    /// second call is on its timeline, not a low-quality duplicate, and nothing is announced.
    @Test func d3AClientCallingAboutTheirOpenDealIsAnInteractionNotADuplicate() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        var call = f.lead("+79161234567")
        call.channel = "call"
        let first = try await f.api.leads.submit(call)
        let second = try await f.api.leads.submit(call)
        #expect(second.status == .processed && second.attachedToExistingDeal && second.dealID == first.dealID)
        #expect(!second.lowQuality && second.reason.isEmpty)
        #expect(try await f.outbox().contains(Deals.Event.leadLowQuality) == false)
    }

    @Test func d3InvalidLeadsAreKeptAsLowQualityAndRepeatsReturnTheFirstReceipt() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let noContact = try await f.api.leads.submit(f.lead(""))
        #expect(noContact.status == .rejected && noContact.lowQuality && noContact.reason.contains("no phone or email"))
        let badPhone = try await f.api.leads.submit(f.lead("bad-123", partner: "leadgen", externalID: "L-1"))
        #expect(badPhone.status == .rejected && badPhone.reason.contains("phones[0] is not a phone number"))
        let again = try await f.api.leads.submit(f.lead("bad-123", partner: "leadgen", externalID: "L-1"))
        #expect(again.id == badPhone.id)
        #expect(try await f.api.leads.get(badPhone.id) == badPhone)
        #expect(try await f.api.deals.list(ListDealsRequest()).deals.isEmpty)
        await #expect(throws: RPCError.self) { _ = try await f.api.leads.submit(Lead()) }
    }

    @Test func d3LeadsWaitWhileContactsIsDownAndEachBecomesOneDealWhenItIsBack() async throws {
        // A port nothing listens on yet, outside the range other tests' servers are given.
        let port = try freePort()
        let f = try DealsFixture(contactsPort: port)
        f.api.leads.start()
        var receipts: [LeadReceipt] = []
        for i in 0..<5 { receipts.append(try await f.api.leads.submit(f.lead("+7916000000\(i % 3)"))) }
        #expect(receipts.allSatisfy { $0.status == .pending })
        let contacts = try FakeContacts(port: port)
        #expect(try await eventually(within: .seconds(15)) {
            contacts.people.withLock { $0.count } == 3
        })
        #expect(try await eventuallyAsync(within: .seconds(15)) {
            var statuses: [LeadStatus] = []
            for r in receipts { statuses.append(try await f.api.leads.get(r.id).status) }
            return statuses.allSatisfy { $0 == .processed }
        })
        #expect(try await f.api.deals.list(ListDealsRequest()).deals.count == 3)
        await f.api.leads.stop()
    }

    @Test func d4ATaskBecomesOverdueWhenItsTimePassesOnTheServicesClock() async throws {
        let contacts = try FakeContacts()
        let time = ManualTime()
        let f = try DealsFixture(contactsPort: contacts.server.port, clock: .manual(time))
        let deal = try await f.openDeal("Doors", contact: 7, responsible: 3)
        #expect(deal.createdAtMilliseconds == time.milliseconds)
        var task = DealTask()
        task.kind = .callBack
        task.dealID = deal.id
        task.dueAtMilliseconds = time.milliseconds + 3_600_000
        _ = try await f.api.tasks.create(task)
        var overdue = ListTasksRequest()
        overdue.overdueOnly = true
        #expect(try await f.api.tasks.list(overdue).isEmpty)
        #expect(try await f.api.deals.problems(ProblemDealsRequest()).isEmpty)
        time.advance(by: 3601)
        #expect(try await f.api.tasks.list(overdue).count == 1)
        #expect(try await f.api.deals.problems(ProblemDealsRequest()).first?.reasons == ["overdue_task"])
    }

    @Test func d4OneOpenTaskOfAKindPerDealAndClosingADealCancelsItsTasks() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let deal = try await f.openDeal("Windows for the dacha", contact: 42, responsible: 3)
        var task = DealTask()
        task.kind = .callBack
        task.dealID = deal.id
        task.dueAtMilliseconds = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        let first = try await f.api.tasks.create(task)
        let second = try await f.api.tasks.create(task)
        #expect(!first.existing && second.existing && second.task.id == first.task.id)
        #expect(first.task.assigneeID == 3 && first.task.contactID == 42)
        var overdue = ListTasksRequest()
        overdue.overdueOnly = true
        #expect(try await f.api.tasks.list(overdue).map(\.id) == [first.task.id])
        #expect(try await f.api.deals.problems(ProblemDealsRequest()).first?.reasons == ["overdue_task"])
        var lose = ChangeStageRequest()
        lose.dealID = deal.id
        lose.stageID = 5
        lose.lossReason = "chose a competitor"
        let lost = try await f.api.deals.changeStage(lose)
        #expect(lost.status == .lost)
        #expect(try await f.api.tasks.list(ListTasksRequest()).isEmpty)
        // The call-back given to the responsible tells them (task.assigned, issue 25); the second ask made nothing.
        #expect(try await f.outbox() == [Deals.Event.created, Deals.Event.taskAssigned, Deals.Event.stageChanged, Deals.Event.lost])
    }

    /// Issue 23 item 1 (D2): a deals database from before the storage rule keeps every deal
    /// when it moves to one body per deal, and the queries' columns still find them.
    @Test func d2DealsKeptInColumnsReadTheSameOnceKeptWhole() async throws {
        let path = try temporaryFolder("deals-migration").appendingPathComponent("deals.sqlite").path
        let old = try Database(path: path, migrations: Array(DealsSchema.migrations.prefix(6)))
        let custom = [CustomField(name: "nps", value: "9"), CustomField(name: "city", value: "Казань")]
        try await old.write { tx in
            try tx.run(
                """
                INSERT INTO deals (title, contact_id, pipeline_id, stage_id, status, amount_minor, currency, responsible_id, source, custom_fields,
                    scheduled_at, loss_reason, created_at, closed_at, stage_entered_at, lead_id)
                VALUES ('Windows, three rooms', 3, 1, 1, 1, 1800000, 'RUB', 4, 'web', ?, 5000, '', 1000, NULL, 2000, 12)
                """, [.blob(Self.customFieldBytes(custom))])
        }
        try await old.close()
        let store = DealStore(database: try Database(path: path, migrations: DealsSchema.migrations))
        let deal = try await store.get(1, visibility: .everything)
        #expect(deal == Deal(
            id: 1, title: "Windows, three rooms", contactID: 3, pipelineID: 1, stageID: 1, status: .open, amountMinor: 1_800_000, currency: "RUB",
            responsibleID: 4, source: "web", customFields: custom, scheduledAtMilliseconds: 5000, createdAtMilliseconds: 1000,
            stageEnteredAtMilliseconds: 2000, leadID: 12))
        var request = ListDealsRequest()
        request.responsibleID = 4
        request.scheduledFromMilliseconds = 5000
        #expect(try await store.list(request).deals == [deal])
        request.responsibleID = 5
        #expect(try await store.list(request).deals.isEmpty)
    }

    /// The bytes deals kept their custom fields in (a list at field 1).
    static func customFieldBytes(_ fields: [CustomField]) -> [UInt8] {
        var e = WireEncoder()
        e.encode(1, fields)
        return e.bytes
    }

    /// Issue 23 item 1: the service keeps the schema's limits itself (a caller over the
    /// wire meets the same ones as the gateway's), counted in code points as JSON Schema
    /// counts them: 151 characters that are 302 code points are too long for a title of
    /// at most 300.
    @Test func d2TheServiceKeepsTheSchemasLimitsCountedAsTheGatewayCountsThem() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        var input = Deal()
        input.contactID = 3
        input.title = String(repeating: "e\u{301}", count: 151)
        input.source = String(repeating: "x", count: 51)
        input.currency = "XYZ"
        input.customFields = [CustomField(name: "", value: "x")]
        do {
            _ = try await f.api.deals.create(input)
            Issue.record("an invalid deal was stored")
        } catch let error as RPCError {
            #expect(error.details.map(\.field) == ["title", "currency", "source", "customFields"])
            #expect(error.details.first?.description == "must be at most 300 characters, not 302")
        }
        input.title = "Windows\nthree rooms"
        await #expect(throws: RPCError.self) { _ = try await f.openDeal(input.title, contact: 3) }
        #expect(try await f.outbox().isEmpty)
        let deal = try await f.openDeal(String(repeating: "e\u{301}", count: 150), contact: 3)
        #expect(deal.title.unicodeScalars.count == 300)
    }

    @Test func d2UpdateChangesOnlyTheGivenFieldsAndRefusesAnAmountWithoutCurrency() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let deal = try await f.openDeal("Donation", contact: 3, responsible: 4)
        var update = UpdateDealRequest(dealID: deal.id, fieldMask: ["amountMinor"])
        update.deal.amountMinor = 50_000
        update.deal.title = "not named in the mask, so never applied"
        await #expect(throws: RPCError.self) { _ = try await f.api.deals.update(update) }
        #expect(try await f.api.deals.get(deal.id, visibility: .everything) == deal)
        // A field named and left at its default is cleared: the responsible here.
        update.deal.currency = "EUR"
        update.fieldMask = ["amountMinor", "currency", "responsibleId"]
        let changed = try await f.api.deals.update(update)
        #expect(changed.amountMinor == 50_000 && changed.currency == "EUR" && changed.responsibleID == nil && changed.title == "Donation")
        #expect(try await f.outbox().last == Deals.Event.updated)
        // A mask names only fields a patch may change: the contact and the stage have their own ways.
        for (mask, refused) in [(["contactId"], "contactId"), (["stageId"], "stageId"), (["status"], "status"), (["title"], "title")] {
            update.fieldMask = mask
            update.deal.title = ""
            do {
                _ = try await f.api.deals.update(update)
                Issue.record("\(mask) was applied")
            } catch let error as RPCError {
                #expect(error.details.map(\.field) == [refused])
            }
        }
        #expect(try await f.api.deals.get(deal.id, visibility: .everything) == changed)
    }

    @Test func c3ContactMergedRepointsDealsTasksAndTimelineAndAppliesOnce() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let deal = try await f.openDeal("Course", contact: 8)
        let inbox = EventInbox(database: f.database)
        f.api.subscribe(inbox)
        var merged = ContactMerged()
        merged.survivorID = 5
        merged.mergedID = 8
        let event = EventEnvelope(id: "e-1", type: Contacts.Event.merged, aggregateID: "contact-8", sequence: 1, occurredAtMilliseconds: 0, source: "contacts", payload: merged.wireBytes())
        try await inbox.apply(EventBatch(events: [event]))
        try await inbox.apply(EventBatch(events: [event]))
        #expect(try await f.api.deals.get(deal.id, visibility: .everything).contactID == 5)
        var request = TimelineRequest()
        request.contactID = 5
        #expect(try await f.api.timeline.page(request).entries.count == 1)
    }

    @Test func g3OperatorsSeeTheirOwnDealsOnEveryReadPath() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        var ids: [Int64] = []
        for owner in [Int64(1), 2] {
            ids.append(try await f.openDeal("deal of \(owner)", contact: 100, responsible: owner).id)
        }
        let operatorOne = Visibility.only([1])
        var list = ListDealsRequest()
        list.visibility = operatorOne
        #expect(try await f.api.deals.list(list).deals.map(\.id) == [ids[0]])
        await #expect(throws: RPCError.self) { _ = try await f.api.deals.get(ids[1], visibility: operatorOne) }
        var timeline = TimelineRequest()
        timeline.contactID = 100
        timeline.visibility = operatorOne
        #expect(try await f.api.timeline.page(timeline).entries.map(\.dealID) == [ids[0]])
        timeline.contactID = nil
        timeline.dealID = ids[1]
        await #expect(throws: RPCError.self) { _ = try await f.api.timeline.page(timeline) }
        var problems = ProblemDealsRequest()
        problems.visibility = operatorOne
        #expect(try await f.api.deals.problems(problems).map(\.deal.id) == [ids[0]])
        var stage = ChangeStageRequest()
        stage.dealID = ids[1]
        stage.stageID = 2
        stage.visibility = operatorOne
        await #expect(throws: RPCError.self) { _ = try await f.api.deals.changeStage(stage) }
    }

    @Test func d1StageSLAAndTaskDueTimersEmitEventsAfterTheirTime() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        var pipeline = Pipeline()
        pipeline.name = "Trial lessons"
        for (name, outcome, sla) in [("booked", StageOutcome.inProgress, Int64(30)), ("paid", .won, 0), ("dropped", .lost, 0)] {
            var stage = DealStage()
            stage.name = name
            stage.outcome = outcome
            stage.slaMinutes = sla
            pipeline.stages.append(stage)
        }
        let created = try await f.api.pipelines.create(pipeline)
        let deal = try await f.openDeal("Trial", contact: 9, pipeline: created.id)
        var task = DealTask()
        task.kind = .followUp
        task.dealID = deal.id
        task.dueAtMilliseconds = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
        _ = try await f.api.tasks.create(task)
        #expect(try await f.database.read { try $0.queryFirst("SELECT COUNT(*) FROM timers") { $0.int(0) } } == 2)
        // Half an hour and an hour pass: both timers come due.
        _ = try await f.database.write { try $0.run("UPDATE timers SET due_at = due_at - 3700000") }
        let timers = TimerRunner(database: f.database, logger: Logger(service: "test"))
        f.api.handleTimers(timers)
        timers.start()
        #expect(try await eventuallyAsync {
            let types = try await f.outbox()
            return types.contains(Deals.Event.slaBreached) && types.contains(Deals.Event.taskOverdue)
        })
        await timers.stop()
    }

    @Test func d5InteractionsFromOtherServicesJoinTheTimelineAndACallCompletesCallBacks() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let deal = try await f.openDeal("Windows", contact: 77)
        var task = DealTask()
        task.kind = .callBack
        task.dealID = deal.id
        let callBack = try await f.api.tasks.create(task).task
        let inbox = EventInbox(database: f.database)
        f.api.subscribe(inbox)
        var entry = TimelineEntry()
        entry.kind = "call"
        entry.contactID = 77
        entry.dealID = deal.id
        entry.summary = "outbound call, 3 min"
        let event = EventEnvelope(
            id: "call-1", type: Deals.Event.interactionRecorded, aggregateID: "call-1", sequence: 1, occurredAtMilliseconds: 1_700_000_000_000,
            source: "telephony", payload: entry.wireBytes())
        try await inbox.apply(EventBatch(events: [event, event]))
        var request = TimelineRequest()
        request.contactID = 77
        let entries = try await f.api.timeline.page(request).entries
        #expect(entries.filter { $0.kind == "call" }.count == 1)
        #expect(entries.first { $0.kind == "call" }?.atMilliseconds == 1_700_000_000_000)
        #expect(try await f.api.tasks.list(ListTasksRequest()).isEmpty)
        var done = ListTasksRequest()
        done.status = .done
        #expect(try await f.api.tasks.list(done).map(\.id) == [callBack.id])
    }
}
