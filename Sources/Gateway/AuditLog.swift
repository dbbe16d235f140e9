import Contracts
import RPC
import Digest
import Foundation
import ServiceKit
import Storage
import Synchronization
import Wire

/// P5: who changed or exported what through this gateway, and who was refused. Entries
/// are only ever appended; each holds the SHA-256 of the entry before it and its own
/// fields, so an entry edited or taken out of the middle breaks the chain from there on
/// (``verify()``). Entries older than the retention go from the oldest end only, with an
/// entry saying so: the chain then starts at the oldest kept.
public final class AuditLog: Sendable {
    let database: Database
    let now: @Sendable () -> Date

    /// The storage rule (Sources/README.md): each entry whole in `body`, copies of what the
    /// filters read in columns. One index beside the id's: every index costs each write,
    /// and the other filters (who, when) read a log the retention keeps bounded.
    static let migration = """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL, at INTEGER NOT NULL, action INTEGER NOT NULL, credential_id INTEGER,
            staff_id INTEGER, entity TEXT NOT NULL, entity_id TEXT NOT NULL
        );
        CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
        """

    static let table = MessageTable<AuditEntry>(
        "audit_log", id: { $0.id }, setID: { $0.id = $1 },
        columns: [
            .init("at") { .integer($0.atMilliseconds) }, .init("action") { .integer(Int64($0.action.rawValue)) },
            .init("credential_id") { $0.credentialID.map(SQLValue.integer) ?? .null }, .init("staff_id") { $0.staffID.map(SQLValue.integer) ?? .null },
            .init("entity") { .text($0.entity) }, .init("entity_id") { .text($0.entityID) },
        ])

    public init(database: Database, logger: Logger = Logger(service: "gateway"), now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.logger = logger
        self.now = now
    }

    /// Entries taken and not yet written, and the task writing them.
    private let pending = Mutex<(entries: [AuditEntry], writer: Task<Void, Never>?)>(([], nil))
    let logger: Logger

    /// Takes `entry` (its time given here; id and hash when written) without waiting for
    /// the disk: entries are written in order, in batches, by one task, so recording costs a
    /// request almost nothing. A crash loses at most the entries of the batch in flight (a
    /// few milliseconds); reads (``page(_:)``, ``verify()``) and a stopping gateway wait for
    /// what was taken.
    func record(_ entry: AuditEntry) {
        var entry = entry
        entry.atMilliseconds = Int64(now().timeIntervalSince1970 * 1000)
        pending.withLock { state in
            state.entries.append(entry)
            if state.writer == nil { state.writer = Task { await self.writeTaken() } }
        }
    }

    /// Writes what was taken until nothing waits, lingering 10 ms before each batch so a
    /// busy gateway commits a few hundred entries at once rather than one commit each.
    private func writeTaken() async {
        while true {
            try? await Task.sleep(for: .milliseconds(10))
            let batch = pending.withLock { state -> [AuditEntry] in
                let batch = state.entries
                state.entries = []
                if batch.isEmpty { state.writer = nil }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await write(batch)
            } catch {
                logger.error("audit entries not recorded", ["error": "\(error)", "entries": "\(batch.count)"])
            }
        }
    }

    /// Waits until every entry taken so far is written.
    func flush() async {
        while let writer = pending.withLock({ $0.writer }) { await writer.value }
    }

    /// Appends `entry` now (its id, time and hash are given here) and returns it as kept.
    @discardableResult
    func append(_ entry: AuditEntry) async throws -> AuditEntry {
        await flush()
        var entry = entry
        entry.atMilliseconds = Int64(now().timeIntervalSince1970 * 1000)
        return try await write([entry]).last ?? entry
    }

    /// Appends `entries` in order after the last one kept, in one transaction.
    @discardableResult
    private func write(_ entries: [AuditEntry]) async throws -> [AuditEntry] {
        try await database.write { tx in
            let last = try tx.queryFirst("SELECT \(Self.table.selection()) FROM audit_log ORDER BY id DESC LIMIT 1", [], Self.table.message)
            var previous = (id: last?.id ?? 0, hash: last?.hash ?? "")
            var kept: [AuditEntry] = []
            for entry in entries {
                var entry = entry
                entry.id = previous.id + 1
                if !entry.before.isEmpty { entry.beforeDigest = Hex.encode(SHA256.digest(entry.before)) }
                if !entry.after.isEmpty { entry.afterDigest = Hex.encode(SHA256.digest(entry.after)) }
                entry.hash = Self.hash(entry, after: previous.hash)
                let stored = try Self.table.insert(tx, entry)
                // AUTOINCREMENT and a newest entry never pruned keep ids consecutive.
                guard stored.id == entry.id else { throw StorageError(.other, "audit entry \(entry.id) stored as \(stored.id)") }
                previous = (entry.id, entry.hash)
                kept.append(entry)
            }
            return kept
        }
    }

