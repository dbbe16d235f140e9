import Contracts
import Foundation
import ServiceKit
import Sockets
import Storage
import Wire

/// N1: each channel's provider settings. The token is kept (a provider needs it) and never
/// answered back: `tokenSet` says whether there is one.
public struct ChannelStore: Sendable {
    let database: Database
    /// Where a channel's base URLs may point.
    let outbound: OutboundPolicy

    public init(database: Database, outbound: OutboundPolicy) {
        self.database = database
        self.outbound = outbound
    }

    /// The channel's settings replaced; each change a line of its history (issue 26), the
    /// token only as "replaced" or "removed".
    public func put(_ input: ChannelSettings, by author: SetupLog.Author = .init(), now: Int64 = 0) async throws -> ChannelSettings {
        var v: [FieldViolation] = []
        if input.channel == .unspecified { v.append(FieldViolation(field: "channel", description: "is missing")) }
        // Email goes to an SMTP relay (smtp://host:port); the rest to HTTP APIs.
        let schemes: Set<String> = input.channel == .email ? ["smtp"] : ["http", "https"]
        for (field, url) in [("baseUrl", input.baseURL), ("fallbackBaseUrl", input.fallbackBaseURL)] where !url.isEmpty {
            if let problem = outbound.refusal(url: url, schemes: schemes) { v.append(FieldViolation(field: field, description: problem)) }
        }
        // The sender goes into headers (email's From, the envelope's MAIL FROM): one line,
        // and for email an address.
        if input.channel == .email, !input.sender.isEmpty, let problem = RecipientAddress.emailProblem(input.sender) {
            v.append(FieldViolation(field: "sender", description: problem))
        } else if input.sender.unicodeScalars.contains(where: RecipientAddress.isControl) {
            v.append(FieldViolation(field: "sender", description: "must be one line, without control characters"))
        }
        if !input.timeZone.isEmpty && TimeZone(identifier: input.timeZone) == nil { v.append(FieldViolation(field: "timeZone", description: "\"\(input.timeZone)\" is not an IANA time zone")) }
        if !input.locale.isEmpty && !RecipientLocale.languages.contains(input.locale) { v.append(FieldViolation(field: "locale", description: "is ru or en")) }
        var countries: Set<String> = []
        for (i, cost) in input.countryCosts.enumerated() {
            if cost.country.utf8.count != 2 || !cost.country.utf8.allSatisfy({ (65...90).contains($0) }) {
                v.append(FieldViolation(field: "countryCosts[\(i)].country", description: "\"\(cost.country)\" is not an ISO 3166-1 code of two capital letters"))
            } else if !countries.insert(cost.country).inserted {
                v.append(FieldViolation(field: "countryCosts[\(i)].country", description: "\(cost.country) has a cost already"))
            }
            if cost.costMinor < 0 { v.append(FieldViolation(field: "countryCosts[\(i)].costMinor", description: "is negative")) }
        }
        if !input.countryCosts.isEmpty && input.currency.isEmpty {
            v.append(FieldViolation(field: "currency", description: "is needed with countryCosts: the costs are in the channel's currency"))
        }
        guard v.isEmpty else { throw RPCError.invalidArgument("the channel settings are not valid", details: v) }
        return try await database.write { tx in
            var s = input
            let before = try Self.load(tx.connection, s.channel)
            if s.token == nil { s.token = before?.token ?? "" }
            try SetupLog.record(tx, entity: "channel", id: Int64(s.channel.rawValue), by: author, at: now, Self.changes(before, s))
            try tx.run("INSERT INTO channels (channel, settings) VALUES (?, ?) ON CONFLICT (channel) DO UPDATE SET settings = excluded.settings",
                [.integer(Int64(s.channel.rawValue)), .blob(s.wireBytes())])
            return Self.shown(s)
        }
    }

    /// What changed, in words; secrets never.
    static func changes(_ old: ChannelSettings?, _ new: ChannelSettings) -> [String] {
        guard let old else { return ["set up: \(new.provider) at \(new.baseURL)"] }
        var lines: [String] = []
        if old.provider != new.provider { lines.append("provider \(old.provider) → \(new.provider)") }
        if old.baseURL != new.baseURL { lines.append("base URL \(old.baseURL) → \(new.baseURL)") }
        if old.fallbackBaseURL != new.fallbackBaseURL { lines.append("fallback URL \(old.fallbackBaseURL.isEmpty ? "none" : old.fallbackBaseURL) → \(new.fallbackBaseURL.isEmpty ? "none" : new.fallbackBaseURL)") }
        if old.token != new.token { lines.append((new.token ?? "").isEmpty ? "token removed" : "token replaced") }
        if old.sender != new.sender { lines.append("sender \"\(old.sender)\" → \"\(new.sender)\"") }
        if old.costMinor != new.costMinor || old.currency != new.currency || old.countryCosts != new.countryCosts { lines.append("costs changed") }
        if old.timeZone != new.timeZone || old.locale != new.locale { lines.append("time zone and locale: \(new.timeZone.isEmpty ? "none" : new.timeZone), \(new.locale.isEmpty ? "none" : new.locale)") }
        return lines
    }

    public func history(_ channel: NotificationChannel) async throws -> SetupHistory {
        try await database.read { c in try SetupLog.history(c, entity: "channel", id: Int64(channel.rawValue)) }
    }

    public func list() async throws -> ChannelSettingsList {
        try await database.read { c in
            ChannelSettingsList(channels: try c.query("SELECT settings FROM channels ORDER BY channel", []) { Self.shown(try ChannelSettings(wireBytes: $0.blob(0))) })
        }
    }

    static func load(_ c: Connection, _ channel: NotificationChannel) throws -> ChannelSettings? {
        try c.queryFirst("SELECT settings FROM channels WHERE channel = ?", [.integer(Int64(channel.rawValue))]) { try ChannelSettings(wireBytes: $0.blob(0)) }
    }

    static func shown(_ s: ChannelSettings) -> ChannelSettings {
        var out = s
        out.tokenSet = !s.credential.isEmpty
        out.token = nil
        return out
    }
}

extension ChannelSettings {
    /// The token as providers take it ("" when there is none).
    var credential: String { token ?? "" }
}
