import Contracts
import FoundationEssentials
import Glibc
import Storage

/// P5 (issue 29): a call that started more than `TELEPHONY_RECORDING_RETENTION_DAYS` ago
/// loses its recording links (the session's and every leg's); the call itself, its number,
/// times and who answered stay for the reports (T11). A link reported again later for such
/// a call is taken and removed again on the next pass (every hour).
public struct RecordingRetention: Sendable {
    public let days: Int
    static let batch = 500

    public init(days: Int) { self.days = days }

    /// Removes the links of every call in `database` (one shard) started before `days` ago;
    /// returns how many calls lost theirs.
    @discardableResult
    public func apply(to database: Database, now: Date) async throws -> Int {
        let cutoff = Int64(now.timeIntervalSince1970 * 1000) - Int64(days) * 86_400_000
        return try await database.writeInBatches(of: Self.batch) { tx, batch in
            let rows = try tx.query("SELECT seq, session FROM calls WHERE recorded = 1 AND started_at < ? LIMIT \(batch)", [.integer(cutoff)]) {
                ($0.int64(0), try CallSession(wireBytes: $0.blob(1)))
            }
            for (seq, session) in rows {
                var kept = session
                kept.recordingURL = ""
                for i in kept.legs.indices { kept.legs[i].recordingURL = "" }
                try tx.run("UPDATE calls SET session = ?, recorded = 0 WHERE seq = ?", [.blob(kept.wireBytes()), .integer(seq)])
            }
            return rows.count
        }
    }

    /// Whether `session` holds a recording link (what the partial index keeps).
    static func recorded(_ session: CallSession) -> Bool {
        !session.recordingURL.isEmpty || session.legs.contains { !$0.recordingURL.isEmpty }
    }
}
