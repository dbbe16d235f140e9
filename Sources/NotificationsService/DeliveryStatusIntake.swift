import Contracts
import Foundation
import ServiceKit
import Storage
import Wire

/// N1: providers' delivery-status callbacks (through the gateway's hook ledger) applied to
/// the sends they are about, found by channel and the provider's message id. A status for
/// an id no send carries yet is kept for a week: the provider may call back before the
/// sender has recorded the send (it records a batch at once), and the status then applies
/// when it does. Each change is one line in the send's history.
public struct DeliveryStatusIntake: Sendable {
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// How long a status for an unknown id is kept waiting for its send.
    static let earlyLifetimeMilliseconds: Int64 = 7 * 86_400_000

    public func record(_ report: DeliveryStatusReport) async throws -> DeliveryStatusOutcome {
        guard report.channel != .unspecified else {
            throw RPCError.invalidArgument("name the channel the statuses are about", details: [FieldViolation(field: "channel", description: "is missing")])
        }
        guard report.updates.count <= 1000 else {
            throw RPCError.invalidArgument("at most 1000 statuses in one report", details: [FieldViolation(field: "updates", description: "has \(report.updates.count)")])
        }
        let now = clock.milliseconds
        return try await database.write { tx in
            var outcome = DeliveryStatusOutcome()
            for update in report.updates where !update.providerMessageID.isEmpty {
                guard var m = try tx.queryFirst(
                    "SELECT message FROM sends WHERE channel = ? AND provider_message_id = ? ORDER BY id DESC LIMIT 1",
                    [.integer(Int64(report.channel.rawValue)), .text(update.providerMessageID)], { try OutboundMessage(wireBytes: $0.blob(0)) })
                else {
                    try tx.run("INSERT INTO early_statuses (channel, provider_message_id, status_update, received_at) VALUES (?, ?, ?, ?)",
                        [.integer(Int64(report.channel.rawValue)), .text(update.providerMessageID), .blob(update.wireBytes()), .integer(now)])
                    outcome.unknown += 1
                    continue
                }
                if Self.apply(update, to: &m, now: now) { outcome.applied += 1 } else { outcome.unchanged += 1 }
                try OutboundLog.save(tx, m)
            }
            try tx.run("DELETE FROM early_statuses WHERE received_at < ?", [.integer(now - Self.earlyLifetimeMilliseconds)])
            return outcome
        }
    }

    /// One status on one send; true when its status moved. A repeat of its current status
    /// adds nothing; an overtaken one is noted in its history.
    static func apply(_ update: DeliveryStatusUpdate, to m: inout OutboundMessage, now: Int64) -> Bool {
        let at = update.atMilliseconds > 0 ? update.atMilliseconds : now
        let detail = update.detail.isEmpty ? "" : ": \(update.detail)"
        if let next = DeliveryProgress.next(from: m.status, reported: update.status) {
            m.status = next
            m.history.append(OutboundMessageChange(atMilliseconds: at, status: next, note: "the provider reports it \(update.status.name)\(detail)"))
            return true
        }
        if update.status != m.status && DeliveryProgress.rank(m.status) != nil {
            m.history.append(OutboundMessageChange(atMilliseconds: at, status: m.status, note: "the provider reported it \(update.status.name)\(detail) after \(m.status.name): changes nothing"))
        }
        return false
    }

    /// The statuses that came before `m` was recorded as sent, applied in the order they came.
    static func applyEarly(_ tx: Transaction, to m: inout OutboundMessage) throws {
        let key: [SQLValue] = [.integer(Int64(m.channel.rawValue)), .text(m.providerMessageID)]
        let early = try tx.query("SELECT status_update, received_at FROM early_statuses WHERE channel = ? AND provider_message_id = ? ORDER BY rowid", key) {
            (try DeliveryStatusUpdate(wireBytes: $0.blob(0)), $0.int64(1))
        }
        guard !early.isEmpty else { return }
        for (update, received) in early { _ = apply(update, to: &m, now: received) }
        try tx.run("DELETE FROM early_statuses WHERE channel = ? AND provider_message_id = ?", key)
    }
}
