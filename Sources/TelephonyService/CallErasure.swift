import Contracts
import Storage
import ServiceKit
import Wire

/// C8: erasing a person from this replica's calls. A call from or to their numbers stays
/// (its time, direction, who answered, how long: the reports count it) without the number
/// or the recording links; their dialing-queue entries, leads waiting for the queue and
/// do-not-call entries go.
struct CallErasure: Sendable {
    let shards: ShardSet
    let events: EventErasure

    func erase(_ request: ErasePersonRequest) async throws -> ErasureReport {
        let phones = request.phones.filter { !$0.isEmpty }
        var counts: [String: Int64] = [:]
        guard !phones.isEmpty else { return ErasureReport(counts) }
        let marks = phones.map { _ in "?" }.joined(separator: ",")
        let numbers = phones.map { SQLValue.text($0) }
        for shard in shards.owned {
            let database = try shards.store(shard).database
            let found = try await database.write { tx -> [String: Int64] in
                var counts: [String: Int64] = [:]
                let calls = try tx.query("SELECT seq, session FROM calls WHERE client_number IN (\(marks))", numbers) { ($0.int64(0), $0.blob(1)) }
                for (seq, body) in calls {
                    let erased = try CallSession(wireBytes: body).erased
                    try tx.run("UPDATE calls SET client_number = '', recorded = 0, session = ? WHERE seq = ?", [.blob(erased.wireBytes()), .integer(seq)])
                }
                counts["calls"] = Int64(calls.count)
                try tx.run("DELETE FROM queue_lessees WHERE seq IN (SELECT seq FROM queue WHERE phone IN (\(marks)))", numbers)
                counts["queue"] = Int64(try tx.run("DELETE FROM queue WHERE phone IN (\(marks))", numbers))
                counts["doNotCall"] = Int64(try tx.run("DELETE FROM do_not_call WHERE phone IN (\(marks))", numbers))
                return counts
            }
            counts.merge(found) { $0 + $1 }
        }
        if let control = shards.control {
            let holding = Database.condition(holding: request.needles, in: "lead")
            counts["waitingLeads"] = Int64(try await control.write { tx in try tx.run("DELETE FROM queue_inbox WHERE \(holding.sql)", holding.values) })
        }
        return try await events.report(counts, for: request, aggregates: [])
    }
}
