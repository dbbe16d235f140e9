import Contracts
import DealsService
import Foundation
import ServiceKit
import Testing
import TestSupport
import Wire

/// D4 (issue 26): the installer's periodic calls. A task moves to a new time with its
/// history; a repeating task done opens the next, never two open at once; cancelling ends it.
@Suite struct TaskRepeatTests {
    static let day: Int64 = 86_400_000

    @Test func d8d4ARepeatingTaskOpensTheNextWhenDoneSkipsMissedTurnsAndEndsWhenCancelled() async throws {
        let time = ManualTime()
        let contacts = try FakeContacts()
        let f = try DealsFixture(contactsPort: contacts.server.port, clock: .manual(time))
        let deal = try await f.openDeal("Service contract", contact: 1, responsible: 5)
        var input = DealTask()
        input.kind = .callBack
        input.dealID = deal.id
        input.dueAtMilliseconds = time.milliseconds + Self.day
        input.repeatEveryDays = 14
        let first = try await f.api.tasks.create(input).task
        #expect(first.seriesID == first.id && first.assigneeID == 5)
        var noDue = input
        noDue.dueAtMilliseconds = nil
        noDue.kind = .followUp
        await #expect(throws: RPCError.self) { _ = try await f.api.tasks.create(noDue) }

        // Moved two days on, with the reason; the history keeps the first time.
        var move = RescheduleTaskRequest(id: first.id, dueAtMilliseconds: time.milliseconds + 3 * Self.day, reason: "client away")
        move.by = 5
        let moved = try await f.api.tasks.reschedule(move)
        #expect(moved.dueAtMilliseconds == time.milliseconds + 3 * Self.day)
        #expect(moved.reschedules == [TaskReschedule(
            fromMilliseconds: first.dueAtMilliseconds, toMilliseconds: time.milliseconds + 3 * Self.day, atMilliseconds: time.milliseconds, by: 5, reason: "client away")])
        await #expect(throws: RPCError.self) { _ = try await f.api.tasks.reschedule(RescheduleTaskRequest(id: first.id, dueAtMilliseconds: time.milliseconds - 1)) }
        var hidden = RescheduleTaskRequest(id: first.id, dueAtMilliseconds: time.milliseconds + 4 * Self.day)
        hidden.visibility = Visibility(restricted: true, staffIDs: [6])
        let unseen = await #expect(throws: RPCError.self) { _ = try await f.api.tasks.reschedule(hidden) }
        #expect(unseen?.code == .notFound)

        // Done on time: the next is due 14 days after this one was.
        _ = try await f.api.tasks.complete(CompleteTaskRequest(id: first.id, status: .done))
        var open = ListTasksRequest()
        open.dealID = deal.id
        let second = try #require(try await f.api.tasks.list(open).first)
        #expect(second.id != first.id && second.seriesID == first.id && second.dueAtMilliseconds == moved.dueAtMilliseconds! + 14 * Self.day)
        #expect(second.reschedules.isEmpty && second.repeatEveryDays == 14 && second.kind == .callBack)

        // Done 40 days late: the turns missed are skipped, the next is ahead of now.
        time.advance(by: Double(40 * Self.day + 3 * Self.day) / 1000)
        _ = try await f.api.tasks.complete(CompleteTaskRequest(id: second.id, status: .done))
        let third = try #require(try await f.api.tasks.list(open).first)
        #expect(third.dueAtMilliseconds! > time.milliseconds && third.dueAtMilliseconds! - second.dueAtMilliseconds! == 28 * Self.day)
        #expect(try await f.api.tasks.list(open).count == 1, "D4: one open at a time")

        // Cancelled: the repetition ends.
        _ = try await f.api.tasks.complete(CompleteTaskRequest(id: third.id, status: .cancelled))
        #expect(try await f.api.tasks.list(open).isEmpty)
    }
}
