import Contracts
import FoundationEssentials
import Glibc
/// C1: trims and lower-cases an email and checks it has the shape of an address
/// (one `@`, a local part, a dotted domain of letters, digits and hyphens).
///
/// Before that, so that one address typed or pasted differently is one key for C2:
/// invisible format characters (zero-width space and joiners, BOM, soft hyphen) are
/// removed, and the whole address takes its ``TextForm`` (NFC after NFKC's folds of what keyboards type): `une\u{301}` and `un\u{e9}` are
/// one form, fullwidth `ａｎｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ` is `anna@example.com`. Folding
/// the local part too is a choice: mail systems that told such addresses apart would
/// be telling people apart by how their keyboard wrote them.
public enum EmailNormalizer {
    public struct Failure: Error, Equatable, Sendable {
        public let reason: String
    }

    public static func normalize(_ raw: String) -> Result<String, Failure> {
        let email = TextForm.canonical(raw).trimming(.spacesAndNewlines).lowercased()
        guard !email.isEmpty else { return .failure(Failure(reason: "is empty")) }
        guard email.utf8.count <= 254 else { return .failure(Failure(reason: "is longer than 254 characters")) }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(Failure(reason: "must contain exactly one @")) }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else {
            return .failure(Failure(reason: "needs 1 to 64 characters before the @"))
        }
        guard !local.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }) else {
            return .failure(Failure(reason: "contains a space or a character not allowed before the @"))
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return .failure(Failure(reason: "needs a domain with a dot after the @")) }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else { return .failure(Failure(reason: "has an invalid domain \"\(domain)\"")) }
        }
        return .success(email)
    }
}
