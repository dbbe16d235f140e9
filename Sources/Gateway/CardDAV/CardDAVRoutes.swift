import Contracts
import HTTP
import RPC
import Wire

/// Contacts on staff phones (issue 29): a read-only CardDAV address book per staff member
/// (RFC 6352) holding the contacts they may see (G3), behind their own staff token (HTTP
/// Basic's password, any user name). iOS, macOS and Android (DAVx5) find it from the
/// server's address (`/.well-known/carddav`); sync-collection (RFC 6578) sends a phone only
/// what changed. PROPFIND and REPORT cannot be written in OpenAPI: the document lists the
/// GET routes and says where the rest is described (Sources/Gateway/README.md).
enum CardDAVRoutes {
    /// Cards in one book at most: past it the book holds the first this many by id, and the
    /// gateway logs that it stopped.
    static let limit = 20_000

    static let member = Route.PathParameter.text(pattern: "^[1-9][0-9]{0,18}$", description: "the staff member's id")
    static let card = Route.PathParameter.text(pattern: "^[1-9][0-9]{0,18}\\.vcf$", description: "a contact's card: its id and .vcf")

    static let all: [Route] = [
        Route(
            method: "GET", path: "/.well-known/carddav", operationID: "cardDAVDiscovery", access: .open,
            summary: "Where a phone finds the address books (RFC 6764): moved permanently to /dav/",
            answers: [Route.Answer(status: 301, description: "to /dav/", content: .none, headers: ["Location"])]
        ) { _ in HTTPResponse(status: 301, headers: [("Location", "/dav/")], body: []) },
        // What a client asks before it trusts a collection (DAVx5 reads `DAV: addressbook`).
        capabilities("/dav"), capabilities("/dav/{member}"), capabilities("/dav/{member}/contacts"),
        Route(method: "PROPFIND", path: "/dav", operationID: "cardDAVRoot", access: .member, summary: "Who is signed in: the member's principal", answers: []) { ctx in
            let member = try memberOnly(ctx)
            return try properties(ctx, [(href: "/dav/", of: .root(member))])
        },
        Route(
            method: "PROPFIND", path: "/dav/{member}", pathParameters: ["member": member], operationID: "cardDAVPrincipal", access: .member,
            summary: "The member's principal and address book home", answers: []
        ) { ctx in
            let member = try owner(ctx)
            var resources: [(href: String, of: Resource)] = [("/dav/\(member)/", .principal(member))]
            if try depth(ctx) > 0 { resources.append(("/dav/\(member)/contacts/", .book(try await book(ctx, member)))) }
            return try properties(ctx, resources)
        },
        Route(
            method: "PROPFIND", path: "/dav/{member}/contacts", pathParameters: ["member": member], operationID: "cardDAVBook", access: .member,
            summary: "The address book, and with Depth 1 its cards' tags", answers: []
        ) { ctx in
            let member = try owner(ctx)
            let book = try await book(ctx, member)
            var resources: [(href: String, of: Resource)] = [("/dav/\(member)/contacts/", .book(book))]
            if try depth(ctx) > 0 {
                for entry in book.entries { resources.append((href(member, entry.contactID), .card(entry.contactID, book.cards[entry.contactID]!))) }
            }
            return try properties(ctx, resources)
        },
        Route(
            method: "REPORT", path: "/dav/{member}/contacts", pathParameters: ["member": member], operationID: "cardDAVReport", access: .member,
            summary: "addressbook-multiget, sync-collection and an unfiltered addressbook-query", answers: []
        ) { ctx in
            let member = try owner(ctx)
            let asked = try read(ctx)
            let book = try await book(ctx, member)
            var out = DAVMultistatus()
            switch asked.kind {
            case .propfind:
                throw RPCError(.invalidArgument, "a REPORT names a report")
            case .multiget:
                for href in asked.hrefs {
                    if let id = contactID(in: href, member: member), let card = book.cards[id] {
                        add(&out, href: Self.href(member, id), .card(id, card), asked.wanted)
                    } else {
                        out.response(href: href, status: "404 Not Found")
                    }
                }
                return out.response()
            case .query:
                guard !asked.filters else { return DAVMultistatus.error(403, .card("supported-filter")) }
                for entry in book.entries { add(&out, href: href(member, entry.contactID), .card(entry.contactID, book.cards[entry.contactID]!), asked.wanted) }
                return out.response()
            case .syncCollection:
                var changed = book.entries.map(\.contactID), removed: [Int64] = []
                if !asked.syncToken.isEmpty {
                    guard let earlier = ctx.api.addressBooks.entries(staffID: member, token: asked.syncToken) else {
                        return DAVMultistatus.error(403, .dav("valid-sync-token"))
                    }
                    (changed, removed) = book.changes(since: earlier)
                }
                for id in changed { add(&out, href: href(member, id), .card(id, book.cards[id]!), asked.wanted) }
                for id in removed { out.response(href: href(member, id), status: "404 Not Found") }
                ctx.api.addressBooks.remember(book)
                return out.response(syncToken: book.syncToken)
            }
        },
        Route(
            method: "GET", path: "/dav/{member}/contacts/{card}", pathParameters: ["member": member, "card": card], operationID: "cardDAVCard",
            access: .member, summary: "One contact as a vCard 3.0 (a contact the member may not see is not found)",
            answers: [Route.Answer(status: 200, description: "text/vcard", content: .file(["text/vcard"]), headers: ["ETag"])], errors: [404]
        ) { ctx in
            let member = try owner(ctx)
            guard let id = Int64((ctx.parameters["card"] ?? "").dropLast(4)) else { throw RPCError(.notFound, "no such card") }
            // One contact, read as G3 lets the member see it (deleted and merged ones are not found).
            let contact = try await ctx.api.visibleContact(id, ctx)
            guard contact.mergedInto == nil, !contact.deleted else { throw RPCError(.notFound, "no such card") }
            let card = VCard(contact)
            if ctx.request.header("If-None-Match") == card.etag { return HTTPResponse(status: 304, headers: [("ETag", card.etag)], body: []) }
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/vcard; charset=utf-8"), ("ETag", card.etag)], body: Array(card.text.utf8))
        },
    ]

