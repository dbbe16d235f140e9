import Contracts
import DealsService
import Foundation
import ServiceKit
import Testing
import TestSupport
import Wire

/// Issue 26: a member who leaves hands their open deals and tasks to who takes over;
/// what they closed keeps their name, and D4's one open task of a kind holds.
@Suite struct StaffHandoverTests {
    @Test func d8d4OpenDealsAndTasksGoToTheHeirOnceClosedOnesStayAndNoTaskIsDoubled() async throws {
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port)
        let open = try await f.openDeal("Open", contact: 1, responsible: 5)
        let won = try await f.openDeal("Won", contact: 2, responsible: 5)
        _ = try await f.api.deals.changeStage(ChangeStageRequest(dealID: won.id, stageID: 4))
        let others = try await f.openDeal("Someone else's", contact: 3, responsible: 7)
        func task(_ kind: TaskKind, deal: Int64, assignee: Int64) async throws -> Int64 {
            var task = DealTask()
            task.kind = kind
            task.dealID = deal
            task.assigneeID = assignee
            return try await f.api.tasks.create(task).task.id
        }
        let call = try await task(.callBack, deal: open.id, assignee: 5)
        let doubled = try await task(.followUp, deal: open.id, assignee: 5)
        let heirs = try await task(.followUp, deal: open.id, assignee: 6)
        let inbox = EventInbox(database: f.database)
        f.api.subscribe(inbox)
        var left = StaffDeactivated()
        left.staffID = 5
        left.handToID = 6
        left.atMilliseconds = 1_000
        let event = EventEnvelope(
            id: "e-1", type: Contacts.Event.staffDeactivated, aggregateID: "staff-5", sequence: 1, occurredAtMilliseconds: 1_000, source: "contacts",
            payload: left.wireBytes())
        let before = try await f.outbox().count
        try await inbox.apply(EventBatch(events: [event]))
        try await inbox.apply(EventBatch(events: [event]))

        #expect(try await f.api.deals.get(open.id, visibility: .everything).responsibleID == 6)
        #expect(try await f.api.deals.get(won.id, visibility: .everything).responsibleID == 5, "a closed deal keeps who won it")
        #expect(try await f.api.deals.get(others.id, visibility: .everything).responsibleID == 7)
        #expect(Array(try await f.outbox().dropFirst(before)) == [Deals.Event.updated], "one deal.updated, once")
        var mine = ListTasksRequest()
        mine.dealID = open.id
        let tasks = Dictionary(uniqueKeysWithValues: try await f.api.tasks.list(mine).map { ($0.id, $0) })
        #expect(tasks[call]?.assigneeID == 6 && tasks[call]?.status == .open)
        #expect(tasks[doubled] == nil, "the heir has a follow-up on this deal already")
        mine.status = .cancelled
        #expect(try await f.api.tasks.list(mine).map(\.id) == [doubled])
        #expect(tasks[heirs]?.status == .open)
        let timeline = try await f.api.timeline.page(TimelineRequest(dealID: open.id))
        #expect(timeline.entries.filter { $0.kind == "handover" }.count == 1)
    }
}
