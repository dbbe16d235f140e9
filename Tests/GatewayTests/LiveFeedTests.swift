import Contracts
import Foundation
@testable import Gateway
import Testing
import Wire

/// G6 (issue 27 item 4): the live feed as plain values: which events become what a person
/// sees (and whose they are), call-backs held until due, resuming with Last-Event-ID, a
/// reset when more was missed than is kept, and the cap per person.
@Suite struct LiveFeedTests {
    static func envelope(_ type: String, _ payload: [UInt8]) -> EventEnvelope {
        EventEnvelope(id: UUID().uuidString, type: type, aggregateID: "x", sequence: 1, occurredAtMilliseconds: 0, source: "t", payload: payload)
    }

    @Test func g6EventsBecomeWhatTheirOwnerSeesAndCallbacksAreDueLater() throws {
        var task = DealTask()
        (task.id, task.dealID, task.assigneeID, task.title, task.kind) = (7, 3, 2, "Call Anna", .callBack)
        let given = LiveEvent.from(Self.envelope(Deals.Event.taskAssigned, task.wireBytes()))
        #expect(given.count == 1 && given[0].kind == .task && given[0].owner == 2)
        #expect(String(decoding: given[0].data, as: UTF8.self).contains("\"title\":\"Call Anna\""))
        #expect(given[0].visible(to: Visibility(restricted: true, staffIDs: [2, 5])) && !given[0].visible(to: Visibility(restricted: true, staffIDs: [4])))
        #expect(given[0].visible(to: nil), "those who see everything")

        var recorded = OutcomeRecorded()
        recorded.operatorID = 4
        recorded.outcome = .callback
        recorded.entry.id = "3-9"
        recorded.entry.phone = "+79160000001"
        recorded.entry.callbackAtMilliseconds = 5_000
        let outcome = LiveEvent.from(Self.envelope(Telephony.Event.outcome, recorded.wireBytes()))
        #expect(outcome.map(\.kind) == [.dialer, .callback] && outcome[1].owner == 4 && outcome[1].dueAtMilliseconds == 5_000)
        #expect(LiveEvent.from(Self.envelope("contact.merged", [])).isEmpty, "types the feed does not follow")
        #expect(LiveEvent.from(Self.envelope(Deals.Event.taskAssigned, [0xff, 0xff])).isEmpty, "a payload that does not read")

        let unassigned = LiveEvent(kind: .message, owner: nil, data: [])
        #expect(!unassigned.visible(to: Visibility(restricted: true, staffIDs: [1])) && unassigned.visible(to: nil))

        let feed = LiveFeed(capacity: 3, perPerson: 2)
        #expect(feed.wanted().0 == false, "nobody has listened: the services are not asked")
        let opened = try #require(feed.listen(person: "staff:4", visibility: Visibility(restricted: true, staffIDs: [4]), after: nil))
        let (wanted, since) = feed.wanted()
        #expect(wanted && since > 0, "listened to since a moment ago: older events are not sent")
        feed.publish(outcome, nowMilliseconds: 1_000)
        #expect(feed.counts.pending == 1 && feed.counts.buffered == 1, "the call-back waits for its time")
        feed.releaseDue(nowMilliseconds: 4_999)
        #expect(feed.counts.pending == 1)
        feed.releaseDue(nowMilliseconds: 5_000)
        #expect(feed.counts.pending == 0 && feed.counts.buffered == 2)
        feed.leave(opened.id)
        #expect(feed.wanted().0, "followed a while after the last stream closed, for a tab coming back")
    }

    @Test func g6AListenerResumesAfterItsLastEventOrIsToldToReload() async throws {
        let feed = LiveFeed(capacity: 3, perPerson: 2, epoch: "100")
        let mine = Visibility(restricted: true, staffIDs: [1])
        let events = (1...4).map { LiveEvent(kind: .task, owner: $0 % 2 == 1 ? 1 : 2, data: Array("\($0)".utf8)) }
        feed.publish(Array(events.prefix(2)), nowMilliseconds: 0)
        let first = try #require(feed.listen(person: "staff:1", visibility: mine, after: "100-1"))
        #expect(first.missed.isEmpty && !first.reset, "event 2 was someone else's")
        feed.publish(Array(events.suffix(2)), nowMilliseconds: 0)
        var iterator = first.events.makeAsyncIterator()
        #expect(await iterator.next()?.id == 3, "event 3 is hers, 4 is not")
        feed.leave(first.id)
        #expect(await iterator.next() == nil, "leaving ends the stream")

        let resumed = try #require(feed.listen(person: "staff:1", visibility: mine, after: "100-2"))
        #expect(resumed.missed.map(\.id) == [3] && !resumed.reset)
        let late = try #require(feed.listen(person: "staff:1", visibility: nil, after: "100-0"))
        #expect(late.reset && late.missed.map(\.id) == [2, 3, 4], "event 1 is gone from the three kept")
        #expect(feed.listen(person: "staff:1", visibility: mine, after: nil) == nil, "two streams per person here")
        #expect(feed.listen(person: "staff:2", visibility: nil, after: "99-3")?.reset == true, "another process's id")
    }
}
