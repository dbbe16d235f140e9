import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Synchronization
import Testing
import TestSupport
import Wire

/// What a subscriber applied, in order.
final class AppliedEvents: Sendable {
    let events = Mutex<[EventEnvelope]>([])
    var count: Int { events.withLock { $0.count } }
    var ids: [String] { events.withLock { $0.map(\.id) } }
}

/// A subscriber: its own database, an inbox that records every `test.happened`, on an RPC port.
struct Subscriber {
    let database: Database
    let server: RPCServer
    let applied = AppliedEvents()

    /// `refuses` picks events the handler refuses for their own reasons (a bug, a rule).
    init(port: Int = 0, folder: URL, refuses: @escaping @Sendable (EventEnvelope) -> Bool = { _ in false }) throws {
        database = try Database(path: folder.appendingPathComponent("subscriber.sqlite").path, migrations: [])
        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: port)
        configuration.log = { _, _ in }
        server = RPCServer(configuration: configuration)
        let inbox = EventInbox(database: database)
        inbox.on("test.happened") { [applied] event, _ in
            if refuses(event) { throw RPCError(.failedPrecondition, "cannot apply event \(event.id)") }
            applied.events.withLock { $0.append(event) }
        }
        server.register(Events.deliver) { batch, _ in
            try await inbox.apply(batch)
        }
        try server.start()
    }
}

@Suite struct SubscriptionTests {
    @Test func p2ParsesSubscribersAndTheirTypes() throws {
        let parsed = try Subscription.parse("deals@127.0.0.1:7102=contact.merged, contact.deleted ; audit@host:9=*", variable: "X")
        #expect(parsed.count == 2)
        #expect(parsed[0].subscriber == "deals" && parsed[0].endpoint.port == 7102)
        #expect(parsed[0].types == ["contact.merged", "contact.deleted"])
        #expect(parsed[1].types == nil)
        #expect(try Subscription.parse("", variable: "X").isEmpty)
    }

    @Test func p2BadEntriesNameTheVariableAndTheEntry() {
        for text in ["deals", "deals@nohost=x", "@h:1=x", "deals@h:1=", "a@h:1=x;a@h:2=y"] {
            #expect {
                _ = try Subscription.parse(text, variable: "CONTACTS_SUBSCRIBERS")
            } throws: { error in
                let text = "\(error)"
                return text.contains("CONTACTS_SUBSCRIBERS") && text.contains("expected name@host:port")
            }
        }
    }
}

@Suite struct EventDeliveryTests {
    func sender(_ folder: URL) throws -> Database {
        try Database(path: folder.appendingPathComponent("sender.sqlite").path, migrations: [])
    }

    func append(_ database: Database, count: Int, aggregates: Int = 3) async throws {
        for i in 0..<count {
            try await database.write { transaction in
                try transaction.appendEvent(type: "test.happened", aggregateID: "a\(i % aggregates)", payload: [UInt8(i % 256)])
                try transaction.appendEvent(type: "test.ignored", aggregateID: "a\(i % aggregates)", payload: [])
            }
        }
    }

    var idleForAMinute: OutboxRelay.Configuration {
        var configuration = OutboxRelay.Configuration()
        configuration.idleWait = .seconds(60)
        return configuration
    }

    @Test func p2EveryEventArrivesOnceInCommitOrder() async throws {
        let folder = try temporaryFolder("relay")
        let database = try sender(folder)
        let subscriber = try Subscriber(folder: folder)
        try await append(database, count: 300)
        let relay = OutboxRelay(
            database: database,
            subscription: Subscription(
                subscriber: "sub", endpoint: Endpoint(host: "127.0.0.1", port: subscriber.server.port), types: ["test.happened"]),
            source: "test", logger: Logger(service: "test"), configuration: idleForAMinute)
        relay.start()
        #expect(try await eventually { subscriber.applied.count == 300 })
        let sent = try await database.events(after: 0, types: ["test.happened"], limit: 1000).events.map(\.eventID)
        #expect(subscriber.applied.ids == sent)
        // Later commits wake the relay: it looks on its own only once a minute here, so
        // arriving well within that proves the wake-up (10 s: room for a loaded machine).
        try await append(database, count: 5)
        #expect(try await eventually(within: .seconds(10)) { subscriber.applied.count == 305 })
        await relay.stop()
        #expect(try await database.deliveredThrough(subscriber: "sub") > 0)
        await subscriber.server.shutdown()
    }

