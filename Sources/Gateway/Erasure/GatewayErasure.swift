import Contracts
import Storage

/// C8: what the gateway's own file holds about a person. Stored webhooks whose body or
/// headers name them keep their integration, times and outcome, not the body (a failed
/// one is discarded: it cannot be replayed without it); one still on its way to its
/// service is left until it has arrived. Answers kept for idempotent retries that name
/// them go (a retry after that runs again and meets the erasure). Audit entries about
/// them keep who did what, not the fields before and after (``AuditLog/erase(contactID:needles:)``).
/// Imports: the refused rows an import lists lose those that name them; the file of a
/// failed or cancelled import that names them is deleted (a done one's is gone already),
/// and one still being received or read is waited for (contacts refuses the rows anyway).
struct GatewayErasure: Sendable {
    let database: Database
    let audit: AuditLog?
    let imports: ImportJobs?

    func erase(_ person: ErasePersonRequest) async throws -> ErasureReport {
        let needles = person.needles
        var counts: [String: Int64] = [:]
        var waiting: Int64 = 0
        if !needles.isEmpty {
            let body = Database.condition(holding: needles, in: "body")
            let headers = Database.condition(holding: needles, in: "headers")
            let named = "(\(body.sql) OR \(headers.sql))"
            let values = body.values + headers.values
            let pending = Int64(HookStatus.pending.rawValue), failed = Int64(HookStatus.failed.rawValue), discarded = Int64(HookStatus.discarded.rawValue)
            (counts["hooks"], counts["answers"], waiting) = try await database.write { tx in
                let waiting = try tx.queryFirst("SELECT COUNT(*) FROM hooks WHERE status = ? AND \(named)", [.integer(pending)] + values) { $0.int64(0) } ?? 0
                let hooks = try tx.run("""
                    UPDATE hooks SET body = x'', headers = '',
                        status = CASE status WHEN ?1 THEN ?2 ELSE status END,
                        discarded_by = CASE status WHEN ?1 THEN 'erasure' ELSE discarded_by END,
                        discarded_at = CASE status WHEN ?1 THEN ?3 ELSE discarded_at END,
                        discard_reason = CASE status WHEN ?1 THEN 'the person it named was erased (C8)' ELSE discard_reason END
                    WHERE status != ?4 AND \(named)
                    """, [.integer(failed), .integer(discarded), .integer(person.erasedAtMilliseconds), .integer(pending)] + values)
                let answers = try tx.run("DELETE FROM idempotency WHERE \(body.sql)", body.values)
                return (Int64(hooks), Int64(answers), waiting)
            }
        }
        if let audit { counts["audit"] = Int64(try await audit.erase(contactID: person.contactID, needles: needles)) }
        if let imports, !needles.isEmpty {
            let found = try await imports.erase(needles)
            (counts["importErrors"], counts["importFiles"]) = (found.errors, found.files)
            waiting += found.waiting
        }
        try await database.checkpoint()
        return ErasureReport(counts, waiting: waiting)
    }
}
