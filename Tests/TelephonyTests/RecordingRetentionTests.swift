import Contracts
import Foundation
import Storage
import Testing
import TelephonyService
import TestSupport

/// P5 (issue 29): recording links are kept for the configured days; the calls stay.
@Suite struct RecordingRetentionTests {
    static let day: Int64 = 86_400_000
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func c8ACallOlderThanTheRetentionLosesItsRecordingLinksAndKeepsEverythingElse() async throws {
        let folder = try temporaryFolder("recordings")
        let store = CallStore(shard: 1, database: try Database(path: folder.appendingPathComponent("shard-01.sqlite").path, migrations: TelephonySchema.shardMigrations))
        let nowMs = Int64(Self.now.timeIntervalSince1970 * 1000)
        func call(_ id: String, daysAgo: Int64, number: String) async throws -> RecordCallResponse {
            let leg = CallLeg(
                destination: "201", staffID: 1, disposition: .answered, startedAtMilliseconds: nowMs - daysAgo * Self.day, durationSeconds: 60, talkSeconds: 50,
                recordingURL: "https://records.example/\(id).mp3")
            return try await store.record(CallReport(provider: "ringostat", providerCallID: id, direction: .inbound, clientNumber: number, legs: [leg], ended: true))
        }
        let old = try await call("old", daysAgo: 40, number: "+79161230001")
        let recent = try await call("recent", daysAgo: 10, number: "+79161230002")
        #expect(old.session.recordingURL == "https://records.example/old.mp3")

        let retention = RecordingRetention(days: 30)
        #expect(try await retention.apply(to: store.database, now: Self.now) == 1)
        #expect(try await retention.apply(to: store.database, now: Self.now) == 0, "done once")
        let calls = try await store.database.read { c in
            try c.query("SELECT session FROM calls ORDER BY seq", []) { try CallSession(wireBytes: $0.blob(0)) }
        }
        #expect(calls.map(\.id) == [old.session.id, recent.session.id], "the calls stay")
        #expect(calls[0].recordingURL.isEmpty && calls[0].legs.allSatisfy { $0.recordingURL.isEmpty })
        #expect(calls[0].answered && calls[0].talkSeconds == old.session.talkSeconds && calls[0].clientNumber == "+79161230001")
        #expect(calls[1].recordingURL == "https://records.example/recent.mp3")
        // The links are gone from the file itself, not only from what is read.
        let bytes = try await store.database.read { c in try c.query("SELECT session FROM calls", []) { $0.blob(0) } }.flatMap { $0 }
        #expect(String(decoding: bytes, as: UTF8.self).contains("old.mp3") == false)
    }
}
