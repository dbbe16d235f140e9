import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Synchronization
import Testing
import TestSupport
import Wire

/// P2: an event its subscriber refuses is parked, its aggregate's later events wait
/// behind it, everything else flows; an admin replays or discards it.
@Suite struct ParkedEventTests {
    /// Refuses the event with payload 9 until `fixed` is set (a bug fixed and deployed).
    final class Fix: Sendable {
        let fixed = Atomic<Bool>(false)
    }

    func relay(_ database: Database, port: Int) -> OutboxRelay {
        var configuration = OutboxRelay.Configuration()
        configuration.backoff = ConnectionBackoff(initial: .milliseconds(20), maximum: .milliseconds(100))
        return OutboxRelay(
            database: database,
            subscription: Subscription(subscriber: "sub", endpoint: Endpoint(host: "127.0.0.1", port: port), types: nil),
            source: "test", logger: Logger(service: "test"), configuration: configuration)
    }

    /// Appends (aggregate, payload) pairs, one transaction each.
    func append(_ database: Database, _ events: [(String, UInt8)]) async throws {
        for (aggregate, n) in events {
            try await database.write { try $0.appendEvent(type: "test.happened", aggregateID: aggregate, payload: [n]) }
        }
    }

    func payloads(_ applied: AppliedEvents, _ aggregate: String) -> [UInt8] {
        applied.events.withLock { $0.filter { $0.aggregateID == aggregate }.map { $0.payload[0] } }
    }

    @Test func p2APoisonEventIsParkedOthersFlowAndReplayDeliversInOrder() async throws {
        let folder = try temporaryFolder("parked")
        let database = try Database(path: folder.appendingPathComponent("sender.sqlite").path, migrations: [])
        let fix = Fix()
        let subscriber = try Subscriber(folder: folder) { event in event.payload == [9] && !fix.fixed.load(ordering: .relaxed) }
        let relay = relay(database, port: subscriber.server.port)
        try await append(database, [("a", 1), ("a", 9), ("b", 2), ("a", 3), ("b", 4)])
        relay.start()
        #expect(try await eventually { payloads(subscriber.applied, "b") == [2, 4] })
        // Later batches flow too, except for the held aggregate.
        try await append(database, [("b", 5), ("a", 6)])
        #expect(try await eventually { payloads(subscriber.applied, "b") == [2, 4, 5] })
        #expect(try await eventuallyAsync { try await database.parkedCount(subscriber: "sub") == 3 })
        #expect(payloads(subscriber.applied, "a") == [1])

        let parked = try await database.parkedEvents(subscriber: "sub", afterID: 0, limit: 10)
        try #require(parked.map { $0.event.payload[0] } == [9, 3, 6])
        #expect(parked[0].heldBehind.isEmpty && parked[0].message.contains("cannot apply"))
        #expect(parked[0].code == Status.Code.failedPrecondition.rawValue)
        #expect(parked[1].heldBehind == parked[0].event.eventID && parked[2].heldBehind == parked[0].event.eventID)

        // Replaying before the fix parks it again and counts the attempt.
        let early = try await relay.replay(parked[0].id)
        #expect(early.delivered == 0 && early.stillParked.map(\.code) == ["failed_precondition", "waiting", "waiting"])
        #expect(try await database.parkedEvents(subscriber: "sub", afterID: 0, limit: 10)[0].attempts == 2)

        fix.fixed.store(true, ordering: .relaxed)
        let outcome = try await relay.replay(parked[0].id)
        #expect(outcome.delivered == 3 && outcome.stillParked.isEmpty)
        #expect(payloads(subscriber.applied, "a") == [1, 9, 3, 6])
        #expect(try await database.parkedCount(subscriber: "sub") == 0)
        // The aggregate flows again.
        try await append(database, [("a", 7)])
        #expect(try await eventually { payloads(subscriber.applied, "a") == [1, 9, 3, 6, 7] })
        #expect(relay.progress.refused == 1)
        await relay.stop()
        await subscriber.server.shutdown()
    }

