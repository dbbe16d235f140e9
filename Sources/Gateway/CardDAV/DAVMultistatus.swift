import HTTP

/// A 207 Multi-Status body (RFC 4918 §13): per resource, the properties found with their
/// values and those not found.
struct DAVMultistatus {
    /// One property's value, written as XML inside its element.
    enum Value {
        case text(String)
        /// Elements already written (`<D:href>…</D:href>`, `<D:collection/>`).
        case xml(String)
    }

    private var body = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n"
        + #"<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/">"#

    /// A resource's properties: those `found`, and those asked for that it does not have
    /// (404 each, as the RFC wants).
    mutating func response(href: String, found: [(DAVProperty, Value)], missing: [DAVProperty] = []) {
        body += "<D:response><D:href>\(Self.escaped(href))</D:href>"
        if !found.isEmpty {
            body += "<D:propstat><D:prop>"
            for (property, value) in found {
                let tag = Self.tag(property)
                switch value {
                case let .text(text): body += text.isEmpty ? "<\(tag.open)/>" : "<\(tag.open)>\(Self.escaped(text))</\(tag.name)>"
                case let .xml(xml): body += xml.isEmpty ? "<\(tag.open)/>" : "<\(tag.open)>\(xml)</\(tag.name)>"
                }
            }
            body += "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
        }
        if !missing.isEmpty {
            body += "<D:propstat><D:prop>" + missing.map { "<\(Self.tag($0).open)/>" }.joined() + "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>"
        }
        body += "</D:response>"
    }

    /// A resource with only a status: a card that is gone (sync-collection) or not there (multiget).
    mutating func response(href: String, status: String) {
        body += "<D:response><D:href>\(Self.escaped(href))</D:href><D:status>HTTP/1.1 \(status)</D:status></D:response>"
    }

    /// The body, closed; `syncToken` for a sync-collection's answer.
    func response(syncToken: String? = nil) -> HTTPResponse {
        var text = body
        if let syncToken { text += "<D:sync-token>\(Self.escaped(syncToken))</D:sync-token>" }
        text += "</D:multistatus>"
        return HTTPResponse(status: 207, headers: [("Content-Type", "application/xml; charset=utf-8")], body: Array(text.utf8))
    }

    /// A property's element name with the prefix this document declares, and its opening
    /// (with a namespace of its own when it is none of ours).
    static func tag(_ property: DAVProperty) -> (open: String, name: String) {
        let prefix: String? =
            switch property.namespace {
            case DAVProperty.dav: "D"
            case DAVProperty.cardDAV: "C"
            case DAVProperty.calendarServer: "CS"
            default: nil
            }
        guard let prefix else { return ("X:\(property.name) xmlns:X=\"\(escaped(property.namespace))\"", "X:\(property.name)") }
        return ("\(prefix):\(property.name)", "\(prefix):\(property.name)")
    }

    /// XML's five special characters as entities.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    /// An error body for a precondition (RFC 4918 §16): `<D:error><D:valid-sync-token/></D:error>`.
    static func error(_ status: Int, _ condition: DAVProperty) -> HTTPResponse {
        let text = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n"
            + #"<D:error xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><"# + tag(condition).open + "/></D:error>"
        return HTTPResponse(status: status, headers: [("Content-Type", "application/xml; charset=utf-8")], body: Array(text.utf8))
    }
}