    @Test func p2ASubscriberDownGetsEverythingWhenBackAndRedeliveryChangesNothing() async throws {
        let folder = try temporaryFolder("relay-down")
        let database = try sender(folder)
        // A port nothing listens on yet, outside the range other tests' servers are given.
        let port = try freePort()
        var configuration = OutboxRelay.Configuration()
        configuration.backoff = ConnectionBackoff(initial: .milliseconds(20), maximum: .milliseconds(100))
        let relay = OutboxRelay(
            database: database,
            subscription: Subscription(subscriber: "sub", endpoint: Endpoint(host: "127.0.0.1", port: port), types: nil),
            source: "test", logger: Logger(service: "test"), configuration: configuration)
        relay.start()
        try await append(database, count: 20)
        // Nothing is lost while it is down: the events wait in the sender's outbox.
        let back = try Subscriber(port: port, folder: folder)
        #expect(try await eventually { back.applied.count == 20 })
        await relay.stop()

        // The same batch again (a relay that crashed before storing its position):
        // recorded in the inbox, so no effect.
        let again = try await database.events(after: 0, types: nil, limit: 1000).events.map {
            EventEnvelope(
                id: $0.eventID, type: $0.type, aggregateID: $0.aggregateID, sequence: $0.sequence,
                occurredAtMilliseconds: $0.createdAtMilliseconds, source: "test", payload: $0.payload)
        }
        let client = RPCClient(host: "127.0.0.1", port: port)
        _ = try await client.call(Events.deliver, EventBatch(events: again))
        #expect(back.applied.count == 20)
        await back.server.shutdown()
    }

    @Test func p2ARefusedEventUndoesOnlyItselfAndHoldsItsAggregate() async throws {
        let folder = try temporaryFolder("inbox-refuse")
        let database = try Database(path: folder.appendingPathComponent("db.sqlite").path, migrations: [
            Migration(1, "CREATE TABLE effects (n INTEGER)")
        ])
        let inbox = EventInbox(database: database)
        inbox.on("test.happened") { event, transaction in
            try transaction.run("INSERT INTO effects (n) VALUES (?)", [.integer(Int64(event.payload[0]))])
            if event.payload == [9] { throw RPCError(.failedPrecondition, "not yet") }
        }
        func envelope(_ id: String, _ aggregate: String, _ n: UInt8) -> EventEnvelope {
            EventEnvelope(id: id, type: "test.happened", aggregateID: aggregate, sequence: 1, occurredAtMilliseconds: 0, source: "t", payload: [n])
        }
        func effects() async throws -> [Int] {
            try await database.read { try $0.query("SELECT n FROM effects ORDER BY rowid") { $0.int(0) } }
        }
        let report = try await inbox.apply(EventBatch(events: [
            envelope("e1", "a", 1), envelope("e2", "a", 9), envelope("e3", "b", 3), envelope("e4", "a", 4),
        ]))
        // e2's own insert is undone; e3 (another aggregate) applies; e4 waits behind e2 untried.
        #expect(report.refused.map(\.eventID) == ["e2", "e4"])
        #expect(report.refused[0].code == Int64(Status.Code.failedPrecondition.rawValue) && report.refused[0].message == "not yet")
        #expect(report.refused[1].heldBehind == "e2")
        #expect(try await effects() == [1, 3])
        // Neither refused event was marked received: each applies when sent again.
        let again = try await inbox.apply(EventBatch(events: [envelope("e4", "a", 4)]))
        #expect(again.refused.isEmpty)
        #expect(try await effects() == [1, 3, 4])
    }