    @Test func p2ADiscardedEventIsNeverSentAndThoseBehindItAre() async throws {
        let folder = try temporaryFolder("parked-discard")
        let database = try Database(path: folder.appendingPathComponent("sender.sqlite").path, migrations: [])
        let subscriber = try Subscriber(folder: folder) { $0.payload == [9] }
        let relay = relay(database, port: subscriber.server.port)
        try await append(database, [("a", 9), ("a", 2)])
        relay.start()
        #expect(try await eventuallyAsync { try await database.parkedCount(subscriber: "sub") == 2 })
        let parked = try await database.parkedEvents(subscriber: "sub", afterID: 0, limit: 10)
        try #require(parked.count == 2)
        // Only the refused event can be given up on, not one waiting behind it.
        await #expect(throws: RPCError.self) { try await relay.discard(parked[1].id) }
        let outcome = try await relay.discard(parked[0].id)
        #expect(outcome.delivered == 1)
        #expect(payloads(subscriber.applied, "a") == [2])
        #expect(try await database.parkedCount(subscriber: "sub") == 0)
        await #expect(throws: RPCError.self) { try await relay.discard(parked[0].id) }
        await relay.stop()
        await subscriber.server.shutdown()
    }

    @Test func p2ParkedEventsSurviveARestartAndStillHoldTheirAggregate() async throws {
        let folder = try temporaryFolder("parked-restart")
        let path = folder.appendingPathComponent("sender.sqlite").path
        var database = try Database(path: path, migrations: [])
        let subscriber = try Subscriber(folder: folder) { $0.payload == [9] }
        var first = relay(database, port: subscriber.server.port)
        try await append(database, [("a", 9)])
        first.start()
        #expect(try await eventuallyAsync { try await database.parkedCount(subscriber: "sub") == 1 })
        await first.stop()
        try await database.close()

        database = try Database(path: path, migrations: [])
        first = relay(database, port: subscriber.server.port)
        try await append(database, [("a", 2), ("b", 3)])
        first.start()
        #expect(try await eventually { payloads(subscriber.applied, "b") == [3] })
        #expect(try await eventuallyAsync { try await database.parkedCount(subscriber: "sub") == 2 })
        #expect(payloads(subscriber.applied, "a").isEmpty)
        await first.stop()
        await subscriber.server.shutdown()
    }

    @Test func p2ASubscriberRefusingWholeBatchesHasOnlyTheBadEventParked() async throws {
        let folder = try temporaryFolder("parked-legacy")
        let database = try Database(path: folder.appendingPathComponent("sender.sqlite").path, migrations: [])
        // An older subscriber: answers an error for the whole batch.
        let applied = AppliedEvents()
        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.log = { _, _ in }
        let server = RPCServer(configuration: configuration)
        server.register(Events.deliver) { batch, _ in
            if batch.events.contains(where: { $0.payload == [9] }) { throw RPCError(.invalidArgument, "bad payload") }
            applied.events.withLock { $0 += batch.events }
            return DeliveryReport()
        }
        try server.start()
        let relay = relay(database, port: server.port)
        try await append(database, [("a", 1), ("b", 9), ("c", 3)])
        relay.start()
        #expect(try await eventually { applied.count == 2 })
        #expect(applied.events.withLock { $0.map { $0.payload[0] } } == [1, 3])
        let parked = try await database.parkedEvents(subscriber: "sub", afterID: 0, limit: 10)
        try #require(parked.map { $0.event.payload[0] } == [9])
        #expect(parked[0].code == Status.Code.invalidArgument.rawValue && parked[0].message == "bad payload")
        // A replay it refuses again is an answer (still parked), not an error.
        let outcome = try await relay.replay(parked[0].id)
        #expect(outcome.delivered == 0 && outcome.stillParked.map(\.message) == ["bad payload"])
        await relay.stop()
        await server.shutdown()
    }

    /// One definition of a momentary failure on both sides: a subscriber that answers
    /// `aborted` (a conflict of the moment) gets the batch again; nothing is parked.
    @Test func p2ABatchAnsweredWithAMomentaryStatusComesAgainAndIsNeverParked() async throws {
        let folder = try temporaryFolder("parked-momentary")
        let database = try Database(path: folder.appendingPathComponent("sender.sqlite").path, migrations: [])
        let applied = AppliedEvents()
        let answers = Atomic<Int>(0)
        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.log = { _, _ in }
        let server = RPCServer(configuration: configuration)
        server.register(Events.deliver) { batch, _ in
            if answers.add(1, ordering: .relaxed).newValue <= 2 { throw RPCError(.aborted, "a conflict; try again") }
            applied.events.withLock { $0 += batch.events }
            return DeliveryReport()
        }
        try server.start()
        let relay = relay(database, port: server.port)
        try await append(database, [("a", 1), ("a", 2)])
        relay.start()
        #expect(try await eventually { applied.count == 2 })
        #expect(try await database.parkedCount(subscriber: "sub") == 0)
        #expect(Status.Code.allCases.filter(\.isMomentary) == [.cancelled, .deadlineExceeded, .resourceExhausted, .aborted, .unavailable])
        await relay.stop()
        await server.shutdown()
    }
}
