import Contracts
import Digest
import RPC
import ServiceKit
import Storage
import Wire

/// C8: erasing a person from the directory. Their record stays as an anonymous row (its
/// id, times, source channel and tags, so segments and reports still count them) with no
/// name, company, phone, email or field; the contacts merged into it go the same way, and
/// the copies a merge kept of both. Their phones and emails are kept only as HMAC-SHA-256
/// digests under a salt this file alone holds, so match-or-create can tell an old hook
/// about them (``refuseErased(_:_:occurredAt:)``) from the person coming back.
public struct ContactErasure: Sendable {
    let database: Database
    let clock: WallClock
    let events: EventErasure

    public init(database: Database, clock: WallClock, events: EventErasure = .none) {
        self.database = database
        self.clock = clock
        self.events = events
    }

    /// Erases the contact and those merged into it; repeating it finds nothing more to do.
    public func erase(_ request: ErasePersonRequest) async throws -> ErasureReport {
        let now = clock.milliseconds
        let erasedAt = request.erasedAtMilliseconds > 0 ? request.erasedAtMilliseconds : now
        let (counts, aggregates) = try await database.write { tx -> ([String: Int64], [String]) in
            guard try tx.queryFirst("SELECT 1 FROM contacts WHERE id = ?", [.integer(request.contactID)], { _ in true }) != nil else {
                throw RPCError.notFound("contact \(request.contactID) does not exist")
            }
            let ids = [request.contactID] + (try tx.query("SELECT id FROM contacts WHERE merged_into = ?", [.integer(request.contactID)]) { $0.int64(0) })
            let list = SQLList.integers(ids)
            let phones = try tx.query("SELECT number FROM contact_phones WHERE contact_id IN (\(list))") { $0.string(0) }
            let emails = try tx.query("SELECT email FROM contact_emails WHERE contact_id IN (\(list))") { $0.string(0) }
            let salt = try Self.salt(tx)
            for identifier in Set(phones + emails + request.phones + request.emails) where !identifier.isEmpty {
                try tx.run(
                    "INSERT INTO erased_identifiers (digest, erased_at) VALUES (?, ?) ON CONFLICT (digest) DO UPDATE SET erased_at = max(erased_at, excluded.erased_at)",
                    [.blob(Self.digest(identifier, salt: salt)), .integer(erasedAt)])
            }
            var counts: [String: Int64] = [:]
            counts["phones"] = Int64(try tx.run("DELETE FROM contact_phones WHERE contact_id IN (\(list))"))
            counts["emails"] = Int64(try tx.run("DELETE FROM contact_emails WHERE contact_id IN (\(list))"))
            counts["fields"] = Int64(try tx.run("DELETE FROM contact_fields WHERE contact_id IN (\(list))"))
            counts["contacts"] = Int64(try tx.run("""
                UPDATE contacts SET first_name = '', last_name = '', first_key = '', last_key = '', company = '', consents = NULL,
                    erased_at = ?1, deleted_at = COALESCE(deleted_at, ?1), updated_at = ?1
                WHERE id IN (\(list)) AND (erased_at IS NULL OR first_name != '' OR last_name != '' OR company != '')
                """, [.integer(now)]))
            counts["consents"] = Int64(try tx.run("DELETE FROM consent_history WHERE contact_id IN (\(list))"))
            counts["merges"] = Int64(try tx.run(
                "UPDATE contact_merges SET survivor_before = x'', merged_before = x'' WHERE (survivor_id IN (\(list)) OR merged_id IN (\(list))) AND length(survivor_before) > 0"))
            return (counts, ids.map { "contact-\($0)" })
        }
        return try await events.report(counts, for: request, aggregates: aggregates)
    }

    /// C8: refuses (invalid argument, field ``ErasePersonRequest/refusedField``) when one of
    /// `identifiers` was erased at or after `occurredAt`.
    static func refuseErased(_ tx: Transaction, _ identifiers: [String], occurredAt: Int64) throws {
        guard !identifiers.isEmpty else { return }
        let salt = try salt(tx)
        for identifier in identifiers {
            guard let erasedAt = try tx.queryFirst(
                "SELECT erased_at FROM erased_identifiers WHERE digest = ?", [.blob(digest(identifier, salt: salt))], { $0.int64(0) })
            else { continue }
            if !admits(occurredAt: occurredAt, erasedAt: erasedAt) {
                throw RPCError.invalidArgument(
                    "this person's data was erased after this happened; it is not brought back",
                    details: [FieldViolation(field: ErasePersonRequest.refusedField, description: "was erased after this happened (C8)")])
            }
        }
    }

    /// Whether something that happened at `occurredAt` may bring back an identifier erased
    /// at `erasedAt`: only what happened after the erasure (the person came back).
    static func admits(occurredAt: Int64, erasedAt: Int64) -> Bool { occurredAt > erasedAt }

    static func digest(_ identifier: String, salt: [UInt8]) -> [UInt8] {
        HMAC.authenticationCode(.sha256, key: salt, message: Array(identifier.utf8))
    }

    static func salt(_ tx: Transaction) throws -> [UInt8] {
        guard let salt = try tx.queryFirst("SELECT salt FROM erasure_salt WHERE id = 1", [], { $0.blob(0) }) else {
            throw StorageError(.other, "the erasure salt is missing")
        }
        return salt
    }
}
