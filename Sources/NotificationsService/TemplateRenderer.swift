import Contracts
import Foundation

/// N2: templates with `{{ variable }}` and `{{ variable | filter }}` (`time`: date and
/// time, `date`, `clock`: hours and minutes, `upper`, `lower`). Checked when saved: every
/// variable must be one the event type offers, every filter known, every `{{` closed.
/// Rendered with each value escaped for its channel: HTML for email, Telegram's HTML
/// entities; as is for SMS, WhatsApp and webhooks.
public struct TemplateRenderer: Sendable {
    enum Piece: Sendable, Equatable {
        case literal(String)
        case variable(name: String, filter: String?)
    }

    let pieces: [Piece]
    static let filters: Set<String> = ["time", "date", "clock", "upper", "lower"]

    /// What is wrong with a template, as field errors (nil: it parses).
    public struct Problem: Error, Equatable, Sendable {
        public let message: String
        public init(message: String) { self.message = message }
    }

    public init(parsing text: String) throws(Problem) {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.literal(String(rest[..<open.lowerBound]))) }
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else { throw Problem(message: "a {{ is never closed") }
            let inside = after[..<close.lowerBound]
            let parts = inside.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else {
                throw Problem(message: "{{\(inside)}} does not name a variable")
            }
            let filter = parts.count > 1 ? parts[1] : nil
            if let filter, !Self.filters.contains(filter) {
                throw Problem(message: "{{\(name) | \(filter)}}: \(filter) is not a filter (time, date, clock, upper, lower)")
            }
            pieces.append(.variable(name: name, filter: filter))
            rest = after[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        self.pieces = pieces
    }

    public var variables: [String] {
        pieces.compactMap { if case let .variable(name, _) = $0 { name } else { nil } }
    }

    /// The first variable `offered` does not have, as a sentence naming it.
    public func unknownVariable(offered: Set<String>, eventType: String) -> String? {
        variables.first { !offered.contains($0) }.map { "{{\($0)}} is not a variable \(eventType) offers" }
    }

    /// `escaping`: values escaped for the channel's markup (false for an email's subject).
    public func render(
        _ values: [String: TemplateValue], channel: NotificationChannel, locale: String = "ru", zone: TimeZone = TimeZone(identifier: "UTC")!, escaping: Bool = true
    ) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case let .literal(s): out += s
            case let .variable(name, filter):
                let text = values[name]?.written(filter: filter, locale: locale, zone: zone) ?? ""
                out += escaping ? Self.escape(text, for: channel) : text
            }
        }
        return out
    }

    static func escape(_ text: String, for channel: NotificationChannel) -> String {
        switch channel {
        case .email, .telegram:
            guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 }) else { return text }
            var out = String.UnicodeScalarView()
            for c in text.unicodeScalars {
                switch c {
                case "&": out.append(contentsOf: "&amp;".unicodeScalars)
                case "<": out.append(contentsOf: "&lt;".unicodeScalars)
                case ">": out.append(contentsOf: "&gt;".unicodeScalars)
                case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
                default: out.append(c)
                }
            }
            return String(out)
        default:
            return text
        }
    }
}
