import FoundationEssentials
import Glibc
import Contracts

/// C2: decides whether a draft is a person we already have.
///
/// Keys are tried in order: every email of the draft, then every phone (ignoring
/// extensions). The oldest live contact holding the key wins. With `requireNameMatch`
/// (seed 003: email + surname + name) a candidate counts only if first and last name
/// match too, ignoring case and surrounding spaces.
public enum ContactMatcher {
    /// A live contact holding one of the draft's keys.
    public struct Candidate: Sendable, Equatable {
        public var contactID: Int64
        public var firstName: String
        public var lastName: String
        /// The normalized email or phone number it holds.
        public var key: String

        public init(contactID: Int64, firstName: String, lastName: String, key: String) {
            self.contactID = contactID
            self.firstName = firstName
            self.lastName = lastName
            self.key = key
        }
    }

    public struct Match: Sendable, Equatable {
        public var contactID: Int64
        public var matchedBy: MatchKey
        public var matchedValue: String

        public init(contactID: Int64, matchedBy: MatchKey, matchedValue: String) {
            self.contactID = contactID
            self.matchedBy = matchedBy
            self.matchedValue = matchedValue
        }
    }

    /// `byEmail` and `byPhone` hold the candidates found for the draft's keys, in any order.
    public static func match(
        _ draft: ValidDraft, byEmail: [Candidate], byPhone: [Candidate], requireNameMatch: Bool
    ) -> Match? {
        func eligible(_ candidate: Candidate) -> Bool {
            !requireNameMatch
                || (same(candidate.firstName, draft.firstName) && same(candidate.lastName, draft.lastName)
                    && !(draft.firstName.isEmpty && draft.lastName.isEmpty))
        }
        for email in draft.emails {
            if let hit = byEmail.filter({ $0.key == email && eligible($0) }).min(by: { $0.contactID < $1.contactID }) {
                return Match(contactID: hit.contactID, matchedBy: .email, matchedValue: email)
            }
        }
        for phone in draft.phones {
            if let hit = byPhone.filter({ $0.key == phone.number && eligible($0) }).min(by: { $0.contactID < $1.contactID }) {
                return Match(contactID: hit.contactID, matchedBy: .phone, matchedValue: phone.number)
            }
        }
        return nil
    }

    static func same(_ a: String, _ b: String) -> Bool {
        a.trimming(.spaces).lowercased() == b.trimming(.spaces).lowercased()
    }
}
