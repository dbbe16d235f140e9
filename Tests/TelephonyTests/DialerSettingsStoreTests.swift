import Contracts
import Foundation
import ServiceKit
import Storage
import Testing
import TelephonyService
import TestSupport
import Wire

/// T10's settings on one replica: validated, versioned with who set them, a stale change
/// refused, a change this replica missed caught up.
@Suite struct DialerSettingsStoreTests {
    func store() async throws -> DialerSettingsStore {
        let folder = try temporaryFolder("dialer-settings")
        let database = try Database(path: folder.appendingPathComponent("telephony.sqlite").path, migrations: TelephonySchema.controlMigrations)
        let store = DialerSettingsStore(database: database, clock: .manual(ManualTime()))
        try await store.load()
        return store
    }

    @Test func t10AStaleChangeIsRefusedAndAMissedOneIsCaughtUp() async throws {
        let s = try await store()
        var settings = s.settings
        #expect(settings.version == 1)
        settings.leaseSeconds = 90
        let second = try await s.set(settings, by: "api:admin", expectedVersion: 1)
        #expect(second.version == 2 && second.updatedBy == "api:admin" && s.settings.leaseSeconds == 90)
        // Made from version 1 again: stale.
        await #expect(throws: RPCError.self) { _ = try await s.set(settings, by: "api:admin", expectedVersion: 1) }
        // The other replicas went on to version 4 while this one was down: it takes 5 with them.
        settings.leaseSeconds = 60
        let caughtUp = try await s.set(settings, by: "api:admin", expectedVersion: 4)
        #expect(caughtUp.version == 5 && s.settings.leaseSeconds == 60)
    }

    @Test func t10SettingsThatContradictThemselvesAreRefusedWithTheFieldNamed() async throws {
        let s = try await store()
        var settings = s.settings
        settings.callingHourFrom = 21
        settings.callingHourTo = 9
        settings.regions = [NamedScore(name: "tver", score: 1), NamedScore(name: "tver", score: 2)]
        do {
            _ = try await s.set(settings, by: "api:admin", expectedVersion: 1)
            Issue.record("accepted")
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument && Set(error.details.map(\.field)) == ["callingHourTo", "regions[1].name"])
        }
        #expect(s.settings.version == 1)
    }
}
