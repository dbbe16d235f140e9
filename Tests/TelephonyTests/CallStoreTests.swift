import Contracts
import Foundation
import ServiceKit
import Storage
import Testing
import TelephonyService
import TestSupport
import Wire

/// A shard file's sessions and the events that commit with them (T1, T5, T6, T8).
@Suite struct CallStoreTests {
    static let t0: Int64 = 1_760_000_000_000

    func store() throws -> CallStore {
        let folder = try temporaryFolder("shard")
        return CallStore(shard: 3, database: try Database(path: folder.appendingPathComponent("shard-03.sqlite").path, migrations: TelephonySchema.shardMigrations))
    }

    func events(_ store: CallStore) async throws -> [String] {
        try await store.database.events(after: 0, types: nil, limit: 100).events.map(\.type)
    }

    static func report(_ legs: [CallLeg], id: String = "", ended: Bool = false) -> CallReport {
        CallReport(provider: "ringostat", providerCallID: id, direction: .inbound, clientNumber: "+79161234567", legs: legs, ended: ended)
    }

    @Test func t5AMissedCallIsAnnouncedOnceItIsOverAndT6AnAnswerAfterwardsOnce() async throws {
        let store = try store()
        let ring = CallLeg(destination: "201", staffID: 1, disposition: .noAnswer, startedAtMilliseconds: Self.t0, durationSeconds: 20)
        let first = try await store.record(Self.report([ring], id: "a"))
        #expect(first.created && first.session.id == "3-1")
        #expect(try await events(store) == [Telephony.Event.recorded])  // still ringing: not missed yet
        _ = try await store.record(Self.report([ring], id: "a", ended: true))
        #expect(try await events(store) == [Telephony.Event.recorded, Telephony.Event.recorded, Telephony.Event.missed])
        let repeatOfIt = try await store.record(Self.report([ring], id: "a", ended: true))
        #expect(!repeatOfIt.changed)
        #expect(try await events(store).count == 3, "a repeat commits no event")
        // Without the id, a report of the same number within the window is the same call.
        let answered = CallLeg(destination: "202", staffID: 2, disposition: .answered, startedAtMilliseconds: Self.t0 + 10_000, durationSeconds: 40, talkSeconds: 30)
        let late = try await store.record(Self.report([answered], ended: true))
        #expect(!late.created && late.session.id == "3-1" && late.session.answered)
        #expect(try await events(store).suffix(2) == [Telephony.Event.recorded, Telephony.Event.answered])
        // T1 (issue 22 item 4): within the window but named otherwise by the PBX (a forwarded
        // leg with its own uniqueid): the same call, still answered, and no second missed event.
        let other = try await store.record(Self.report([CallLeg(destination: "201", staffID: 1, disposition: .noAnswer, startedAtMilliseconds: Self.t0 + 30_000, durationSeconds: 5)], id: "b", ended: true))
        #expect(!other.created && other.session.id == "3-1" && other.session.answered && other.session.providerCallIDs.count == 2)
        #expect(try await events(store).filter { $0 == Telephony.Event.missed }.count == 1)
        // Ten minutes later from the same number: another call.
        let next = try await store.record(Self.report([CallLeg(destination: "201", staffID: 1, disposition: .answered, startedAtMilliseconds: Self.t0 + 600_000, durationSeconds: 5, talkSeconds: 4)]))
        #expect(next.created && next.session.id == "3-2")
    }

    /// P1 (issue 22 item 13): a shard's events carry the service's clock (a clock file two
    /// days ahead), not the system's.
    @Test func p1ACallsEventsAreStampedWithTheReplicasClock() async throws {
        let business = Date(timeIntervalSince1970: 1_900_000_000)
        let shards = ShardSet(
            replica: "telephony-0", replicas: ["telephony-0"], shards: CallShard(count: 1), folder: try temporaryFolder("clock").path,
            windowMilliseconds: 120_000, clock: WallClock { business })
        let store = try shards.store(0)
        _ = try await store.record(Self.report([CallLeg(destination: "201", disposition: .noAnswer, startedAtMilliseconds: Self.t0, durationSeconds: 5)], id: "a", ended: true))
        let stamped = try await store.database.events(after: 0, types: nil, limit: 10).events.map(\.createdAtMilliseconds)
        #expect(!stamped.isEmpty && stamped.allSatisfy { $0 == 1_900_000_000_000 })
    }
}
