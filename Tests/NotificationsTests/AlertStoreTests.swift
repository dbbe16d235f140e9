import Contracts
import Foundation
import NotificationsService
import ServiceKit
import Storage
import Testing
import TestSupport

/// N5 on figures read from other services (the dialing queue, payments stuck in attempt):
/// the hold time counts on the business clock, and a pass where the service did not
/// answer leaves the alert as it was — neither fired nor resolved by silence.
@Suite struct AlertStoreTests {
    @Test func n5AnAlertOnAServicesFigureHoldsFiresAndIsNeitherFiredNorResolvedBySilence() async throws {
        let folder = try temporaryFolder("alerts")
        let database = try Database(path: folder.appendingPathComponent("n.sqlite").path, migrations: NotificationsSchema.migrations)
        let time = ManualTime()
        let store = AlertStore(database: database, clock: .manual(time))
        _ = try await store.create(Alert(name: "Queue", metric: .dialingQueue, threshold: 100, forMinutes: 5, chatID: "-1"))
        #expect(try await store.metricsInUse() == [.dialingQueue])
        func state() async throws -> (AlertState, Int64) {
            let a = try #require(try await store.list().alerts.first)
            return (a.state, a.lastValue)
        }
        func messages() async throws -> [String] {
            try await database.read { c in try c.query("SELECT message FROM sends ORDER BY id", []) { try OutboundMessage(wireBytes: $0.blob(0)).body } }
        }
        try await store.check(readings: [.dialingQueue: 150])
        #expect(try await state() == (.pending, 150))
        time.advance(by: 6 * 60)
        try await store.check(readings: [:])
        #expect(try await state() == (.pending, 150), "telephony silent: nothing moves")
        try await store.check(readings: [.dialingQueue: 140])
        #expect(try await state() == (.firing, 140))
        let fired = try await messages()
        #expect(fired.count == 1 && (fired.first ?? "").contains("Queue</b>: 140 now (threshold 100)"), "\(fired)")
        time.advance(by: 60)
        try await store.check(readings: [:])
        #expect(try await state() == (.firing, 140), "silence is not resolution")
        try await store.check(readings: [.dialingQueue: 10])
        #expect(try await state() == (.inactive, 10))
        let all = try await messages()
        #expect(all.count == 2 && (all.last ?? "").hasPrefix("✅ resolved"), "\(all)")
        try await database.close()
    }
}
