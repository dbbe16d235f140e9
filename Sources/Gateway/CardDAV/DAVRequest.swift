import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A WebDAV property by namespace and name (`DAV:` `getetag`, CardDAV's `address-data`).
struct DAVProperty: Hashable, Sendable {
    let namespace: String
    let name: String

    static let dav = "DAV:", cardDAV = "urn:ietf:params:xml:ns:carddav", calendarServer = "http://calendarserver.org/ns/"

    static func dav(_ name: String) -> DAVProperty { DAVProperty(namespace: dav, name: name) }
    static func card(_ name: String) -> DAVProperty { DAVProperty(namespace: cardDAV, name: name) }
}

/// What a CardDAV client asked for in a PROPFIND or REPORT body (RFC 4918 §9.1, RFC 6352
/// §8.6–8.7, RFC 6578 §3.2), read with the system's XML parser. A body with a DOCTYPE is
/// refused before it is parsed: no entity a client declares is ever expanded.
struct DAVRequest: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case propfind
        case multiget
        case syncCollection
        case query
    }

    /// What properties: every one the server has (`allprop`, and an empty PROPFIND), only
    /// their names (`propname`), or these.
    enum Wanted: Equatable, Sendable {
        case all
        case names
        case these([DAVProperty])
    }

    var kind: Kind
    var wanted: Wanted = .all
    /// An addressbook-multiget's cards.
    var hrefs: [String] = []
    /// A sync-collection's token (empty: the first sync).
    var syncToken = ""
    /// An addressbook-query that filters (it is refused: this book answers no filters).
    var filters = false

    /// Why a body cannot be read, in words for the client.
    struct Unreadable: Error, Equatable {
        let reason: String
    }

    /// Reads `body` of `method` (PROPFIND or REPORT); an empty PROPFIND asks for all.
    static func read(method: String, body: [UInt8]) throws(Unreadable) -> DAVRequest {
        if body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            guard method == "PROPFIND" else { throw Unreadable(reason: "a REPORT needs a body naming the report") }
            return DAVRequest(kind: .propfind)
        }
        guard !body.starts(with: Array("<!DOCTYPE".utf8)), !String(decoding: body, as: UTF8.self).contains("<!DOCTYPE") else {
            throw Unreadable(reason: "a DOCTYPE is not accepted")
        }
        let reader = Reader()
        let parser = XMLParser(data: Data(body))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        // Foundation's parser on Linux says yes to a document cut short: every element must close.
        guard parser.parse(), reader.closed, let root = reader.root else {
            throw Unreadable(reason: "the body is not well-formed XML: \(parser.parserError.map { "\($0.localizedDescription)" } ?? "it ends before every element is closed")")
        }
        var request: DAVRequest
        switch (root.namespace, root.name, method) {
        case (DAVProperty.dav, "propfind", "PROPFIND"): request = DAVRequest(kind: .propfind)
        case (DAVProperty.cardDAV, "addressbook-multiget", "REPORT"): request = DAVRequest(kind: .multiget)
        case (DAVProperty.dav, "sync-collection", "REPORT"): request = DAVRequest(kind: .syncCollection)
        case (DAVProperty.cardDAV, "addressbook-query", "REPORT"): request = DAVRequest(kind: .query)
        default: throw Unreadable(reason: "\(method) with <\(root.name)> (\(root.namespace)) is not something this address book answers")
        }
        for child in root.children {
            switch (child.namespace, child.name) {
            case (DAVProperty.dav, "allprop"): request.wanted = .all
            case (DAVProperty.dav, "propname"): request.wanted = .names
            case (DAVProperty.dav, "prop"): request.wanted = .these(child.children.map { DAVProperty(namespace: $0.namespace, name: $0.name) })
            case (DAVProperty.dav, "href"): request.hrefs.append(child.text.trimmingCharacters(in: .whitespacesAndNewlines))
            case (DAVProperty.dav, "sync-token"): request.syncToken = child.text.trimmingCharacters(in: .whitespacesAndNewlines)
            case (DAVProperty.cardDAV, "filter"): request.filters = !child.children.isEmpty
            default: continue
            }
        }
        guard request.hrefs.count <= 10_000 else { throw Unreadable(reason: "at most 10,000 hrefs in one multiget") }
        return request
    }

    /// An element as read: its name, namespace, children and text.
    final class Element {
        let namespace: String, name: String
        var children: [Element] = []
        var text = ""

        init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }
    }

    /// Builds the tree from the parser's callbacks; at most 64 levels deep and 20,000
    /// elements, so no body makes it work without bound.
    final class Reader: NSObject, XMLParserDelegate {
        var root: Element?
        /// The root element ended: the document was whole.
        var closed = false
        private var stack: [Element] = []
        private var count = 0

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            count += 1
            guard stack.count < 64, count <= 20_000 else {
                parser.abortParsing()
                return
            }
            let element = Element(namespace: namespaceURI ?? "", name: name)
            if let parent = stack.last { parent.children.append(element) } else { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
            if stack.isEmpty { closed = true }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard let current = stack.last, current.text.utf8.count < 8192 else { return }
            current.text += string
        }
    }
}
