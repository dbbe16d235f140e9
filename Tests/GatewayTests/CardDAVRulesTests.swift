import Contracts
import Foundation
@testable import Gateway
import Testing

/// Issue 29: the pieces of a staff member's address book, as values: the card a phone
/// keeps, what a client's XML asks for, and what a sync sends.
@Suite struct CardDAVRulesTests {
    static func contact(_ id: Int64, first: String = "", last: String = "", company: String = "", phones: [String] = [], updated: Int64 = 0) -> Contact {
        var c = Contact()
        c.id = id
        c.firstName = first
        c.lastName = last
        c.company = company
        c.phones = phones.map { var p = Phone(); p.number = $0; return p }
        c.updatedAtMilliseconds = updated
        return c
    }

    @Test func p5ACardEscapesTextFoldsLongLinesAndNamesSomeoneWithoutAName() {
        let card = VCard(Self.contact(7, first: "Anna", last: "Petrova; Jr.", company: "Okna, LLC\nMoscow", phones: ["+79161234567"]))
        #expect(card.text.hasPrefix("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:switchboard-contact-7\r\n") && card.text.hasSuffix("END:VCARD\r\n"))
        #expect(card.text.contains("\r\nFN:Anna Petrova\\; Jr.\r\n") && card.text.contains("\r\nN:Petrova\\; Jr.;Anna;;;\r\n"))
        #expect(card.text.contains("\r\nORG:Okna\\, LLC\\nMoscow\r\n") && card.text.contains("\r\nTEL;TYPE=VOICE:+79161234567\r\n"))
        // No name: the company, else the number, is what the phone shows.
        #expect(VCard(Self.contact(8, company: "Okna")).text.contains("\r\nFN:Okna\r\n"))
        #expect(VCard(Self.contact(9, phones: ["+79160000009"])).text.contains("\r\nFN:+79160000009\r\n"))
        // 75 octets a line at most, never splitting a Cyrillic letter's two bytes.
        let long = VCard(Self.contact(10, first: String(repeating: "Ж", count: 60)))
        for line in long.text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 75, "\(line)")
        }
        #expect(long.text.contains("\r\n "))
        let unfolded = long.text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("FN:" + String(repeating: "Ж", count: 60) + "\r\n"))
    }

    @Test func p5ATagChangesExactlyWhenTheCardDoes() {
        let a = VCard(Self.contact(1, first: "Anna", updated: 1)), same = VCard(Self.contact(1, first: "Anna", updated: 1))
        #expect(a.etag == same.etag && a.etag.hasPrefix("\"") && a.etag.hasSuffix("\""))
        #expect(a.etag != VCard(Self.contact(1, first: "Anna", updated: 2)).etag)
    }

    @Test func p5ASyncSendsChangedAndNewCardsAndNamesThoseGone() {
        let before = AddressBook(staffID: 2, contacts: [Self.contact(1, first: "A"), Self.contact(2, first: "B"), Self.contact(3, first: "C")])
        let after = AddressBook(staffID: 2, contacts: [Self.contact(1, first: "A"), Self.contact(2, first: "B2"), Self.contact(4, first: "D")])
        let changes = after.changes(since: before.entries)
        #expect(changes.changed == [2, 4] && changes.removed == [3])
        #expect(before.syncToken != after.syncToken)
        #expect(before.syncToken == AddressBook(staffID: 2, contacts: [Self.contact(3, first: "C"), Self.contact(1, first: "A"), Self.contact(2, first: "B")]).syncToken)
        #expect(before.syncToken != AddressBook(staffID: 3, contacts: [Self.contact(1, first: "A"), Self.contact(2, first: "B"), Self.contact(3, first: "C")]).syncToken)
        let states = AddressBookStates()
        states.remember(before)
        #expect(states.entries(staffID: 2, token: before.syncToken) == before.entries)
        #expect(states.entries(staffID: 3, token: before.syncToken) == nil, "another member's token is unknown to them")
    }

    @Test func p5AClientsXMLIsReadAndABodyWithEntitiesIsNot() throws {
        let multiget = try DAVRequest.read(method: "REPORT", body: Array("""
            <?xml version="1.0" encoding="utf-8" ?>
            <C:addressbook-multiget xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
                <prop><getetag/><C:address-data/></prop>
                <href>/dav/2/contacts/7.vcf</href>
                <href> /dav/2/contacts/8.vcf </href>
            </C:addressbook-multiget>
            """.utf8))
        #expect(multiget.kind == .multiget && multiget.hrefs == ["/dav/2/contacts/7.vcf", "/dav/2/contacts/8.vcf"])
        #expect(multiget.wanted == .these([.dav("getetag"), .card("address-data")]))
        #expect(try DAVRequest.read(method: "PROPFIND", body: []) == DAVRequest(kind: .propfind, wanted: .all))
        #expect(try DAVRequest.read(method: "PROPFIND", body: Array(#"<propfind xmlns="DAV:"><propname/></propfind>"#.utf8)).wanted == .names)
        let sync = try DAVRequest.read(method: "REPORT", body: Array(#"<D:sync-collection xmlns:D="DAV:"><D:sync-token>urn:x</D:sync-token><D:prop/></D:sync-collection>"#.utf8))
        #expect(sync.kind == .syncCollection && sync.syncToken == "urn:x")
        for bad in [
            #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><propfind xmlns="DAV:"><allprop/></propfind>"#,
            "<propfind xmlns=\"DAV:\"><allprop>", "<lockinfo xmlns=\"DAV:\"/>",
        ] {
            #expect(throws: DAVRequest.Unreadable.self) { try DAVRequest.read(method: "PROPFIND", body: Array(bad.utf8)) }
        }
        #expect(throws: DAVRequest.Unreadable.self) { try DAVRequest.read(method: "REPORT", body: []) }
        #expect(CardDAVRoutes.contactID(in: "http://phone.example/dav/2/contacts/7.vcf", member: 2) == 7)
        #expect(CardDAVRoutes.contactID(in: "/dav/3/contacts/7.vcf", member: 2) == nil)
        #expect(CardDAVRoutes.contactID(in: "/dav/2/contacts/07.vcf", member: 2) == nil)
    }
}