    @Test func p2AFailureOfTheMomentAppliesNothingOfTheBatch() async throws {
        let folder = try temporaryFolder("inbox-fail")
        let database = try Database(path: folder.appendingPathComponent("db.sqlite").path, migrations: [
            Migration(1, "CREATE TABLE effects (n INTEGER)")
        ])
        let inbox = EventInbox(database: database)
        inbox.on("test.happened") { event, transaction in
            if event.payload == [9] { throw RPCError(.unavailable, "a service it needs is down") }
            try transaction.run("INSERT INTO effects (n) VALUES (?)", [.integer(Int64(event.payload[0]))])
        }
        func envelope(_ id: String, _ n: UInt8) -> EventEnvelope {
            EventEnvelope(id: id, type: "test.happened", aggregateID: "a", sequence: 1, occurredAtMilliseconds: 0, source: "t", payload: [n])
        }
        await #expect(throws: RPCError.self) { try await inbox.apply(EventBatch(events: [envelope("e1", 1), envelope("e2", 9)])) }
        #expect(try await database.read { try $0.queryFirst("SELECT COUNT(*) FROM effects") { $0.int(0) } } == 0)
        // The first event was not marked received either: it applies when retried.
        _ = try await inbox.apply(EventBatch(events: [envelope("e1", 1)]))
        #expect(try await database.read { try $0.queryFirst("SELECT COUNT(*) FROM effects") { $0.int(0) } } == 1)
    }
}

@Suite struct EventRetentionTests {
    @Test func p2OnlyEventsEverySubscriberAcknowledgedAndOldEnoughArePruned() async throws {
        let folder = try temporaryFolder("retention")
        let database = try Database(path: folder.appendingPathComponent("db.sqlite").path, migrations: [])
        let old = Date().addingTimeInterval(-8 * 24 * 3600)
        try await database.write { transaction in
            for i in 0..<4 { try transaction.appendEvent(type: "t", aggregateID: "a", payload: [UInt8(i)], at: old) }
            try transaction.appendEvent(type: "t", aggregateID: "a", payload: [9])  // recent
            _ = try transaction.recordReceived(eventID: "ancient", at: Date().addingTimeInterval(-31 * 24 * 3600))
            _ = try transaction.recordReceived(eventID: "fresh")
        }
        try await database.markDelivered(subscriber: "fast", through: 5)
        try await database.markDelivered(subscriber: "slow", through: 2)
        let removed = try await EventRetention().prune(database, subscribers: ["fast", "slow"])
        // Events 1 and 2: old and seen by both. 3 and 4 wait for "slow"; 5 is recent.
        #expect(removed.outbox == 2 && removed.inbox == 1)
        #expect(try await database.events(after: 0, types: nil, limit: 10).events.map(\.sequence) == [3, 4, 5])
        #expect(try await database.write { try $0.recordReceived(eventID: "fresh") } == false)
    }
}

@Suite struct DurableTimerTests {
    @Test func timersFireOnceAndAfterARestart() async throws {
        let folder = try temporaryFolder("timers")
        let path = folder.appendingPathComponent("db.sqlite").path
        let fired = Mutex<[String]>([])
        var database = try Database(path: path, migrations: [])
        try await database.write { transaction in
            try transaction.setTimer(kind: "remind", key: "later", at: Date().addingTimeInterval(3600))
            // Due while the service is down.
            try transaction.setTimer(kind: "remind", key: "soon", at: Date().addingTimeInterval(-1))
            // Set twice: one timer, at the time set last.
            try transaction.setTimer(kind: "remind", key: "moved", at: Date().addingTimeInterval(3600))
            try transaction.setTimer(kind: "remind", key: "moved", at: Date().addingTimeInterval(-1))
            try transaction.setTimer(kind: "remind", key: "cancelled", at: Date())
            try transaction.cancelTimer(kind: "remind", key: "cancelled")
        }
        try await database.close()
        database = try Database(path: path, migrations: [])
        let runner = TimerRunner(database: database, logger: Logger(service: "test"))
        runner.on("remind") { timer, _ in fired.withLock { $0.append(timer.key) } }
        runner.start()
        #expect(try await eventually { fired.withLock { $0.count } == 2 })
        #expect(fired.withLock { Set($0) } == ["soon", "moved"])
        // One set while running fires without waiting out the idle interval (30 s): well
        // within 10 s even on two cores shared with the rest of the suite.
        try await database.write { try $0.setTimer(kind: "remind", key: "new", at: Date().addingTimeInterval(0.05)) }
        #expect(try await eventually(within: .seconds(10)) { fired.withLock { $0.count } == 3 })
        await runner.stop()
        #expect(try await database.read { try $0.queryFirst("SELECT COUNT(*) FROM timers") { $0.int(0) } } == 1)
    }