    /// OPTIONS on a collection: what it is and takes (RFC 4918 §10.1), asked without a
    /// password; it tells nothing about anyone.
    static func capabilities(_ path: String) -> Route {
        Route(
            method: "OPTIONS", path: path, pathParameters: path.contains("{member}") ? ["member": member] : [:],
            operationID: "cardDAVOptions" + path.split(separator: "/").count.description, access: .open, summary: "What a collection takes", answers: []
        ) { _ in
            HTTPResponse(status: 200, headers: [("DAV", "1, 3, addressbook"), ("Allow", "OPTIONS, PROPFIND, REPORT, GET, HEAD")], body: [])
        }
    }

    /// Methods of WebDAV that OpenAPI cannot describe: these routes are in the gateway's
    /// README, not in /v1/openapi.json.
    static let undocumentedMethods: Set<String> = ["PROPFIND", "REPORT", "OPTIONS"]

    /// What a PROPFIND or REPORT answers about.
    enum Resource {
        case root(Int64)
        case principal(Int64)
        case book(AddressBook)
        case card(Int64, VCard)
    }

    /// The signed-in member; an API key that is no member has no book (403).
    static func memberOnly(_ ctx: RequestContext) throws -> Int64 {
        guard let member = ctx.staffID else {
            throw RPCError(.permissionDenied, "an address book is a staff member's: sign in with a staff token as the password")
        }
        return member
    }

    /// The path's member, when it is the signed-in one; another's book answers as a book
    /// that does not exist.
    static func owner(_ ctx: RequestContext) throws -> Int64 {
        let member = try memberOnly(ctx)
        guard ctx.parameters["member"] == String(member) else { throw RPCError(.notFound, "no address book here") }
        return member
    }

    /// PROPFIND's Depth: 0 or 1 (absent: 1 on a collection, RFC 4918's infinity taken as 1,
    /// since nothing here is deeper).
    static func depth(_ ctx: RequestContext) throws -> Int {
        switch ctx.request.header("Depth")?.lowercased() {
        case "0": 0
        case nil, "1", "infinity": 1
        case let other?: throw RPCError(.invalidArgument, "Depth is 0 or 1, not \(other.prefix(20))")
        }
    }

    static func read(_ ctx: RequestContext) throws -> DAVRequest {
        do {
            return try DAVRequest.read(method: ctx.request.method, body: ctx.request.body)
        } catch {
            throw RPCError(.invalidArgument, error.reason)
        }
    }

    static func href(_ member: Int64, _ contactID: Int64) -> String { "/dav/\(member)/contacts/\(contactID).vcf" }

    /// The contact a card's href names in `member`'s book (absolute or relative to it).
    static func contactID(in href: String, member: Int64) -> Int64? {
        let path = href.range(of: "/dav/").map { String(href[$0.lowerBound...]) } ?? href
        let prefix = "/dav/\(member)/contacts/"
        guard path.hasPrefix(prefix), path.hasSuffix(".vcf") else { return nil }
        let id = path.dropFirst(prefix.count).dropLast(4)
        guard let first = id.first, first != "0", let value = Int64(id) else { return nil }
        return value
    }

