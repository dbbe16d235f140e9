import Contracts
import Foundation
import RPC
import SchedulingService
import ServiceKit
import Storage
import Synchronization
import Wire

/// `switchboard-bench scheduling` (S2), against the real executable (build -c release):
/// 200 engineers in 10 zones with 5 skills, working 9–18 Moscow time on weekdays, and
/// 5,000 appointments over the next 14 days written before the service starts (seeded):
/// - scheduling.slots: the earliest 10 slots for a skill and zone over 14 days, 16 in flight;
/// - scheduling.book: 64 clients booking one hour each at random times (most refused as
///   taken, answered with alternatives); `overlaps` counts busy times that overlap in the
///   database afterwards (must be 0), `booked` how many were booked.
enum SchedulingBench {
    static let engineers = 200
    static let appointments = 5_000
    static let seed: UInt64 = 20_261_202

    static func run(options: BenchOptions) async throws -> [BenchResult] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scheduling-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("scheduling.sqlite").path
        let start = try await fill(path)
        let service = try BenchProcess("switchboard-scheduling", [
            "SCHEDULING_PORT": "0", "SCHEDULING_ADMIN_PORT": "0", "SCHEDULING_DATA_DIR": folder.path, "SCHEDULING_MIN_NOTICE_MINUTES": "0",
            // The bench books for deals it made up, with no deals service running.
            "SCHEDULING_DEALS": "none",
        ])
        let client = BenchPKI.client("scheduling", port: service.port)
        var results: [BenchResult] = []
        if options.wants("scheduling.slots") {
            results.append(await LoadRunner.run(scenario: "scheduling.slots", concurrency: 16, warmUp: options.warmUp, duration: options.duration) { i in
                var request = SlotRequest()
                request.skill = "skill-\(i % 5)"
                request.zone = "zone-\(i % 10)"
                request.durationMinutes = 60
                request.fromMilliseconds = start
                request.toMilliseconds = start + 14 * 86_400_000
                request.limit = 10
                return ((try? await client.call(Scheduling.findSlots, request))?.slots.count ?? 0) == 10
            })
        }
        if options.wants("scheduling.book") {
            let booked = Atomic<Int>(0)
            var result = await LoadRunner.run(scenario: "scheduling.book", concurrency: 64, warmUp: options.warmUp, duration: options.duration) { i in
                var random = DialerBench.Seeded(state: seed &+ UInt64(i))
                let a = hour(deal: Int64(1 + i % 1000), from: start, &random)
                guard let answer = try? await client.call(Scheduling.book, a) else { return false }
                if answer.booked { booked.add(1, ordering: .relaxed) }
                return true
            }
            client.shutdown()
            service.stop()
            let database = try Database(path: path, migrations: SchedulingSchema.migrations)
            let overlaps = try await database.read { c in
                try c.queryFirst(
                    "SELECT COUNT(*) FROM busy a JOIN busy b ON a.resource_id = b.resource_id AND a.appointment_id < b.appointment_id AND a.busy_from < b.busy_to AND b.busy_from < a.busy_to",
                    []) { $0.int(0) } ?? -1
            }
            try await database.close()
            result.figures = [("overlaps", overlaps), ("booked", booked.load(ordering: .relaxed))]
            results.append(result)
        } else {
            client.shutdown()
            service.stop()
        }
        return results
    }

    /// An hour's measurement for a random engineer on a weekday of the two weeks from
    /// `start` (the first Monday, 9:00 Moscow), between 9:00 and 17:00.
    static func hour(deal: Int64, from start: Int64, _ random: inout DialerBench.Seeded) -> Appointment {
        var a = Appointment()
        a.dealID = deal
        a.kind = .measurement
        a.resourceIDs = [Int64(1 + random.next(engineers))]
        a.startMilliseconds = start + Int64([0, 1, 2, 3, 4, 7, 8, 9, 10, 11][random.next(10)]) * 86_400_000 + Int64(random.next(8)) * 3_600_000
        a.endMilliseconds = a.startMilliseconds + 3_600_000
        return a
    }

    /// The engineers and their appointments; returns the first bench day's 06:00 UTC (9:00 Moscow).
    static func fill(_ path: String) async throws -> Int64 {
        let database = try Database(path: path, migrations: SchedulingSchema.migrations)
        let api = SchedulingAPI(database: database, clock: .system, noticeMinutes: 0)
        var random = DialerBench.Seeded(state: seed)
        let weekdays = (1...5).map { WorkingHours(weekday: $0, fromMinute: 540, toMinute: 1080) }
        for i in 0..<engineers {
            var r = Resource()
            r.name = "Engineer \(i)"
            r.kind = .engineer
            r.timeZone = "Europe/Moscow"
            r.hours = weekdays
            r.zones = ["zone-\(i % 10)"]
            r.skills = ["skill-\(i % 5)", "skill-\((i + 1) % 5)"]
            _ = try await api.resources.create(r)
        }
        // The first Monday at least a day ahead, 06:00 UTC.
        let today = Int64(Date().timeIntervalSince1970) / 86_400
        let monday = today + 1 + (7 - CivilDate(day: today + 1).weekday + 1) % 7
        let start = monday * 86_400_000 + 6 * 3_600_000
        var made = 0
        while made < appointments {
            let a = hour(deal: Int64(1 + made % 1000), from: start, &random)
            if try await api.appointments.book(a, overrideReason: "bench").booked { made += 1 }
        }
        try await database.close()
        return start
    }
}
