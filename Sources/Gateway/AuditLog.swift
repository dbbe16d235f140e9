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

    /// One index beside the id's: every index costs each write, and the other filters
    /// (who, when) read a log the retention keeps bounded, newest first.
    static let migration = """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, action INTEGER NOT NULL, credential_id INTEGER, role TEXT NOT NULL,
            staff_id INTEGER, address TEXT NOT NULL, method TEXT NOT NULL, route TEXT NOT NULL, path TEXT NOT NULL, entity TEXT NOT NULL,
            entity_id TEXT NOT NULL, status INTEGER NOT NULL, request_id TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
        """

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
    private func write(_ entries: [AuditEntry]) async throws -> [AuditEntry] {
        try await database.write { tx in
            var previous = try tx.queryFirst("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1") { ($0.int64(0), $0.string(1)) } ?? (0, "")
            var kept: [AuditEntry] = []
            for entry in entries {
                var entry = entry
                entry.id = previous.0 + 1
                entry.hash = Self.hash(entry, after: previous.1)
                try tx.run(
                    """
                    INSERT INTO audit_log (id, at, action, credential_id, role, staff_id, address, method, route, path, entity, entity_id, status,
                        request_id, before, after, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, Self.values(entry))
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
        let sql = "SELECT * FROM audit_log" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) + " ORDER BY id DESC LIMIT ?"
        let bound = values + [.integer(Int64(limit + 1))]
        let rows = try await database.read { c in try c.query(sql, bound, Self.entry) }
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
            try c.query("SELECT * FROM audit_log ORDER BY id", [], Self.entry).forEach { entry in
                guard broken == nil else { return }
                checked += 1
                // The oldest kept entry's predecessor may be pruned: it anchors the chain.
                let expected = previous.map { Self.hash(entry, after: $0.hash) }
                if let previous, entry.id != previous.id + 1 || expected != entry.hash { broken = entry.id }
                previous = (entry.id, entry.hash)
            }
            return AuditVerification(intact: broken == nil, checked: checked, firstBrokenID: broken)
        }
    }

    /// Removes entries older than `time` (oldest first, the chain's start moves) and
    /// records that it did; returns how many went.
    func prune(olderThan time: Date) async throws -> Int {
        let limit = Int64(time.timeIntervalSince1970 * 1000)
        let through = try await database.read { c in
            try c.queryFirst("SELECT MAX(id) FROM audit_log WHERE at < ?", [.integer(limit)]) { $0.isNull(0) ? nil : $0.int64(0) } ?? nil
        }
        guard let through else { return 0 }
        // The newest entry stays whatever its age: the chain continues from it.
        let newest = try await database.read { c in try c.queryFirst("SELECT MAX(id) FROM audit_log") { $0.int64(0) } ?? 0 }
        let last = min(through, newest - 1)
        guard last > 0 else { return 0 }
        let removed = try await database.write { tx in try tx.run("DELETE FROM audit_log WHERE id <= ?", [.integer(last)]) }
        try await append(AuditEntry(action: .pruned, entity: "audit", entityID: "\(last)", status: 200))
        return removed
    }

    static func hash(_ entry: AuditEntry, after previous: String) -> String {
        // Bytes, not string interpolation: this runs for every change the gateway takes.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + entry.before.utf8.count + entry.after.utf8.count)
        func add(_ text: String) {
            bytes += text.utf8
            bytes.append(0x1F)
        }
        add(previous)
        for number in [entry.id, entry.atMilliseconds, Int64(entry.action.rawValue)] { add(String(number)) }
        add(entry.credentialID.map { String($0) } ?? "")
        add(entry.role)
        add(entry.staffID.map { String($0) } ?? "")
        for text in [entry.address, entry.method, entry.route, entry.path, entry.entity, entry.entityID, String(entry.status), entry.requestID, entry.before] {
            add(text)
        }
        bytes += entry.after.utf8
        return Hex.encode(SHA256.digest(bytes))
    }

    private static func values(_ e: AuditEntry) -> [SQLValue] {
        [
            .integer(e.id), .integer(e.atMilliseconds), .integer(Int64(e.action.rawValue)), e.credentialID.map { .integer($0) } ?? .null, .text(e.role),
            e.staffID.map { .integer($0) } ?? .null, .text(e.address), .text(e.method), .text(e.route), .text(e.path), .text(e.entity),
            .text(e.entityID), .integer(e.status), .text(e.requestID), .text(e.before), .text(e.after), .text(e.hash),
        ]
    }

    private static func entry(_ row: Row) -> AuditEntry {
        AuditEntry(
            id: row.int64("id"), atMilliseconds: row.int64("at"), action: AuditAction(rawValue: Int(row.int64("action"))) ?? .unspecified,
            credentialID: row.isNull("credential_id") ? nil : row.int64("credential_id"), role: row.string("role"),
            staffID: row.isNull("staff_id") ? nil : row.int64("staff_id"), address: row.string("address"), method: row.string("method"),
            route: row.string("route"), path: row.string("path"), entity: row.string("entity"), entityID: row.string("entity_id"),
            status: row.int64("status"), requestID: row.string("request_id"), before: row.string("before"), after: row.string("after"),
            hash: row.string("hash"))
    }
}
