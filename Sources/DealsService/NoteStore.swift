import Contracts
import FoundationEssentials
import Glibc
import RPC
import ServiceKit
import Storage
import Wire

/// D5 (issue 25): notes on a deal or a contact. A note is a timeline entry; its author may
/// change it for ``editWindow`` after writing it, every earlier text kept in its history
/// (the timeline shows the latest). Each staff member it mentions hears of it through
/// note.mention, once per note: an edit does not tell them again.
public struct NoteStore: Sendable {
    let database: Database
    let clock: WallClock

    /// How long a note stays its author's to change.
    static let editWindow: Int64 = 15 * 60_000
    /// The most revisions one note keeps.
    static let historyLimit = 50

    public init(database: Database, clock: WallClock) {
        self.database = database
        self.clock = clock
    }

    /// A deal's note needs a deal the caller sees; a contact's note, the contact (checked
    /// with contacts before this).
    public func add(_ input: Note) async throws -> Note {
        var violations = input.violations()
        if (input.dealID == nil) == (input.contactID == nil) { violations.append(FieldViolation(field: "dealId", description: "a note is on a deal or a contact")) }
        if input.text.trimming(.spacesAndNewlines).isEmpty { violations.append(FieldViolation(field: "text", description: "is blank")) }
        guard violations.isEmpty else { throw RPCError.invalidArgument("the note is not valid", details: violations) }
        let now = clock.milliseconds
        return try await database.write { tx in
            var note = input
            note.visibility = nil
            note.mentions = Array(Set(input.mentions)).sorted()
            if let dealID = input.dealID {
                note.contactID = try DealStore.loadVisible(tx.connection, id: dealID, input.visibility.resolved).contactID
            }
            note.createdAtMilliseconds = now
            note.editableUntilMilliseconds = now + Self.editWindow
            note.history = []
            try TimelineStore.append(tx, TimelineStore.entry(kind: "note", dealID: note.dealID, contactID: note.contactID ?? 0, summary: note.text, actorID: note.authorID, at: now))
            let timelineID = tx.lastInsertRowID
            try tx.run(
                "INSERT INTO notes (timeline_id, deal_id, contact_id, author_id, created_at, body) VALUES (?, ?, ?, ?, ?, x'')",
                [.integer(timelineID), SQLValue(note.dealID), .integer(note.contactID ?? 0), SQLValue(note.authorID), .integer(now)])
            note.id = tx.lastInsertRowID
            try tx.run("UPDATE notes SET body = ? WHERE id = ?", [.blob(note.wireBytes()), .integer(note.id)])
            for staff in note.mentions where staff != note.authorID {
                _ = try tx.appendEvent(
                    type: Deals.Event.noteMention, aggregateID: note.dealID.map { "deal-\($0)" } ?? "contact-\(note.contactID ?? 0)",
                    payload: NoteMention(note: note, staffID: staff).wireBytes())
            }
            return note
        }
    }

    /// Only its author, only within the window; a note the caller may not see is not_found.
    /// A note written with an API key has no person for an author: an admin may change it.
    public func edit(_ request: EditNoteRequest, byAdmin: Bool = false) async throws -> Note {
        let violations = request.violations()
        guard violations.isEmpty else { throw RPCError.invalidArgument("the note is not valid", details: violations) }
        let now = clock.milliseconds
        return try await database.write { tx in
            guard let (timelineID, body) = try tx.queryFirst("SELECT timeline_id, body FROM notes WHERE id = ?", [.integer(request.id)], { ($0.int64(0), $0.blob(1)) }) else {
                throw RPCError.notFound("note \(request.id) does not exist")
            }
            var note = try Note(wireBytes: body)
            if let dealID = note.dealID { _ = try DealStore.loadVisible(tx.connection, id: dealID, request.visibility.resolved).id }
            guard note.authorID.map({ $0 == request.by }) ?? byAdmin else { throw RPCError(.permissionDenied, "only its author changes a note") }
            guard now <= note.editableUntilMilliseconds else {
                throw RPCError(.failedPrecondition, "a note can be changed for \(Self.editWindow / 60_000) minutes after it is written; add another instead")
            }
            guard note.text != request.text else { return note }
            note.history.append(NoteRevision(text: note.text, untilMilliseconds: now))
            if note.history.count > Self.historyLimit { note.history.removeFirst(note.history.count - Self.historyLimit) }
            note.text = request.text
            note.editedAtMilliseconds = now
            try tx.run("UPDATE notes SET body = ? WHERE id = ?", [.blob(note.wireBytes()), .integer(note.id)])
            try tx.run("UPDATE timeline SET summary = ? WHERE id = ?", [.text(note.text), .integer(timelineID)])
            return note
        }
    }
}
