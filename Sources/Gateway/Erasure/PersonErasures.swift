import Contracts
import Foundation
import RPC
import ServiceKit
import Storage
import Wire

/// C8: people's erasures in the gateway's file. Each is a list of steps, one per service,
/// taken in ``order``; a step is done when its service answered with nothing left waiting,
/// and its report is kept. The identifiers the steps erase are kept while it runs (a
/// restart resumes it) and dropped, zeroed in the file, when the last step is done.
public final class PersonErasures: Sendable {
    /// Contacts last: the steps before still find the person by what contacts holds, and
    /// the gateway's own file after the services, so a hook stored meanwhile is caught.
    static let order = ["deals", "scheduling", "telephony", "notifications", "billing", "gateway", "contacts"]

    static let migration = """
        CREATE TABLE erasures (id INTEGER PRIMARY KEY, contact_id INTEGER NOT NULL, state INTEGER NOT NULL, body BLOB NOT NULL);
        CREATE INDEX erasures_contact ON erasures (contact_id, id);
        CREATE INDEX erasures_running ON erasures (state, id);
        """

    static let table = MessageTable<PersonErasure>(
        "erasures", id: { $0.id }, setID: { $0.id = $1 },
        columns: [.init("contact_id") { .integer($0.contactID) }, .init("state") { .integer(Int64($0.state.rawValue)) }])

    let database: Database
    let now: @Sendable () -> Date

    public init(database: Database, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    var milliseconds: Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The erasure of `person`, new, or the one already asked for this contact (running, or
    /// done: erasing twice is the same erasure). `created` says which.
    func begin(_ person: ErasePersonRequest, by: String) async throws -> (erasure: PersonErasure, created: Bool) {
        var erasure = PersonErasure()
        erasure.contactID = person.contactID
        erasure.state = .running
        erasure.steps = Self.order.map { ErasureStep(service: $0) }
        erasure.requestedBy = by
        erasure.createdAtMilliseconds = milliseconds
        var kept = person
        kept.erasedAtMilliseconds = erasure.createdAtMilliseconds
        erasure.person = kept
        let new = erasure
        return try await database.write { tx in
            if let existing = try Self.latest(tx.connection, contactID: person.contactID) { return (existing, false) }
            return (try Self.table.insert(tx, new), true)
        }
    }

    func get(_ id: Int64) async throws -> PersonErasure? {
        try await database.read { try Self.table.find($0, id: id) }
    }

    /// The newest erasure of a contact, if one was asked for.
    func latest(contactID: Int64) async throws -> PersonErasure? {
        try await database.read { try Self.latest($0, contactID: contactID) }
    }

    static func latest(_ c: Connection, contactID: Int64) throws -> PersonErasure? {
        try c.queryFirst(
            "SELECT \(table.selection()) FROM erasures WHERE contact_id = ? ORDER BY id DESC LIMIT 1", [.integer(contactID)], table.message)
    }

    /// The erasures still running, oldest first, at most `limit`.
    func running(limit: Int) async throws -> [PersonErasure] {
        try await database.read {
            try $0.query(
                "SELECT \(Self.table.selection()) FROM erasures WHERE state = ? ORDER BY id LIMIT ?",
                [.integer(Int64(ErasureState.running.rawValue)), .integer(Int64(limit))], Self.table.message)
        }
    }

    /// Keeps `erasure` as it is now; once every step is done it is done, and forgets whom it erased.
    @discardableResult
    func save(_ erasure: PersonErasure) async throws -> PersonErasure {
        var kept = erasure
        if kept.steps.allSatisfy(\.done) {
            kept.state = .done
            kept.finishedAtMilliseconds = kept.finishedAtMilliseconds ?? milliseconds
            kept.person = nil
        }
        let saved = kept
        try await database.write { tx in try Self.table.update(tx, saved) }
        if saved.state == .done { try await database.checkpoint() }
        return saved
    }
}
