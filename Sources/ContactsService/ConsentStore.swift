import Contracts
import RPC
import ServiceKit
import Storage
import Wire

/// C8: a person's consents, the latest word per channel and purpose on their record (read
/// with it), every word in `consent_history`, and `contact.consent_changed` for the
/// services that honour it, all in one transaction.
public struct ConsentStore: Sendable {
    /// Words listed in a history.
    public static let historyLimit = 500
    let database: Database
    let clock: WallClock

    public init(database: Database, clock: WallClock = .system) {
        self.database = database
        self.clock = clock
    }

    public func record(_ word: Consent, contactID: Int64, by actor: String) async throws -> ContactConsents {
        let now = clock.milliseconds
        let violations = ConsentRule.violations(word, now: now)
        guard violations.isEmpty else { throw RPCError.invalidArgument("the consent is not valid", details: violations) }
        var kept = word
        kept.source = word.source.trimming(.spaces)
        kept.atMilliseconds = word.atMilliseconds ?? now
        kept.recordedBy = actor
        kept.contactID = 0
        let recorded = kept
        return try await database.write { tx in
            guard let contact = try ContactStore.load(tx.connection, id: contactID), !contact.deleted, contact.mergedInto == nil else {
                throw RPCError.notFound("contact \(contactID) does not exist")
            }
            let current = ConsentRule.current(contact.consents, after: recorded)
            try tx.run("UPDATE contacts SET consents = ?, updated_at = ? WHERE id = ?",
                [.blob(ContactConsents(current: current).wireBytes()), .integer(now), .integer(contactID)])
            try tx.run("INSERT INTO consent_history (contact_id, consent) VALUES (?, ?)", [.integer(contactID), .blob(recorded.wireBytes())])
            let changed = ConsentChanged(contactID: contactID, consent: recorded, phones: contact.phones.map(\.number), current: current)
            try tx.appendEvent(type: Contacts.Event.consentChanged, aggregateID: "contact-\(contactID)", payload: changed.wireBytes())
            return ContactConsents(current: current, history: try Self.history(tx.connection, contactID))
        }
    }

    public func consents(contactID: Int64, visibility: Visibility) async throws -> ContactConsents {
        try await database.read { c in
            guard let contact = try ContactStore.load(c, id: contactID), visibility.seesContact(responsibleID: contact.responsibleID) else {
                throw RPCError.notFound("contact \(contactID) does not exist")
            }
            return ContactConsents(current: contact.consents, history: try Self.history(c, contactID))
        }
    }

    static func history(_ c: Connection, _ contactID: Int64) throws -> [Consent] {
        try c.query("SELECT consent FROM consent_history WHERE contact_id = ? ORDER BY id DESC LIMIT ?", [.integer(contactID), .integer(Int64(historyLimit))]) {
            try Consent(wireBytes: $0.blob(0))
        }
    }
}