    /// `member`'s book: every contact they may see (G3), at most ``limit``.
    static func book(_ ctx: RequestContext, _ member: Int64) async throws -> AddressBook {
        var request = SearchContactsRequest()
        request.visibility = try await ctx.visibility()
        request.pageSize = 500
        var contacts: [Contact] = []
        repeat {
            let page = try await ctx.call(Contacts.search, request)
            contacts += page.contacts
            request.cursor = page.nextCursor
        } while !request.cursor.isEmpty && contacts.count < limit
        if contacts.count >= limit, !request.cursor.isEmpty {
            ctx.api.logger.warn("address book cut at its limit", ["staff_id": "\(member)", "limit": "\(limit)"])
        }
        return AddressBook(staffID: member, contacts: Array(contacts.prefix(limit)))
    }

    static func properties(_ ctx: RequestContext, _ resources: [(href: String, of: Resource)]) throws -> HTTPResponse {
        let asked = try read(ctx)
        guard asked.kind == .propfind else { throw RPCError(.invalidArgument, "a PROPFIND's body is <propfind>") }
        var out = DAVMultistatus()
        for resource in resources { add(&out, href: resource.href, resource.of, asked.wanted) }
        return out.response()
    }

    /// One resource's answer: what was asked for that it has, and what it has not.
    static func add(_ out: inout DAVMultistatus, href: String, _ resource: Resource, _ wanted: DAVRequest.Wanted) {
        let held = values(resource)
        switch wanted {
        case .all:
            // allprop leaves out what is expensive or long (RFC 6352 §10.4: address-data).
            out.response(href: href, found: held.filter { $0.0 != .card("address-data") })
        case .names:
            out.response(href: href, found: held.map { ($0.0, .text("")) })
        case let .these(properties):
            let byName = Dictionary(held.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
            out.response(href: href, found: properties.compactMap { p in byName[p].map { (p, $0) } }, missing: properties.filter { byName[$0] == nil })
        }
    }

    /// Every property `resource` has, with its value.
    static func values(_ resource: Resource) -> [(DAVProperty, DAVMultistatus.Value)] {
        let read: DAVMultistatus.Value = .xml("<D:privilege><D:read/></D:privilege>")
        switch resource {
        case let .root(member), let .principal(member):
            let principal: DAVMultistatus.Value = .xml("<D:href>/dav/\(member)/</D:href>")
            var type = "<D:collection/>"
            if case .principal = resource { type += "<D:principal/>" }
            return [
                (.dav("resourcetype"), .xml(type)), (.dav("displayname"), .text("Switchboard")),
                (.dav("current-user-principal"), principal), (.dav("principal-URL"), principal), (.card("addressbook-home-set"), principal),
                (.dav("current-user-privilege-set"), read),
            ]
        case let .book(book):
            return [
                (.dav("resourcetype"), .xml("<D:collection/><C:addressbook/>")), (.dav("displayname"), .text("Switchboard")),
                (.card("addressbook-description"), .text("The clients you may see in Switchboard (read-only)")),
                (.dav("current-user-principal"), .xml("<D:href>/dav/\(book.staffID)/</D:href>")),
                (.dav("owner"), .xml("<D:href>/dav/\(book.staffID)/</D:href>")),
                (.dav("sync-token"), .text(book.syncToken)), (DAVProperty(namespace: DAVProperty.calendarServer, name: "getctag"), .text(book.syncToken)),
                (.dav("supported-report-set"), .xml(
                    "<D:supported-report><D:report><C:addressbook-multiget/></D:report></D:supported-report>"
                        + "<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>"
                        + "<D:supported-report><D:report><C:addressbook-query/></D:report></D:supported-report>")),
                (.card("supported-address-data"), .xml(#"<C:address-data-type content-type="text/vcard" version="3.0"/>"#)),
                (.card("max-resource-size"), .text("102400")),
                (.dav("current-user-privilege-set"), read),
            ]
        case let .card(_, card):
            return [
                (.dav("resourcetype"), .xml("")), (.dav("getetag"), .text(card.etag)),
                (.dav("getcontenttype"), .text("text/vcard; charset=utf-8")), (.dav("getcontentlength"), .text("\(card.text.utf8.count)")),
                (.card("address-data"), .text(card.text)),
            ]
        }
    }
}
