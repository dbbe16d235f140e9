import Contracts
import Digest
import JSON

/// A contact as a vCard 3.0 (RFC 2426): what a phone's address book shows when the client
/// calls (issue 29). 3.0, not 4.0, because it is the one every phone reads; the card is
/// read-only, so only what a phone shows is in it: name, company, phones, emails.
struct VCard: Equatable {
    /// The card's text: CRLF lines folded at 75 octets, values escaped.
    let text: String

    init(_ contact: Contact) {
        var lines = ["BEGIN:VCARD", "VERSION:3.0", "UID:\(Self.uid(contact.id))"]
        let name = [contact.firstName, contact.lastName].filter { !$0.isEmpty }.joined(separator: " ")
        // FN is required: a person without a name shows as their company, else their number.
        let shown = !name.isEmpty ? name : !contact.company.isEmpty ? contact.company : contact.phones.first?.number ?? contact.emails.first ?? "Contact \(contact.id)"
        lines.append("FN:" + ContentLine.escaped(shown))
        lines.append("N:" + [contact.lastName, contact.firstName, "", "", ""].map(ContentLine.escaped).joined(separator: ";"))
        if !contact.company.isEmpty { lines.append("ORG:" + ContentLine.escaped(contact.company)) }
        for phone in contact.phones {
            // A comma is a phone's pause before it dials the extension's digits.
            let digits = phone.extension.allSatisfy { $0.isASCII && $0.isNumber } ? phone.extension : ""
            lines.append("TEL;TYPE=VOICE:" + ContentLine.escaped(phone.number) + (digits.isEmpty ? "" : "," + digits))
        }
        for email in contact.emails { lines.append("EMAIL;TYPE=INTERNET:" + ContentLine.escaped(email)) }
        lines.append("REV:" + RFC3339.format(milliseconds: contact.updatedAtMilliseconds))
        lines.append("END:VCARD")
        text = lines.map(ContentLine.folded).joined(separator: "\r\n") + "\r\n"
        etag = "\"" + Hex.encode(Array(SHA256.digest(Array(text.utf8)).prefix(12))) + "\""
    }

    /// The card's strong entity tag: a digest of its bytes, so it changes exactly when the
    /// card a phone keeps would.
    let etag: String

    static func uid(_ contactID: Int64) -> String { "switchboard-contact-\(contactID)" }
}