    @Test func aFailingTimerIsRetriedWithBackoffParkedAndNeverDelaysOthers() async throws {
        let folder = try temporaryFolder("timers-failing")
        let database = try Database(path: folder.appendingPathComponent("db.sqlite").path, migrations: [
            Migration(1, "CREATE TABLE effects (key TEXT)")
        ])
        let time = ManualTime()
        let start = time.now
        var configuration = TimerRunner.Configuration()
        // The runner looks every 10 ms of real time; the test moves its clock.
        configuration.maximumWait = .milliseconds(10)
        configuration.maxAttempts = 3
        configuration.retryDelay = { n in Double(60 * n) }
        let runner = TimerRunner(database: database, logger: Logger(service: "test"), clock: .manual(time), configuration: configuration)
        let attempts = Mutex<[String: Int]>([:])
        runner.on("remind") { timer, transaction in
            attempts.withLock { $0[timer.key, default: 0] += 1 }
            try transaction.run("INSERT INTO effects (key) VALUES (?)", [.text(timer.key)])
            if timer.key == "broken" { throw RPCError(.internal, "the template is missing") }
        }
        try await database.write { transaction in
            try transaction.setTimer(kind: "remind", key: "broken", at: start)
            try transaction.setTimer(kind: "remind", key: "fine", at: start)
            try transaction.setTimer(kind: "remind", key: "later", at: start.addingTimeInterval(30))
        }
        func effects() async throws -> [String] {
            try await database.read { try $0.query("SELECT key FROM effects ORDER BY rowid") { $0.string(0) } }
        }
        func attemptsOf(_ key: String) -> Int { attempts.withLock { $0[key] ?? 0 } }
        /// The runner has recorded `n` failures (and so the time of the next try).
        func recorded(_ n: Int) async throws -> Bool {
            try await eventuallyAsync { try await database.read { try $0.queryFirst("SELECT attempts FROM timer_failures") { $0.int(0) } } == n }
        }
        runner.start()
        #expect(try await eventuallyAsync { try await effects() == ["fine"] && attemptsOf("broken") == 1 })
        #expect(try await recorded(1))
        // Half a minute on, the next timer fires on time; the broken one waits its 60 s.
        time.advance(by: 30)
        #expect(try await eventuallyAsync { try await effects() == ["fine", "later"] })
        #expect(attemptsOf("broken") == 1)
        time.advance(by: 31)  // 61 s after the first failure
        #expect(try await eventually { attemptsOf("broken") == 2 })
        #expect(try await recorded(2))
        time.advance(by: 119)  // not yet: the second retry waits 120 s
        #expect(try await database.dueTimers(now: time.now, limit: 10).isEmpty)
        #expect(attemptsOf("broken") == 2)
        time.advance(by: 2)
        #expect(try await eventually { attemptsOf("broken") == 3 })
        // Parked after the third failure: kept, with its error, never fired again.
        #expect(try await eventuallyAsync { try await database.parkedTimers().count == 1 })
        let parked = try await database.parkedTimers()[0]
        #expect(parked.timer.key == "broken" && parked.attempts == 3 && parked.error.contains("template is missing"))
        time.advance(by: 100_000)
        #expect(try await database.dueTimers(now: time.now, limit: 10).isEmpty)
        #expect(attemptsOf("broken") == 3)
        // Its effects never stuck; set anew (after a fix) it starts clean.
        #expect(try await effects() == ["fine", "later"])
        try await database.write { try $0.setTimer(kind: "remind", key: "broken", at: time.now) }
        #expect(try await database.parkedTimers().isEmpty)
        #expect(try await eventually { attemptsOf("broken") == 4 })
        await runner.stop()
    }
}
