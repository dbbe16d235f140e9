import Contracts
import FoundationEssentials
import Glibc
import JSON
import Storage

/// S2 on the deals side (D5): each booking, move and cancel of a deal's appointment is a
/// timeline entry on the deal, inside the inbox's transaction (a redelivery adds nothing).
enum AppointmentLedger {
    static func record(_ a: Appointment, _ what: String, _ tx: Transaction, at now: Int64) throws {
        guard let deal = try DealStore.load(tx.connection, id: a.dealID) else { return }
        let window = "\(RFC3339.format(milliseconds: a.startMilliseconds))–\(RFC3339.format(milliseconds: a.endMilliseconds))"
        var summary = "\(a.kind.name) \(what): \(window)"
        switch what {
        case "moved":
            if let last = a.history.last { summary += " (was \(RFC3339.format(milliseconds: last.fromStartMilliseconds)); \(last.reason))" }
        case "cancelled":
            summary += " (\(a.cancelReason))"
        default:
            if !a.address.isEmpty { summary += ", \(a.address)" }
        }
        try TimelineStore.append(tx, TimelineStore.entry(kind: "appointment", dealID: deal.id, contactID: deal.contactID, summary: summary, at: now))
    }
}
