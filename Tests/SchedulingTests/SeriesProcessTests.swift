import Contracts
import Foundation
import RPC
import SchedulingService
import Storage
import Testing
import TestSupport
import Wire

/// S5 over the real executable: a reminder is a durable timer set in the same
/// transaction as its session, so a kill -9 right after a move cannot leave it at the
/// old time. The service's business clock is a file the test moves (P_CLOCK_FILE).
@Suite struct SeriesProcessTests {
    static let hour: Int64 = 3_600_000

    @Test func s5AfterAKillRightAfterAMoveTheReminderFiresAtTheNewTimeOnly() async throws {
        let folder = try temporaryFolder("series")
        let clockFile = folder.appendingPathComponent("now")
        let t0: Int64 = 1_800_000_000_000
        func setClock(_ ms: Int64) throws {
            let next = folder.appendingPathComponent("now.next")
            try Data("\(ms)".utf8).write(to: next)
            guard rename(next.path, clockFile.path) == 0 else { throw TestFailure("cannot move the clock") }
        }
        try setClock(t0)
        let port = try freePort()
        let environment = [
            "SCHEDULING_PORT": "\(port)", "SCHEDULING_ADMIN_PORT": "0", "SCHEDULING_DATA_DIR": folder.appendingPathComponent("data").path,
            // Series and sessions name no deal.
            "SCHEDULING_DEALS": "none",
            "SCHEDULING_CLOCK_FILE": clockFile.path,
        ]
        var service = try await ServiceProcess(executable: "switchboard-scheduling", environment: environment)
        var client = RPCClient.test("scheduling", port: port)
        let series = try await client.call(Scheduling.createSeries, Series(name: "Volunteers' course", reminderMinutes: 120))
        _ = try await client.call(Scheduling.addSession, SeriesSession(seriesID: series.id, title: "1", startMilliseconds: t0 + 24 * Self.hour, endMilliseconds: t0 + 26 * Self.hour))
        let withTwo = try await client.call(Scheduling.addSession, SeriesSession(seriesID: series.id, title: "2", startMilliseconds: t0 + 48 * Self.hour, endMilliseconds: t0 + 50 * Self.hour))
        _ = try await client.call(Scheduling.enroll, EnrollRequest(seriesID: series.id, contactID: 5))
        let second = try #require(withTwo.sessions.last)
        // The second session moves a day later; the process dies at once.
        _ = try await client.call(Scheduling.moveSession, MoveSessionRequest(id: second.id, startMilliseconds: t0 + 72 * Self.hour, endMilliseconds: t0 + 74 * Self.hour))
        service.signal(SIGKILL)
        _ = try await service.waitForExit()
        client.shutdown()

        service = try await ServiceProcess(executable: "switchboard-scheduling", environment: environment)
        client = RPCClient.test("scheduling", port: port)
        // Past the old reminder time (46 h) and the new one (70 h): whatever was set fires now.
        try setClock(t0 + 71 * Self.hour)
        let database = try Database(path: folder.appendingPathComponent("data/scheduling.sqlite").path, migrations: SchedulingSchema.migrations)
        func reminders() async throws -> [SessionReminder] {
            try await database.read { c in
                try c.query("SELECT payload FROM outbox WHERE event_type = ?", [.text(Scheduling.Event.reminderDue)]) { try SessionReminder(wireBytes: $0.blob(0)) }
            }
        }
        #expect(try await eventuallyAsync(within: .seconds(10)) { try await reminders().count >= 1 })
        // Stopping flushes the timer loop: anything else due would be there too.
        service.signal(SIGTERM)
        _ = try await service.waitForExit()
        client.shutdown()
        let fired = try await reminders()
        #expect(fired.count == 1, "one reminder, not one at the old time too: \(fired)")
        #expect(fired.first?.startMilliseconds == t0 + 72 * Self.hour && fired.first?.sessionNumber == 2 && fired.first?.contactID == 5)
        try await database.close()
    }
}
