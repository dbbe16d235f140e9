import Synchronization

/// The books this gateway answered with a sync token, so a phone's next sync-collection
/// gets only what changed since (RFC 6578). Kept in memory and bounded: a token this
/// replica does not know (another replica's, or from before a restart) is answered as
/// RFC 6578 §3.2 says, `valid-sync-token`, and the phone fetches the whole book once.
final class AddressBookStates: Sendable {
    /// States kept a member (their newest), and in all (the oldest used goes first).
    static let perMember = 3, total = 128

    private struct State {
        let staffID: Int64
        var used: UInt64
        let entries: [AddressBook.Entry]
    }

    private struct Kept {
        var states: [String: State] = [:]
        var clock: UInt64 = 0
    }

    private let kept = Mutex(Kept())

    /// Keeps `book`'s state under its token (once: the same state has the same token).
    func remember(_ book: AddressBook) {
        let token = book.syncToken
        kept.withLock { kept in
            kept.clock += 1
            if kept.states[token] != nil {
                kept.states[token]!.used = kept.clock
                return
            }
            kept.states[token] = State(staffID: book.staffID, used: kept.clock, entries: book.entries)
            let mine = kept.states.filter { $0.value.staffID == book.staffID }.sorted { $0.value.used > $1.value.used }
            for (old, _) in mine.dropFirst(Self.perMember) { kept.states[old] = nil }
            if kept.states.count > Self.total, let oldest = kept.states.min(by: { $0.value.used < $1.value.used })?.key {
                kept.states[oldest] = nil
            }
        }
    }

    /// The entries `staffID`'s book had at `token`; nil for a token unknown here or another member's.
    func entries(staffID: Int64, token: String) -> [AddressBook.Entry]? {
        kept.withLock { kept in
            guard let state = kept.states[token], state.staffID == staffID else { return nil }
            return state.entries
        }
    }
}
