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

    public func render(_ values: [String: TemplateValue], channel: NotificationChannel, locale: String = "ru", zone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case let .literal(s): out += s
            case let .variable(name, filter):
                out += Self.escape(values[name]?.written(filter: filter, locale: locale, zone: zone) ?? "", for: channel)
            }
        }
        return out
    }

    static func escape(_ text: String, for channel: NotificationChannel) -> String {
        switch channel {
        case .email, .telegram:
            var out = ""
            out.reserveCapacity(text.utf8.count)
            for c in text {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                default: out.append(c)
                }
            }
            return out
        default:
            return text
        }
    }
}