    /// A page of entries, newest first, that hold every filter of `query`.
    func page(_ query: AuditQuery) async throws -> AuditPage {
        await flush()
        var conditions: [String] = [], values: [SQLValue] = []
        if let staff = query.staffID { conditions.append("staff_id = ?"); values.append(.integer(staff)) }
        if let credential = query.credentialID { conditions.append("credential_id = ?"); values.append(.integer(credential)) }
        if !query.entity.isEmpty { conditions.append("entity = ?"); values.append(.text(query.entity)) }
        if !query.entityID.isEmpty { conditions.append("entity_id = ?"); values.append(.text(query.entityID)) }
        if query.action != .unspecified { conditions.append("action = ?"); values.append(.integer(Int64(query.action.rawValue))) }
        if let from = query.fromMilliseconds { conditions.append("at >= ?"); values.append(.integer(from)) }
        if let to = query.toMilliseconds { conditions.append("at < ?"); values.append(.integer(to)) }
        if !query.cursor.isEmpty {
            guard let before = PageCursor.decode(query.cursor) else {
                throw UnacceptableValues(error: .invalidArgument("cursor is not one this list gave", details: [FieldViolation(field: "cursor", description: "is not one this list gave")]))
            }
            conditions.append("id < ?")
            values.append(.integer(before))
        }
        let limit = query.pageSize == 0 ? 100 : Int(query.pageSize)
        let sql = "SELECT \(Self.table.selection()) FROM audit_log" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) + " ORDER BY id DESC LIMIT ?"
        let bound = values + [.integer(Int64(limit + 1))]
        let rows = try await database.read { c in try c.query(sql, bound, Self.table.message) }
        var page = AuditPage(entries: Array(rows.prefix(limit)))
        if rows.count > limit, let last = page.entries.last { page.nextCursor = PageCursor.encode(afterID: last.id) }
        return page
    }

    /// Walks the chain from the oldest entry kept: every hash must be what its fields and
    /// the entry before make, and ids must follow each other (a removed entry is a gap).
    func verify() async throws -> AuditVerification {
        await flush()
        return try await database.read { c in
            var checked: Int64 = 0
            var previous: (id: Int64, hash: String)?
            var broken: Int64?
            try c.query("SELECT \(Self.table.selection()) FROM audit_log ORDER BY id", [], Self.table.message).forEach { entry in
                guard broken == nil else { return }
                checked += 1
                // The oldest kept entry's predecessor may be pruned: it anchors the chain.
                let expected = previous.map { Self.hash(entry, after: $0.hash) }
                if let previous, entry.id != previous.id + 1 || expected != entry.hash { broken = entry.id }
                if !Self.textsMatchDigests(entry) { broken = entry.id }
                previous = (entry.id, entry.hash)
            }
            return AuditVerification(intact: broken == nil, checked: checked, firstBrokenID: broken)
        }
    }

    /// Removes entries older than `time` (oldest first, the chain's start moves) and
    /// records that it did; returns how many went.
    func prune(olderThan time: Date) async throws -> Int {
        let limit = Int64(time.timeIntervalSince1970 * 1000)
        let (through, newest) = try await database.read { c in
            try c.queryFirst("SELECT COALESCE(MAX(id) FILTER (WHERE at < ?), 0), COALESCE(MAX(id), 0) FROM audit_log", [.integer(limit)]) {
                ($0.int64(0), $0.int64(1))
            } ?? (0, 0)
        }
        // The newest entry stays whatever its age: the chain continues from it.
        let last = min(through, newest - 1)
        guard last > 0 else { return 0 }
        let removed = try await database.write { tx in try tx.run("DELETE FROM audit_log WHERE id <= ?", [.integer(last)]) }
        try await append(AuditEntry(action: .pruned, entity: "audit", entityID: "\(last)", status: 200))
        return removed
    }

    /// C8: blanks `before` and `after` of the entries about `contactID` or holding one of
    /// `needles`. Their digests stay in the chain, so it stays whole; returns how many.
    func erase(contactID: Int64, needles: [String]) async throws -> Int {
        await flush()
        let holding = Database.condition(holding: needles, in: "body")
        return try await database.write { tx in
            let entries = try tx.query(
                "SELECT \(Self.table.selection()) FROM audit_log WHERE (entity = 'contacts' AND entity_id = ?) OR \(holding.sql)",
                [.text("\(contactID)")] + holding.values, Self.table.message)
            var erased = 0
            for entry in entries where !entry.before.isEmpty || !entry.after.isEmpty {
                // An entry from before the digests were kept would break the chain: it stays as it was.
                guard entry.before.isEmpty || !entry.beforeDigest.isEmpty, entry.after.isEmpty || !entry.afterDigest.isEmpty else { continue }
                var kept = entry
                (kept.before, kept.after) = ("", "")
                try Self.table.update(tx, kept)
                erased += 1
            }
            return erased
        }
    }

    /// Whether `before` and `after`, where still there, are what their digests say.
    static func textsMatchDigests(_ entry: AuditEntry) -> Bool {
        (entry.before.isEmpty || entry.beforeDigest.isEmpty || Hex.encode(SHA256.digest(entry.before)) == entry.beforeDigest)
            && (entry.after.isEmpty || entry.afterDigest.isEmpty || Hex.encode(SHA256.digest(entry.after)) == entry.afterDigest)
    }

    /// SHA-256 (hex) of the entry before's hash, this entry's id and its wire bytes
    /// (without id and hash; `before` and `after` by their digests where it has them):
    /// every field counts, as the contract encodes it.
    static func hash(_ entry: AuditEntry, after previous: String) -> String {
        var unsigned = entry
        unsigned.id = 0
        unsigned.hash = ""
        if !entry.beforeDigest.isEmpty { unsigned.before = "" }
        if !entry.afterDigest.isEmpty { unsigned.after = "" }
        let bytes = Array(previous.utf8) + [0x1F] + Array(String(entry.id).utf8) + [0x1F] + unsigned.wireBytes()
        return Hex.encode(SHA256.digest(bytes))
    }
}
