import Contracts
import Digest

/// One staff member's read-only address book (issue 29): a card for each contact they may
/// see (G3), and a sync token that is the digest of what the book holds, so a book that
/// did not change keeps its token on every replica and a changed one gets a new one.
struct AddressBook {
    /// A card's id and entity tag: what a sync compares.
    struct Entry: Equatable, Hashable, Sendable {
        let contactID: Int64
        let etag: String
    }

    let staffID: Int64
    let cards: [Int64: VCard]
    /// Every card's id and tag in id order, worked out once (each tag is a digest).
    let entries: [Entry]
    /// RFC 6578 wants a URI: the digest of the member and every card's tag, in id order.
    let syncToken: String

    init(staffID: Int64, contacts: [Contact]) {
        self.staffID = staffID
        cards = Dictionary(contacts.map { ($0.id, VCard($0)) }, uniquingKeysWith: { first, _ in first })
        entries = cards.sorted { $0.key < $1.key }.map { Entry(contactID: $0.key, etag: $0.value.etag) }
        syncToken = Self.token(staffID: staffID, entries: entries)
    }

    static func token(staffID: Int64, entries: [Entry]) -> String {
        var bytes = Array("\(staffID)".utf8)
        for entry in entries { bytes += Array("|\(entry.contactID)=\(entry.etag)".utf8) }
        return "urn:switchboard:sync:" + Hex.encode(Array(SHA256.digest(bytes).prefix(16)))
    }

    /// What changed since `earlier`: cards new or different, and ids gone (deleted,
    /// merged, or no longer the member's to see).
    func changes(since earlier: [Entry]) -> (changed: [Int64], removed: [Int64]) {
        let before = Dictionary(earlier.map { ($0.contactID, $0.etag) }, uniquingKeysWith: { first, _ in first })
        let changed = entries.filter { before[$0.contactID] != $0.etag }.map(\.contactID)
        let removed = before.keys.filter { cards[$0] == nil }.sorted()
        return (changed, removed)
    }
}
