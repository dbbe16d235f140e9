import Contracts
import ServiceKit
import Storage
import Wire

/// C8: erasing a person from scheduling. Their deals' appointments keep their time,
/// resources, kind and status (the calendars and workloads count them) without the
/// address or notes; lessons, series and attendance name them only by contact id, which
/// names nobody once contacts has erased them.
struct AppointmentErasure: Sendable {
    let database: Database
    let events: EventErasure

    func erase(_ request: ErasePersonRequest) async throws -> ErasureReport {
        let deals = SQLList.integers(request.dealIDs)
        let count = try await database.write { tx -> Int64 in
            let appointments = try tx.query("SELECT id, appointment FROM appointments WHERE deal_id IN (\(deals))") {
                ($0.int64(0), try Appointment(wireBytes: $0.blob(1)))
            }
            var count: Int64 = 0
            for (id, appointment) in appointments where !appointment.address.isEmpty || !appointment.notes.isEmpty || !appointment.cancelReason.isEmpty {
                var kept = appointment
                (kept.address, kept.notes, kept.cancelReason) = ("", "", "")
                try tx.run("UPDATE appointments SET appointment = ? WHERE id = ?", [.blob(kept.wireBytes()), .integer(id)])
                count += 1
            }
            return count
        }
        let aggregates = ["contact-\(request.contactID)"] + request.dealIDs.map { "deal-\($0)" }
        return try await events.report(["appointments": count], for: request, aggregates: aggregates)
    }
}
